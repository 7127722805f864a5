using Ledger.Domain.Capaian;

namespace Ledger.Domain.Tests.Capaian;

// README "Aggregation over the year" and "Missing is not zero"; mixed-input rules in CapaianCalculator.Periods.cs.
public class AggregationTests
{
    private static Dictionary<Period, decimal> V(params (Period P, decimal V)[] values) =>
        values.ToDictionary(x => x.P, x => x.V);

    [Fact]
    public void Given_All_Four_Quarters_When_Sum_Then_The_Year_Is_Their_Total()
    {
        Assert.Equal(100m, CapaianCalculator.AnnualValue(Aggregation.Sum,
            V((Period.Q1, 10m), (Period.Q2, 20m), (Period.Q3, 30m), (Period.Q4, 40m))));
    }

    [Fact]
    public void Given_Q3_Missing_When_Sum_Then_Only_The_Present_Quarters_Are_Added()
    {
        Assert.Equal(70m, CapaianCalculator.AnnualValue(Aggregation.Sum,
            V((Period.Q1, 10m), (Period.Q2, 20m), (Period.Q4, 40m))));
    }

    [Fact]
    public void Given_Semesters_Only_When_Sum_Then_The_Year_Is_S1_Plus_S2()
    {
        Assert.Equal(12m, CapaianCalculator.AnnualValue(Aggregation.Sum, V((Period.S1, 5m), (Period.S2, 7m))));
    }

    [Fact]
    public void Given_Only_Y_When_Sum_Then_The_Year_Is_Y()
    {
        Assert.Equal(9150m, CapaianCalculator.AnnualValue(Aggregation.Sum, V((Period.Y, 9150m))));
    }

    [Theory]
    [InlineData(Aggregation.Sum)]
    [InlineData(Aggregation.Last)]
    [InlineData(Aggregation.Average)]
    [InlineData(Aggregation.Annual)]
    public void Given_Y_And_Disagreeing_Quarters_When_Aggregated_Then_Y_Wins(Aggregation aggregation)
    {
        var values = V((Period.Q1, 5m), (Period.Q2, 5m), (Period.Q3, 5m), (Period.Q4, 5m), (Period.Y, 5m));

        Assert.Equal(5m, CapaianCalculator.AnnualValue(aggregation, values));
    }

    [Fact]
    public void Given_Quarters_And_Semesters_Both_Present_When_Sum_Then_Quarters_Win_And_The_Mix_Is_Detectable()
    {
        var values = V((Period.Q1, 3m), (Period.Q2, 4m), (Period.S1, 100m));

        Assert.Equal(7m, CapaianCalculator.AnnualValue(Aggregation.Sum, values));
        Assert.True(CapaianCalculator.HasMixedGranularity(values));
        Assert.False(CapaianCalculator.HasMixedGranularity(V((Period.Q1, 3m), (Period.Y, 4m))));
    }

    [Theory]
    [InlineData(Aggregation.Sum)]
    [InlineData(Aggregation.Last)]
    [InlineData(Aggregation.Average)]
    [InlineData(Aggregation.Annual)]
    public void Given_No_Values_When_Aggregated_Then_The_Year_Has_No_Value(Aggregation aggregation)
    {
        Assert.Null(CapaianCalculator.AnnualValue(aggregation, V()));
    }

    [Fact]
    public void Given_Q1_To_Q3_When_Last_Then_The_Year_Is_Q3()
    {
        Assert.Equal(80m, CapaianCalculator.AnnualValue(Aggregation.Last,
            V((Period.Q1, 70m), (Period.Q2, 75m), (Period.Q3, 80m))));
    }

    [Fact]
    public void Given_Q1_And_S2_When_Last_Then_The_Later_Ending_S2_Wins()
    {
        Assert.Equal(88m, CapaianCalculator.AnnualValue(Aggregation.Last, V((Period.Q1, 70m), (Period.S2, 88m))));
    }

    [Fact]
    public void Given_Q4_And_S2_Ending_Together_When_Last_Then_The_Quarter_Wins()
    {
        Assert.Equal(90m, CapaianCalculator.AnnualValue(Aggregation.Last, V((Period.S2, 88m), (Period.Q4, 90m))));
    }

    [Fact]
    public void Given_Q4_And_Y_When_Last_Then_Y_Counts_As_Latest()
    {
        Assert.Equal(92m, CapaianCalculator.AnnualValue(Aggregation.Last, V((Period.Q4, 90m), (Period.Y, 92m))));
    }

    [Fact]
    public void Given_Three_Surveys_With_Q3_Missing_When_Average_Then_Divide_By_3_Not_By_4()
    {
        Assert.Equal(80m, CapaianCalculator.AnnualValue(Aggregation.Average,
            V((Period.Q1, 80m), (Period.Q2, 90m), (Period.Q4, 70m))));
    }

    [Fact]
    public void Given_SKM_Semesters_80_92_And_81_62_When_Average_Then_The_Year_Is_81_27()
    {
        Assert.Equal(81.27m, CapaianCalculator.AnnualValue(Aggregation.Average,
            V((Period.S1, 80.92m), (Period.S2, 81.62m))));
    }

    [Fact]
    public void Given_A_Non_Terminating_Mean_When_Average_Then_Full_Decimal_Precision_Is_Kept()
    {
        var value = CapaianCalculator.AnnualValue(Aggregation.Average, V((Period.Q1, 1m), (Period.Q2, 1m), (Period.Q3, 2m)));

        Assert.Equal(1.3333333333333333333m, CapaianCalculator.RoundHalfUp(value!.Value, 19));
    }

    [Fact]
    public void Given_A_Reported_Zero_When_Average_Then_It_Counts_As_A_Value()
    {
        Assert.Equal(40m, CapaianCalculator.AnnualValue(Aggregation.Average, V((Period.Q1, 0m), (Period.Q2, 80m))));
        Assert.Equal(0m, CapaianCalculator.AnnualValue(Aggregation.Sum, V((Period.Q1, 0m))));
    }

    [Fact]
    public void Given_Only_Quarters_When_Annual_Then_There_Is_No_Year_Value()
    {
        Assert.Null(CapaianCalculator.AnnualValue(Aggregation.Annual, V((Period.Q1, 1m), (Period.S1, 2m))));
    }

    [Fact]
    public void Given_Y_When_Annual_Then_The_Year_Is_Y()
    {
        Assert.Equal(71.51m, CapaianCalculator.AnnualValue(Aggregation.Annual, V((Period.Y, 71.51m))));
    }
}
