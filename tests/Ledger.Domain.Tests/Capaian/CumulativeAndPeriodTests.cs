using Ledger.Domain.Capaian;

namespace Ledger.Domain.Tests.Capaian;

// README: quarterly capaian compares the cumulative value with the year's target.
public class CumulativeAndPeriodTests
{
    private static Dictionary<Period, decimal> V(params (Period P, decimal V)[] values) =>
        values.ToDictionary(x => x.P, x => x.V);

    private static readonly Dictionary<Period, decimal> Trainings =
        V((Period.Q1, 10m), (Period.Q2, 20m), (Period.Q3, 30m));

    [Theory]
    [InlineData(Period.Q1, 10)]
    [InlineData(Period.Q2, 30)]
    [InlineData(Period.S1, 30)]
    [InlineData(Period.Q3, 60)]
    [InlineData(Period.Q4, 60)]
    [InlineData(Period.Y, 60)]
    public void Given_Q1_To_Q3_Trainings_When_Cumulated_Up_To_A_Period_Then_Only_Periods_Ended_By_Then_Count(
        Period upTo, int expected)
    {
        Assert.Equal(expected, CapaianCalculator.CumulativeValue(Aggregation.Sum, Trainings, upTo));
    }

    [Fact]
    public void Given_A_Year_Target_Of_100_Trainings_When_Q2_Capaian_Is_Computed_From_The_Cumulative_Value_Then_It_Is_30()
    {
        var cumulative = CapaianCalculator.CumulativeValue(Aggregation.Sum, Trainings, Period.Q2);
        var result = CapaianCalculator.Compute(100m, cumulative, Polarity.Higher, LowerFormula.Inverse2T, CapaianPolicy.Default);

        Assert.Equal(30m, result.Value);
    }

    [Fact]
    public void Given_Semester_Reporting_When_Cumulated_Up_To_Q3_Then_Only_S1_Counts()
    {
        Assert.Equal(5m, CapaianCalculator.CumulativeValue(Aggregation.Sum, V((Period.S1, 5m), (Period.S2, 7m)), Period.Q3));
    }

    [Fact]
    public void Given_Semester_Reporting_When_Cumulated_Up_To_Q1_Then_There_Is_No_Value_Yet()
    {
        Assert.Null(CapaianCalculator.CumulativeValue(Aggregation.Sum, V((Period.S1, 5m)), Period.Q1));
    }

    [Fact]
    public void Given_Quarters_And_A_Disagreeing_Y_When_Cumulated_Up_To_Q4_Then_Y_Is_Ignored_But_Up_To_Y_It_Wins()
    {
        var values = V((Period.Q1, 1m), (Period.Q2, 1m), (Period.Q3, 1m), (Period.Q4, 1m), (Period.Y, 10m));

        Assert.Equal(4m, CapaianCalculator.CumulativeValue(Aggregation.Sum, values, Period.Q4));
        Assert.Equal(10m, CapaianCalculator.CumulativeValue(Aggregation.Sum, values, Period.Y));
    }

    [Fact]
    public void Given_An_Annual_Indicator_When_Cumulated_Before_Y_Then_Null_And_At_Y_The_Y_Value()
    {
        var values = V((Period.Y, 0.75m));

        Assert.Null(CapaianCalculator.CumulativeValue(Aggregation.Annual, values, Period.Q2));
        Assert.Equal(0.75m, CapaianCalculator.CumulativeValue(Aggregation.Annual, values, Period.Y));
    }

    [Fact]
    public void Given_Q1_To_Q3_When_Last_Cumulated_Up_To_Q2_Then_It_Is_Q2()
    {
        Assert.Equal(20m, CapaianCalculator.CumulativeValue(Aggregation.Last, Trainings, Period.Q2));
    }

    [Fact]
    public void Given_Q1_To_Q3_When_Average_Cumulated_Up_To_Q2_Then_It_Is_The_Mean_Of_Q1_And_Q2()
    {
        Assert.Equal(15m, CapaianCalculator.CumulativeValue(Aggregation.Average, Trainings, Period.Q2));
    }

    [Theory]
    [InlineData(Aggregation.Annual, Period.Y, true)]
    [InlineData(Aggregation.Annual, Period.Q1, false)]
    [InlineData(Aggregation.Annual, Period.Q4, false)]
    [InlineData(Aggregation.Annual, Period.S1, false)]
    [InlineData(Aggregation.Annual, Period.S2, false)]
    [InlineData(Aggregation.Sum, Period.Q1, true)]
    [InlineData(Aggregation.Sum, Period.S2, true)]
    [InlineData(Aggregation.Sum, Period.Y, true)]
    [InlineData(Aggregation.Last, Period.Q3, true)]
    [InlineData(Aggregation.Last, Period.Y, true)]
    [InlineData(Aggregation.Average, Period.S1, true)]
    [InlineData(Aggregation.Average, Period.Q4, true)]
    [InlineData(Aggregation.Sum, (Period)99, false)]
    [InlineData((Aggregation)99, Period.Y, false)]
    public void Given_An_Aggregation_And_A_Period_When_Checked_Then_Validity_Follows_The_Aggregation(
        Aggregation aggregation, Period period, bool expected)
    {
        Assert.Equal(expected, CapaianCalculator.IsValidPeriod(aggregation, period));
    }

    [Theory]
    [InlineData(Period.Q1, 3)]
    [InlineData(Period.Q2, 6)]
    [InlineData(Period.S1, 6)]
    [InlineData(Period.Q3, 9)]
    [InlineData(Period.Q4, 12)]
    [InlineData(Period.S2, 12)]
    [InlineData(Period.Y, 12)]
    public void Given_A_Period_When_Its_End_Month_Is_Asked_Then_It_Is_The_Calendar_Month_It_Ends(Period period, int month)
    {
        Assert.Equal(month, CapaianCalculator.EndMonth(period));
    }

    [Fact]
    public void Given_An_Unknown_Aggregation_When_Aggregated_Then_It_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CapaianCalculator.AnnualValue((Aggregation)99, new Dictionary<Period, decimal>()));
    }
}
