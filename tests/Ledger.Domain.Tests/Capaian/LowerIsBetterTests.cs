using Ledger.Domain.Capaian;

namespace Ledger.Domain.Tests.Capaian;

// Lower-is-better: README "Polarity"; 001 §7 T7 (I6 pelanggaran disiplin, hypothetical R 0,08 vs T 0,10);
// 004 §7 S5 (c) (Hukuman Disiplin T 1,00, hypothetical R 0,95) and S5 (a) (Jumlah Temuan, T 0 / R 0 → 100).
public class LowerIsBetterTests
{
    private static CapaianResult Lower(decimal t, decimal? r, LowerFormula formula) =>
        CapaianCalculator.Compute(t, r, Polarity.Lower, formula, CapaianPolicy.Default);

    [Fact]
    public void Given_HukumanDisiplin_T1_00_R0_95_When_RatioInverse_Then_Capaian_Displays_105_26()
    {
        var result = Lower(1.00m, 0.95m, LowerFormula.RatioInverse);

        Assert.Equal(105.26m, result.Display);
        Assert.Equal(105.263157894736842105m, CapaianCalculator.RoundHalfUp(result.Value!.Value, 18));
        Assert.Equal("T/R×100", result.Method);
    }

    [Fact]
    public void Given_HukumanDisiplin_T1_00_R0_95_When_Inverse2T_Then_Capaian_Is_Exactly_105()
    {
        var result = Lower(1.00m, 0.95m, LowerFormula.Inverse2T);

        Assert.Equal(105m, result.Value);
        Assert.Equal("(2T−R)/T×100", result.Method);
    }

    [Fact]
    public void Given_PelanggaranDisiplin_T0_10_R0_08_When_RatioInverse_Then_Capaian_Is_Exactly_125()
    {
        Assert.Equal(125m, Lower(0.10m, 0.08m, LowerFormula.RatioInverse).Value);
    }

    [Fact]
    public void Given_PelanggaranDisiplin_T0_10_R0_08_When_Inverse2T_Then_Capaian_Is_Exactly_120()
    {
        Assert.Equal(120m, Lower(0.10m, 0.08m, LowerFormula.Inverse2T).Value);
    }

    [Fact]
    public void Given_Realization_Equal_To_Target_When_Either_Lower_Formula_Then_Capaian_Is_100()
    {
        Assert.Equal(100m, Lower(0.10m, 0.10m, LowerFormula.Inverse2T).Value);
        Assert.Equal(100m, Lower(0.10m, 0.10m, LowerFormula.RatioInverse).Value);
    }

    [Fact]
    public void Given_Realization_Twice_The_Target_When_Inverse2T_Then_Capaian_Is_0()
    {
        Assert.Equal(0m, Lower(0.10m, 0.20m, LowerFormula.Inverse2T).Value);
    }

    [Fact]
    public void Given_Realization_Above_Twice_The_Target_When_Inverse2T_Then_Capaian_Is_Floored_At_0_Not_Negative()
    {
        var result = Lower(0.10m, 0.25m, LowerFormula.Inverse2T);

        Assert.Equal(0m, result.Value);
        Assert.Equal(0m, result.RawValue); // the floor is part of the formula, not a cap
        Assert.Null(result.NotComputedReason);
    }

    [Fact]
    public void Given_Realization_Above_Twice_The_Target_When_RatioInverse_Then_Capaian_Is_Small_But_Positive()
    {
        Assert.Equal(40m, Lower(0.10m, 0.25m, LowerFormula.RatioInverse).Value);
    }

    [Fact]
    public void Given_Zero_Realization_And_Positive_Target_When_Inverse2T_Then_Capaian_Is_200()
    {
        Assert.Equal(200m, Lower(0.10m, 0m, LowerFormula.Inverse2T).Value);
    }

    [Fact]
    public void Given_Zero_Realization_And_Positive_Target_When_RatioInverse_Then_No_Capaian_Because_Realization_Is_Zero()
    {
        var result = Lower(0.10m, 0m, LowerFormula.RatioInverse);

        Assert.Null(result.Value);
        Assert.Null(result.Display);
        Assert.Equal("realization is zero", result.NotComputedReason);
        Assert.Equal("T/R×100", result.Method);
    }

    [Theory]
    [InlineData(LowerFormula.Inverse2T, "(2T−R)/T×100")]
    [InlineData(LowerFormula.RatioInverse, "T/R×100")]
    public void Given_JumlahTemuan_Target0_Realization0_When_Lower_Then_Capaian_Is_100(LowerFormula formula, string method)
    {
        var result = Lower(0m, 0m, formula);

        Assert.Equal(100m, result.Value);
        Assert.Equal(100m, result.Display);
        Assert.Equal(method, result.Method);
        Assert.Null(result.NotComputedReason);
    }

    [Theory]
    [InlineData(LowerFormula.Inverse2T)]
    [InlineData(LowerFormula.RatioInverse)]
    public void Given_Target0_And_A_Positive_Realization_When_Lower_Then_No_Capaian_Because_Target_Is_Zero(LowerFormula formula)
    {
        var result = Lower(0m, 2m, formula);

        Assert.Null(result.Value);
        Assert.Equal("target is zero", result.NotComputedReason);
    }

    [Fact]
    public void Given_I6_PkTarget0_10_And_No_Realization_When_Computed_Then_No_Capaian_And_The_Method_Is_Still_Recorded()
    {
        var result = Lower(0.10m, null, LowerFormula.Inverse2T);

        Assert.Null(result.Value);
        Assert.Equal("no realization", result.NotComputedReason);
        Assert.Equal("(2T−R)/T×100", result.Method);
    }

    [Fact]
    public void Given_A_Cap_Of_100_When_RatioInverse_Gives_125_Then_Value_Is_100_And_Raw_Is_125()
    {
        var result = CapaianCalculator.Compute(
            0.10m, 0.08m, Polarity.Lower, LowerFormula.RatioInverse, new CapaianPolicy("cap100", 2, 100m));

        Assert.Equal(100m, result.Value);
        Assert.Equal(125m, result.RawValue);
        Assert.True(result.Capped);
    }
}
