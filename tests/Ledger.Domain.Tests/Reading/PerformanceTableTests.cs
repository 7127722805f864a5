using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.Reading;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Reading;

public class PerformanceTableTests
{
    private static readonly CapaianPolicy Policy = CapaianPolicy.Default;

    /// <summary>Seed 001: 2022 and 2023 values of Tabel 3.2/3.3, the PKs, both APBDs and the program-level spending (T9).</summary>
    private static PerformanceTable Table()
    {
        var context = Surakarta.Context();
        var previous = Surakarta.Apply(Surakarta.EmptyYear(2022), context,
            new RecordRealization("I1", Period.Y, 0.65m), new RecordRealization("I2", Period.Y, 72m));
        var current = Surakarta.Apply(Surakarta.EmptyYear(), context,
            Surakarta.PkMurni, Surakarta.PkPerubahan, Surakarta.BudgetMurni, Surakarta.BudgetPerubahan,
            new RecordRealization("I1", Period.Y, 0.75m), new RecordRealization("I2", Period.Y, 75m),
            new RecordSpending("1", 8_149_751_661m, Period.Y), new RecordSpending("2", 3_649_094_188m, Period.Y),
            new RecordSpending("4", 1_800_068_996m, Period.Y));
        return PerformanceTable.Build(Surakarta.Renstra(), current, previous, Surakarta.Scale, Surakarta.Scale, Policy);
    }

    [Fact]
    public void Given_Surakarta_2023_When_building_the_table_Then_one_row_per_indicator_in_renstra_order()
    {
        var table = Table();
        Assert.Equal(("bkpsdm-surakarta", 2023), (table.AgencyCode, table.Year));
        Assert.Equal(["I1", "I2", "I6", "I7", "I8", "I9"], table.Indicators.Select(r => r.Code));
    }

    [Fact]
    public void Given_Indeks_Merit_When_building_the_table_Then_this_year_last_year_and_end_target_are_measured()
    {
        // Seed 001 T1: 2023 T 0,80 R 0,75; 2022 T 0,75 R 0,65; end target 2026 0,85.
        var merit = Table().Indicators[0];

        Assert.Equal(new YearMeasure(2023, 0.80m, "renstra", 0.75m,
            CapaianCalculator.Compute(0.80m, 0.75m, Polarity.Higher, LowerFormula.Inverse2T, Policy).Value,
            CapaianCalculator.Compute(0.80m, 0.75m, Polarity.Higher, LowerFormula.Inverse2T, Policy).Display,
            CapaianCalculator.Compute(0.80m, 0.75m, Polarity.Higher, LowerFormula.Inverse2T, Policy).Method,
            Surakarta.Scale.Rate(CapaianCalculator.Compute(0.80m, 0.75m, Polarity.Higher, LowerFormula.Inverse2T, Policy).Display!.Value))
            {
                Realizations = new Dictionary<string, decimal> { ["Y"] = 0.75m },
            },
            merit.Current);
        Assert.Equal((2022, 0.75m, 0.65m), (merit.Previous!.Year, merit.Previous.Target, merit.Previous.Realization));
        Assert.Equal(0.85m, merit.EndTarget);
        Assert.Equal(CapaianCalculator.Compute(0.85m, 0.75m, Polarity.Higher, LowerFormula.Inverse2T, Policy).Value, merit.ProgressToEndTarget);
    }

    [Fact]
    public void Given_PK_perubahan_When_building_the_table_Then_I2_is_measured_against_93()
    {
        var i2 = Table().Indicators[1];
        Assert.Equal((93m, "pk-perubahan-1", 75m), (i2.Current.Target, i2.Current.TargetSource, i2.Current.Realization));
        Assert.Equal(70m, i2.Previous!.Target);
        Assert.Equal(72m, i2.Previous.Realization);
    }

    [Fact]
    public void Given_Surakarta_budget_When_building_the_table_Then_pagu_murni_pagu_spent_absorption_and_efficiency()
    {
        // Seed 001 T9 / §2.7: total pagu 14.231.127.419, spent 13.598.914.845, sisa 632.212.574, absorption 95,56 %.
        var table = Table();

        Assert.Equal(22_278_221_230m, table.BudgetTotals.PaguMurni);
        Assert.Equal(14_231_127_419m, table.BudgetTotals.Pagu);
        Assert.Equal(13_598_914_845m, table.BudgetTotals.Spent);
        Assert.Equal(632_212_574m, table.BudgetTotals.Efficiency);
        Assert.Equal(95.56m, Math.Round(table.BudgetTotals.Absorption!.Value, 2, MidpointRounding.AwayFromZero));

        var penunjang = table.Budget.Single(l => l.Code == "1");
        Assert.Equal((15_625_599_024m, 8_460_444_119m, 8_149_751_661m, 310_692_458m),
            (penunjang.PaguMurni, penunjang.Pagu, penunjang.Spent, penunjang.Efficiency));
        Assert.Equal(3.67m, Math.Round(100m - penunjang.Absorption!.Value, 2, MidpointRounding.AwayFromZero));

        var kepegawaian = table.Budget.Single(l => l.Code == "2");
        Assert.Equal(206_407_432m, kepegawaian.Efficiency);
        Assert.Equal(5.35m, Math.Round(100m - kepegawaian.Absorption!.Value, 2, MidpointRounding.AwayFromZero));

        var psdm = table.Budget.Single(l => l.Code == "4");
        Assert.Equal(93.99m, Math.Round(psdm.Absorption!.Value, 2, MidpointRounding.AwayFromZero));
        Assert.False(psdm.ExceedsPagu);
        Assert.Equal(0m, table.Budget.Single(l => l.Code == "4.1").Spent);
    }

    [Fact]
    public void Given_a_PK_target_without_realization_When_building_the_table_Then_the_row_says_why_capaian_is_null()
    {
        // Seed 001 T7: I6 has a PK target 0,10 and no realization; missing is not zero, and the row must say so.
        var i6 = Table().Indicators.Single(r => r.Code == "I6");

        Assert.Null(i6.Current.Capaian);
        Assert.Equal(CapaianCalculator.ReasonNoRealization, i6.Current.CapaianNotComputedReason);
        Assert.Equal(IndicatorYearView.ReasonNoTarget, i6.Previous!.CapaianNotComputedReason);
        Assert.Null(Table().Indicators.Single(r => r.Code == "I1").Current.CapaianNotComputedReason);
    }

    [Fact]
    public void Given_no_previous_year_When_building_the_table_Then_previous_is_null()
    {
        var table = PerformanceTable.Build(Surakarta.Renstra(), Surakarta.EmptyYear(), null, null, null, Policy);
        Assert.All(table.Indicators, r => Assert.Null(r.Previous));
        Assert.Empty(table.Budget);
        Assert.Null(table.BudgetTotals.Absorption);
    }
}
