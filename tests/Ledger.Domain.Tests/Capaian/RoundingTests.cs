using Ledger.Domain.Capaian;
using static Ledger.Domain.Tests.Capaian.Dec;

namespace Ledger.Domain.Tests.Capaian;

// README "Exact arithmetic": half-up, 2 decimals for display; 001 §4.2; 004 §4.1.
public class RoundingTests
{
    [Theory]
    [InlineData("0.125", 2, "0.13")]
    [InlineData("94.375", 2, "94.38")]
    [InlineData("86.665", 2, "86.67")]
    [InlineData("0.5", 0, "1")]
    [InlineData("2.5", 0, "3")]
    [InlineData("110.0154", 2, "110.02")]
    [InlineData("93.75", 2, "93.75")]
    [InlineData("86.6666", 1, "86.7")]
    [InlineData("-0.125", 2, "-0.13")]
    public void Given_A_Value_When_Rounded_Half_Up_Then_Midpoints_Go_Up(string value, int decimals, string expected)
    {
        Assert.Equal(D(expected), CapaianCalculator.RoundHalfUp(D(value), decimals));
    }

    [Fact]
    public void Given_0_125_When_Rounded_To_2_Decimals_Then_Half_Up_Gives_0_13_Where_Bankers_Rounding_Gives_0_12()
    {
        Assert.Equal(0.12m, Math.Round(0.125m, 2)); // the default we must not use
        Assert.Equal(0.13m, CapaianCalculator.RoundHalfUp(0.125m, 2));
    }

    [Fact]
    public void Given_A_Capaian_Of_Exactly_0_125_When_Displayed_Then_Display_Is_0_13()
    {
        // R/T×100 = 0,125 exactly: 0,00125 of 1.
        var result = CapaianCalculator.Compute(1m, 0.00125m, Polarity.Higher, LowerFormula.Inverse2T, CapaianPolicy.Default);

        Assert.Equal(0.125m, result.Value);
        Assert.Equal(0.13m, result.Display);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(29)]
    public void Given_Decimals_Outside_0_To_28_When_Rounding_Then_It_Throws(int decimals)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CapaianCalculator.RoundHalfUp(1m, decimals));
    }
}
