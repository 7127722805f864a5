using Ledger.Domain.Capaian;

namespace Ledger.Domain.Tests.Capaian;

// README "Missing is not zero"; 001 §7 T4 (PMPRB 2023 T 24,05, no realisasi); 004 §7 S5 (b), S6.
public class MissingAndZeroTests
{
    private static CapaianResult Higher(decimal t, decimal? r) =>
        CapaianCalculator.Compute(t, r, Polarity.Higher, LowerFormula.Inverse2T, CapaianPolicy.Default);

    [Fact]
    public void Given_Pmprb2023_Target24_05_And_No_Realization_When_Computed_Then_Capaian_Is_Null_Not_0_Or_100()
    {
        var result = Higher(24.05m, null);

        Assert.Null(result.Value);
        Assert.Null(result.Display);
        Assert.Null(result.RawValue);
        Assert.Equal("no realization", result.NotComputedReason);
        Assert.Equal("R/T×100", result.Method);
    }

    [Fact]
    public void Given_Rb2023_Target65_And_A_Reported_Realization_Of_0_When_Computed_Then_Capaian_Is_0_Not_Null()
    {
        var result = Higher(65.00m, 0.00m);

        Assert.Equal(0m, result.Value);
        Assert.Equal(0m, result.Display);
        Assert.Null(result.NotComputedReason);
    }

    [Fact]
    public void Given_Merit2022_Target0_Realization0_When_Higher_Then_No_Capaian_Because_Target_Is_Zero()
    {
        var result = Higher(0.00m, 0.00m);

        Assert.Null(result.Value);
        Assert.Equal("target is zero", result.NotComputedReason);
    }

    [Fact]
    public void Given_Target0_And_A_Positive_Realization_When_Higher_Then_No_Capaian_Because_Target_Is_Zero()
    {
        Assert.Equal("target is zero", Higher(0m, 5m).NotComputedReason);
    }

    [Fact]
    public void Given_A_Negative_Target_When_Computed_Then_No_Capaian_Because_Target_Is_Negative()
    {
        var result = Higher(-5m, 5m);

        Assert.Null(result.Value);
        Assert.Equal("target is negative", result.NotComputedReason);
    }

    [Fact]
    public void Given_A_Negative_Realization_When_Computed_Then_No_Capaian_Because_Realization_Is_Negative()
    {
        var result = CapaianCalculator.Compute(0.10m, -0.01m, Polarity.Lower, LowerFormula.Inverse2T, CapaianPolicy.Default);

        Assert.Null(result.Value);
        Assert.Equal("realization is negative", result.NotComputedReason);
    }

    [Fact]
    public void Given_A_Result_That_Overflows_Decimal_When_RatioInverse_Then_No_Capaian_Instead_Of_An_Exception()
    {
        var result = CapaianCalculator.Compute(
            decimal.MaxValue, 0.0000001m, Polarity.Lower, LowerFormula.RatioInverse, CapaianPolicy.Default);

        Assert.Null(result.Value);
        Assert.Equal("result is out of decimal range", result.NotComputedReason);
    }
}
