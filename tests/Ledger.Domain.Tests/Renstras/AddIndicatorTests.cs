using Ledger.Domain.Capaian;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Renstras;

public class AddIndicatorTests
{
    private static readonly RenstraContext Known = new(AgencyExists: true);

    /// <summary>Seed 004 §3.1 / scenario S1: Indeks Sistem Merit, Renstra Paser 2025–2029 with 2030 as transition year.</summary>
    internal static RenstraState Paser() =>
        Expect.Accepted(Renstra.Decide(RenstraState.Initial,
                new CreateRenstra("bkpsdm-paser", 2025, 2029, "Renstra BKPSDM Kabupaten Paser 2025-2029", null, 2030), Known))
            .Aggregate(RenstraState.Initial, Renstra.Evolve);

    internal static AddIndicator Merit { get; } = new("MERIT", "Indeks Sistem Merit", IndicatorLevel.Sasaran, IndicatorKind.Iku, null,
        "indeks", Polarity.Higher, null, Aggregation.Annual, 246.5m, 2024,
        new Dictionary<int, decimal> { [2025] = 250m, [2026] = 250m, [2027] = 260m, [2028] = 270m, [2029] = 280m, [2030] = 300m },
        300m);

    [Fact]
    public void Given_Paser_renstra_When_adding_Merit_with_a_transition_year_target_Then_IndicatorAdded_keeps_every_number()
    {
        var e = Expect.Single<IndicatorAdded>(Renstra.Decide(Paser(), Merit, Known));

        Assert.Equal("sasaran", e.Level);
        Assert.Equal("IKU", e.Kind);
        Assert.Equal("higher", e.Polarity);
        Assert.Equal("annual", e.Aggregation);
        Assert.Equal(246.5m, e.Baseline);
        Assert.Equal(2024, e.BaselineYear);
        Assert.Equal(300m, e.EndTarget);
        Assert.Equal([2025, 2026, 2027, 2028, 2029, 2030], e.Targets.Select(t => t.Year));
        Assert.Equal([250m, 250m, 260m, 270m, 280m, 300m], e.Targets.Select(t => t.Target));

        var definition = Renstra.Evolve(Paser(), e).Indicator("MERIT")!;
        Assert.Equal(260m, definition.TargetFor(2027));
        Assert.Equal(Aggregation.Annual, definition.Aggregation);
    }

    [Fact]
    public void Given_no_renstra_When_adding_an_indicator_Then_not_found() =>
        Expect.NotFound(Renstra.Decide(RenstraState.Initial, Merit, Known), "renstra");

    [Fact]
    public void Given_indicator_I2_When_adding_another_I2_Then_refused_duplicate_code() =>
        Expect.Refused(Renstra.Decide(Surakarta.Renstra(), Surakarta.Indicators[1] with { Name = "other" }, Known),
            RuleCodes.IndicatorDuplicateCode);

    [Fact]
    public void Given_renstra_When_parent_is_not_an_indicator_of_it_Then_refused_parent_not_found()
    {
        var refused = Expect.Refused(Renstra.Decide(Surakarta.Renstra(), Surakarta.Indicators[0] with { Code = "I1.1", Parent = "T9" }, Known),
            RuleCodes.IndicatorParentNotFound);
        Assert.Equal("parent", refused.Field);
    }

    [Fact]
    public void Given_renstra_When_parent_exists_Then_accepted_with_parent()
    {
        var e = Expect.Single<IndicatorAdded>(Renstra.Decide(Surakarta.Renstra(),
            Surakarta.Indicators[0] with { Code = "I1.1", Parent = "I1", Level = IndicatorLevel.Program }, Known));
        Assert.Equal("I1", e.Parent);
        Assert.Equal("program", e.Level);
    }

    [Fact]
    public void Given_Paser_renstra_When_a_target_falls_after_the_transition_year_Then_refused_target_year_outside_period()
    {
        var refused = Expect.Refused(Renstra.Decide(Paser(),
            Merit with { Targets = new Dictionary<int, decimal> { [2031] = 310m } }, Known), RuleCodes.IndicatorTargetYearOutsidePeriod);
        Assert.Equal("targets.2031", refused.Field);
    }

    [Fact]
    public void Given_Surakarta_renstra_without_transition_year_When_a_target_is_for_2027_Then_refused_target_year_outside_period() =>
        Expect.Refused(Renstra.Decide(Surakarta.Renstra(),
            Merit with { Targets = new Dictionary<int, decimal> { [2027] = 1m } }, Known), RuleCodes.IndicatorTargetYearOutsidePeriod);

    [Fact]
    public void Given_renstra_When_a_target_is_negative_Then_refused_target_negative() =>
        Expect.Refused(Renstra.Decide(Paser(), Merit with { Targets = new Dictionary<int, decimal> { [2026] = -1m } }, Known),
            RuleCodes.IndicatorTargetNegative);

    [Theory]
    [InlineData("", "n", "u", RuleCodes.IndicatorCodeRequired)]
    [InlineData("X", " ", "u", RuleCodes.IndicatorNameRequired)]
    [InlineData("X", "n", "", RuleCodes.IndicatorUnitRequired)]
    public void Given_renstra_When_code_name_or_unit_is_blank_Then_refused(string code, string name, string unit, string rule) =>
        Expect.Refused(Renstra.Decide(Paser(), Merit with { Code = code, Name = name, Unit = unit }, Known), rule);

    [Fact]
    public void Given_renstra_When_a_higher_is_better_indicator_names_a_lower_formula_Then_refused() =>
        Expect.Refused(Renstra.Decide(Paser(), Merit with { LowerFormula = LowerFormula.RatioInverse }, Known),
            RuleCodes.IndicatorLowerFormulaWithoutLowerPolarity);

    [Fact]
    public void Given_renstra_When_a_lower_is_better_indicator_has_no_formula_Then_the_official_inverse_2t_is_recorded()
    {
        // Seed 004 §3.3: "Persentase ASN yang Pernah Mendapatkan Hukuman Disiplin", baseline 1,10, ↓.
        var disiplin = new AddIndicator("DISIPLIN", "Persentase ASN yang Pernah Mendapatkan Hukuman Disiplin (sedang-berat)",
            IndicatorLevel.Program, IndicatorKind.Other, null, "%", Polarity.Lower, null, Aggregation.Last, 1.10m, 2024,
            new Dictionary<int, decimal> { [2026] = 1.00m, [2027] = 0.90m, [2028] = 0.80m, [2029] = 0.70m, [2030] = 0.60m }, 0.60m);

        var e = Expect.Single<IndicatorAdded>(Renstra.Decide(Paser(), disiplin, Known));
        Assert.Equal("lower", e.Polarity);
        Assert.Equal("inverse-2t", e.LowerFormula);

        var explicitRatio = Expect.Single<IndicatorAdded>(Renstra.Decide(Paser(), disiplin with { LowerFormula = LowerFormula.RatioInverse }, Known));
        Assert.Equal("ratio-inverse", explicitRatio.LowerFormula);
    }
}
