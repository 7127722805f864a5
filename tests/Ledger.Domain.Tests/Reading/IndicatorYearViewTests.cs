using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Reading;

/// <summary>
/// These tests check which target, which values and which scale the view feeds to the calculator; the capaian numbers
/// themselves are the Capaian module's (tested there), so expectations call the calculator with the inputs we expect.
/// </summary>
public class IndicatorYearViewTests
{
    private static readonly CapaianPolicy Policy = CapaianPolicy.Default;
    private static IndicatorDefinition I8 => Surakarta.Renstra().Indicator("I8")!;

    private static readonly RecordRealization I8Realized = new("I8", Period.Y, 90m, 5_273m, 5_859m, null, null, 100m);

    [Fact]
    public void Given_no_PK_When_viewing_I8_Then_the_renstra_target_is_in_force()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), I8Realized);

        var view = IndicatorYearView.Build(I8, 2023, year, Surakarta.Scale, Policy);

        Assert.Equal(new TargetsView(80m, false, null, null, "renstra"), view.Targets);
        Assert.Equal(CapaianCalculator.Compute(80m, 90m, Polarity.Higher, LowerFormula.Inverse2T, Policy).Value, view.Capaian);
    }

    [Fact]
    public void Given_PK_murni_only_When_viewing_I8_Then_source_is_pk_murni()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni, I8Realized);

        var view = IndicatorYearView.Build(I8, 2023, year, Surakarta.Scale, Policy);

        Assert.Equal(new TargetsView(80m, false, 90m, 90m, "pk-murni"), view.Targets);
    }

    [Fact]
    public void Given_PK_perubahan_When_viewing_I8_Then_capaian_uses_93_and_keeps_murni_90_and_renstra_80_visible()
    {
        // Seed 001 T5: for I8 with realisasi 90 the year-end measure uses v2 (93), not v1 (90).
        var year = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni, Surakarta.PkPerubahan, I8Realized);

        var view = IndicatorYearView.Build(I8, 2023, year, Surakarta.Scale, Policy);

        Assert.Equal(new TargetsView(80m, false, 90m, 93m, "pk-perubahan-1"), view.Targets);
        var expected = CapaianCalculator.Compute(93m, 90m, Polarity.Higher, LowerFormula.Inverse2T, Policy);
        Assert.Equal(expected.Value, view.Capaian);
        Assert.Equal(expected.Method, view.CapaianMethod);
        Assert.Equal(Surakarta.Scale.Rate(expected.Display!.Value), view.Predikat);
        Assert.Equal(100m, view.ClaimedCapaian);
        Assert.Equal("higher", view.Polarity);
        Assert.Equal("%", view.Unit);
    }

    [Fact]
    public void Given_a_corrected_realization_When_viewing_Then_the_corrected_value_is_shown_and_used()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni, I8Realized,
            new CorrectRealization("I8", Period.Y, 89.998m, "5.273 / 5.859 unrounded"));

        var view = IndicatorYearView.Build(I8, 2023, year, null, Policy);

        Assert.Equal(89.998m, Assert.Single(view.Realizations, r => r.Key == "Y").Value);
        Assert.Equal(CapaianCalculator.AnnualValue(Aggregation.Last, new Dictionary<Period, decimal> { [Period.Y] = 89.998m }), view.AnnualValue);
        Assert.Null(view.Predikat);
    }

    [Fact]
    public void Given_quarterly_values_When_viewing_Then_realizations_are_keyed_by_period_in_order()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I9", Period.Q2, 91m), new RecordRealization("I9", Period.Q1, 89.43m));

        var view = IndicatorYearView.Build(Surakarta.Renstra().Indicator("I9")!, 2023, year, null, Policy);

        Assert.Equal(["Q1", "Q2"], view.Realizations.Keys);
        Assert.Equal(89.43m, view.Realizations["Q1"]);
    }

    [Fact]
    public void Given_I6_with_no_realization_When_viewing_Then_capaian_is_null_not_zero()
    {
        // Seed 001 T7: I6 disiplin, PK 0,10, lower-is-better, no realisasi in 2023.
        var year = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni);

        var view = IndicatorYearView.Build(Surakarta.Renstra().Indicator("I6")!, 2023, year, Surakarta.Scale, Policy);

        Assert.Empty(view.Realizations);
        Assert.Null(view.AnnualValue);
        Assert.Null(view.Capaian);
        Assert.Null(view.Predikat);
        Assert.Equal("lower", view.Polarity);
    }

    [Fact]
    public void Given_no_target_anywhere_When_viewing_Then_source_none_and_no_capaian()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(2024), new PerformanceYearContext(true, Surakarta.Renstra()),
            new RecordRealization("I7", Period.Y, 1.66m));

        var view = IndicatorYearView.Build(Surakarta.Renstra().Indicator("I7")!, 2024, year, Surakarta.Scale, Policy);

        Assert.Equal("none", view.Targets.Source);
        Assert.Null(view.Capaian);
        Assert.Equal("no target", view.CapaianNotComputedReason);
    }

    [Fact]
    public void Given_a_revised_renstra_target_When_viewing_Then_the_revised_target_is_shown_and_flagged()
    {
        var renstra = Surakarta.RenstraWith(Surakarta.Indicators.Cast<RenstraCommand>()
            .Append(new ReviseRenstra("perubahan RPJMD", null, [new("I8", 2023, 85m)])));

        var view = IndicatorYearView.Build(renstra.Indicator("I8")!, 2023, Surakarta.EmptyYear(), null, Policy);

        Assert.Equal(new TargetsView(85m, true, null, null, "renstra"), view.Targets);
    }
}
