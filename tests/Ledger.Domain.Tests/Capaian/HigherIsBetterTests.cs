using Ledger.Domain.Capaian;
using static Ledger.Domain.Tests.Capaian.Dec;

namespace Ledger.Domain.Tests.Capaian;

// Exact numbers from the Surakarta LKjIP 2023 digest (001 §3.2, §7) and the Paser Renstra digest (004 §3.2, §7).
public class HigherIsBetterTests
{
    private static CapaianResult Higher(decimal t, decimal? r, CapaianPolicy? policy = null) =>
        CapaianCalculator.Compute(t, r, Polarity.Higher, LowerFormula.Inverse2T, policy ?? CapaianPolicy.Default);

    [Fact]
    public void Given_IndeksMerit2023_Target0_80_Realization0_75_When_Computed_Then_Capaian_Is_Exactly_93_75_By_R_over_T()
    {
        var result = Higher(0.80m, 0.75m);

        Assert.Equal(93.75m, result.Value);
        Assert.Equal(93.75m, result.Display);
        Assert.Equal("R/T×100", result.Method);
        Assert.Null(result.NotComputedReason);
        Assert.Equal("capaian-v1", result.PolicyId);
    }

    [Fact]
    public void Given_IndeksMerit2022_Target0_75_Realization0_65_When_Computed_Then_Value_Keeps_Full_Precision_And_Displays_86_67()
    {
        var result = Higher(0.75m, 0.65m);

        Assert.Equal(86.67m, result.Display);
        Assert.NotEqual(86.67m, result.Value); // stored unrounded
        Assert.Equal(86.66666666666666666667m, CapaianCalculator.RoundHalfUp(result.Value!.Value, 20));
    }

    [Fact]
    public void Given_Ipp2023_Target80_Realization75_5_When_Computed_Then_Value_Is_94_375_And_Display_Rounds_Half_Up_To_94_38()
    {
        var result = Higher(80m, 75.5m);

        Assert.Equal(94.375m, result.Value);
        Assert.Equal(94.38m, result.Display);
    }

    [Fact]
    public void Given_Ipp2022_Target78_Realization52_07_When_Computed_Then_Display_Is_66_76_Not_The_Truncated_66_75_Printed()
    {
        var result = Higher(78m, 52.07m);

        Assert.Equal(66.7564m, CapaianCalculator.RoundHalfUp(result.Value!.Value, 4));
        Assert.Equal(66.76m, result.Display);
        Assert.NotEqual(66.75m, result.Display);
    }

    [Fact]
    public void Given_Pmprb2022_Target23_05_Realization32_44_When_Computed_Without_Cap_Then_Capaian_Is_140_74_Uncapped()
    {
        var result = Higher(23.05m, 32.44m);

        Assert.Equal(140.7375m, CapaianCalculator.RoundHalfUp(result.Value!.Value, 4));
        Assert.Equal(140.74m, result.Display);
        Assert.False(result.Capped);
        Assert.Equal(result.Value, result.RawValue);
    }

    [Fact]
    public void Given_I3_2022_Target80_Realization92_When_Computed_Without_Cap_Then_Capaian_Is_115()
    {
        var result = Higher(80m, 92m);

        Assert.Equal(115m, result.Value);
        Assert.False(result.Capped);
    }

    [Fact]
    public void Given_A_Cap_Of_100_In_The_Policy_When_I3_And_Pmprb_Exceed_It_Then_Value_Is_100_And_Raw_Value_Is_Kept()
    {
        var capped = new CapaianPolicy("capaian-cap100", 2, 100m);

        var i3 = Higher(80m, 92m, capped);
        var pmprb = Higher(23.05m, 32.44m, capped);

        Assert.Equal(100m, i3.Value);
        Assert.Equal(115m, i3.RawValue);
        Assert.True(i3.Capped);
        Assert.Equal("capaian-cap100", i3.PolicyId);
        Assert.Equal(100m, pmprb.Value);
        Assert.Equal(140.74m, CapaianCalculator.RoundHalfUp(pmprb.RawValue!.Value, 2));
    }

    [Fact]
    public void Given_A_Cap_Of_100_When_Capaian_Is_Below_It_Then_The_Value_Is_Unchanged()
    {
        var result = Higher(0.80m, 0.75m, new CapaianPolicy("capaian-cap100", 2, 100m));

        Assert.Equal(93.75m, result.Value);
        Assert.False(result.Capped);
    }

    [Fact]
    public void Given_A_Policy_With_One_Display_Decimal_When_IndeksMerit2022_Is_Computed_Then_Display_Is_86_7_As_Printed()
    {
        var result = Higher(0.75m, 0.65m, new CapaianPolicy("one-decimal", 1));

        Assert.Equal(1, result.DisplayDecimals);
        Assert.Equal(86.7m, result.Display);
    }

    [Fact]
    public void Given_The_Default_Policy_When_Read_Then_It_Is_CapaianV1_With_Two_Decimals_And_No_Cap()
    {
        Assert.Equal(new CapaianPolicy("capaian-v1", 2, null), CapaianPolicy.Default);
    }

    [Theory]
    // 001 §3.2 / §7: I2 2022, SKM 2023 vs Renstra and vs PK-P, I8 vs PK-P and PK murni, I2 vs PK-P (T6), I7.
    [InlineData("70", "72", "102.86")]
    [InlineData("90", "92.93", "103.26")]
    [InlineData("68.58", "92.93", "135.51")]
    [InlineData("93", "90", "96.77")]
    [InlineData("90", "90", "100")]
    [InlineData("93", "75", "80.65")]
    [InlineData("93", "87", "93.55")]
    [InlineData("93", "85", "91.40")]
    [InlineData("1.85", "1.66", "89.73")]
    // 004 §7 S3, S4, S9, S10: IP ASN 2022-2024, SAKIP, Merit, Diklat correction, PK vs PK-P, budget ratio.
    [InlineData("60.00", "70.60", "117.67")]
    [InlineData("62.00", "79.00", "127.42")]
    [InlineData("65.00", "40.80", "62.77")]
    [InlineData("65.00", "71.51", "110.02")]
    [InlineData("150.00", "246.50", "164.33")]
    [InlineData("80.00", "190.69", "238.36")]
    [InlineData("80.00", "95.35", "119.19")]
    [InlineData("63.00", "65.18", "103.46")]
    [InlineData("63.00", "65.16", "103.43")]
    [InlineData("52", "55", "105.77")]
    [InlineData("82", "55", "67.07")]
    [InlineData("6278601594", "10071435231", "160.41")]
    [InlineData("60701897.50", "2084521200.00", "3434.03")]
    public void Given_A_Documented_Target_And_Realization_When_Computed_Then_Display_Matches_The_Recomputation(
        string target, string realization, string expected)
    {
        Assert.Equal(D(expected), Higher(D(target), D(realization)).Display);
    }

    [Fact]
    public void Given_A_Higher_Indicator_When_A_Lower_Formula_Is_Passed_Then_It_Is_Ignored_And_R_over_T_Is_Used()
    {
        var result = CapaianCalculator.Compute(0.80m, 0.75m, Polarity.Higher, LowerFormula.RatioInverse, CapaianPolicy.Default);

        Assert.Equal(93.75m, result.Value);
        Assert.Equal("R/T×100", result.Method);
    }

    [Fact]
    public void Given_A_Policy_With_29_Display_Decimals_When_Computing_Then_It_Is_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Higher(1m, 1m, new CapaianPolicy("bad", 29)));
    }

    [Fact]
    public void Given_A_Policy_With_A_Negative_Cap_When_Computing_Then_It_Is_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Higher(1m, 1m, new CapaianPolicy("bad", 2, -1m)));
    }
}
