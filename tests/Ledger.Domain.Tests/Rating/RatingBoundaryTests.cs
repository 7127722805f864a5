using Ledger.Domain.Capaian;
using Ledger.Domain.Rating;
using static Ledger.Domain.Tests.Capaian.Dec;

namespace Ledger.Domain.Tests.Rating;

// Boundaries from 001 §7 ("Scale boundaries"), the README scales, and the documents' capaian values.
public class RatingBoundaryTests
{
    [Theory]
    [InlineData("85.01", "Sangat Berhasil")]
    [InlineData("85", "Berhasil")]
    [InlineData("70.01", "Berhasil")]
    [InlineData("70", "Cukup Berhasil")]
    [InlineData("55.01", "Cukup Berhasil")]
    [InlineData("55", "Kurang Berhasil")]
    [InlineData("0", "Kurang Berhasil")]
    [InlineData("140.74", "Sangat Berhasil")]
    public void Given_The_Explicit_Surakarta_Scale_When_A_Capaian_Is_Rated_Then_The_Band_Follows_The_Printed_Inequalities(
        string capaian, string label)
    {
        Assert.Equal(label, RatingScale.SurakartaLkjipExplicit.Rate(D(capaian)));
    }

    [Theory]
    [InlineData("85.01", "Sangat Berhasil")]
    [InlineData("85", "Berhasil")]
    [InlineData("70", "Cukup Berhasil")]
    [InlineData("54.99", "Kurang Berhasil")]
    [InlineData("55", null)]
    public void Given_The_Surakarta_Scale_As_Printed_When_A_Capaian_Is_Rated_Then_55_Is_Unclassified(
        string capaian, string? label)
    {
        Assert.Equal(label, RatingScale.SurakartaLkjipAsPrinted.Rate(D(capaian)));
    }

    [Theory]
    // 001 §7 T1, T2, T3, T6: Indeks Merit 93,75 and 86,67; IPP 66,76; I2 102,86; I3 115; I2 vs PK-P 80,65.
    [InlineData("0.80", "0.75", "Sangat Berhasil")]
    [InlineData("0.75", "0.65", "Sangat Berhasil")]
    [InlineData("78", "52.07", "Cukup Berhasil")]
    [InlineData("70", "72", "Sangat Berhasil")]
    [InlineData("80", "92", "Sangat Berhasil")]
    [InlineData("93", "75", "Berhasil")]
    public void Given_A_Surakarta_Indicator_When_Its_Capaian_Is_Rated_Then_The_Predikat_Matches_The_Digest(
        string target, string realization, string label)
    {
        var capaian = CapaianCalculator.Compute(D(target), D(realization), Polarity.Higher, LowerFormula.Inverse2T, CapaianPolicy.Default);

        Assert.Equal(label, RatingScale.SurakartaLkjipExplicit.Rate(capaian.Display!.Value));
    }

    [Theory]
    [InlineData("238.36", "Sangat Tinggi")]
    [InlineData("91", "Sangat Tinggi")]
    [InlineData("90.5", "Sangat Tinggi")]
    [InlineData("90.01", "Sangat Tinggi")]
    [InlineData("90", "Tinggi")]
    [InlineData("76", "Tinggi")]
    [InlineData("75.5", "Tinggi")]
    [InlineData("75", "Sedang")]
    [InlineData("66", "Sedang")]
    [InlineData("65", "Rendah")]
    [InlineData("51", "Rendah")]
    [InlineData("50.5", "Rendah")]
    [InlineData("50", "Sangat Rendah")]
    [InlineData("0", "Sangat Rendah")]
    public void Given_The_Permendagri_86_2017_Scale_When_A_Capaian_Is_Rated_Then_Bands_Start_Above_90_75_65_50(
        string capaian, string label)
    {
        Assert.Equal(label, RatingScale.Permendagri86_2017.Rate(D(capaian)));
    }

    [Theory]
    [InlineData("100", "AA")]
    [InlineData("90.01", "AA")]
    [InlineData("90", "A")]
    [InlineData("80.01", "A")]
    [InlineData("80", "BB")]
    [InlineData("71.51", "BB")] // 004 §7 S10: Nilai SAKIP FY2024
    [InlineData("70.01", "BB")]
    [InlineData("70", "B")]
    [InlineData("60", "CC")]
    [InlineData("50.01", "CC")]
    [InlineData("50", "C")]
    [InlineData("30.01", "C")]
    [InlineData("30", "D")]
    [InlineData("0", "D")]
    public void Given_The_Akip_88_2021_Scale_When_A_Nilai_Sakip_Is_Rated_Then_Each_Threshold_Belongs_To_The_Band_Below(
        string nilai, string label)
    {
        Assert.Equal(label, RatingScale.Akip88_2021.Rate(D(nilai)));
    }

    [Fact]
    public void Given_The_Akip_Scale_When_A_Negative_Nilai_Is_Rated_Then_No_Predikat()
    {
        Assert.Null(RatingScale.Akip88_2021.Rate(-0.01m));
    }
}
