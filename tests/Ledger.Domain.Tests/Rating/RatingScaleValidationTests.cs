using Ledger.Domain.Rating;

namespace Ledger.Domain.Tests.Rating;

// README "Rating scales are data": a scale covers its range with no gap and no overlap; 001 §4.3 (55 in no band).
public class RatingScaleValidationTests
{
    private static RatingScale Scale(params RatingBand[] bands) => new("test", 2024, bands);

    [Fact]
    public void Given_The_Surakarta_Scale_As_Printed_When_Validated_Then_It_Reports_Exactly_The_Gap_At_55()
    {
        Assert.Equal(["gap: 55 is in no band"], RatingScale.SurakartaLkjipAsPrinted.Validate());
    }

    [Fact]
    public void Given_The_Surakarta_Scale_With_The_Gap_Closed_When_Validated_Then_It_Is_Valid()
    {
        Assert.Empty(RatingScale.SurakartaLkjipExplicit.Validate());
    }

    [Fact]
    public void Given_The_Permendagri_86_2017_Scale_When_Validated_Then_It_Is_Valid()
    {
        Assert.Empty(RatingScale.Permendagri86_2017.Validate());
    }

    [Fact]
    public void Given_The_Akip_88_2021_Scale_When_Validated_Then_It_Is_Valid()
    {
        Assert.Empty(RatingScale.Akip88_2021.Validate());
    }

    [Fact]
    public void Given_Berhasil_Closed_At_70_And_Cukup_Berhasil_Also_Closed_At_70_When_Validated_Then_It_Reports_The_Overlap_At_70()
    {
        var scale = Scale(
            new("Sangat Berhasil", 85m, false, null, false),
            new("Berhasil", 70m, true, 85m, true),
            new("Cukup Berhasil", 55m, false, 70m, true),
            new("Kurang Berhasil", null, false, 55m, true));

        Assert.Equal(["overlap: 70 is in 'Berhasil' and 'Cukup Berhasil'"], scale.Validate());
    }

    [Fact]
    public void Given_Two_Bands_Sharing_50_To_60_When_Validated_Then_Both_Bounds_And_The_Interval_Between_Are_Reported()
    {
        var scale = Scale(new("A", 0m, true, 60m, true), new("B", 50m, true, null, false));

        Assert.Equal(
            [
                "overlap: 50 is in 'A' and 'B'",
                "overlap: values in (50, 60) are in 'A' and 'B'",
                "overlap: 60 is in 'A' and 'B'",
            ],
            scale.Validate());
    }

    [Fact]
    public void Given_Three_Bands_Containing_The_Same_Value_When_Validated_Then_All_Three_Are_Named()
    {
        var scale = Scale(new("A", 0m, true, 50m, true), new("B", 50m, true, null, false), new("C", 50m, true, 50m, true));

        Assert.Equal(["overlap: 50 is in 'A', 'B' and 'C'"], scale.Validate());
    }

    [Fact]
    public void Given_Nothing_Between_50_And_60_When_Validated_Then_It_Reports_The_Open_Interval_And_The_Bound()
    {
        var scale = Scale(new("A", 0m, true, 50m, true), new("B", 60m, false, null, false));

        Assert.Equal(["gap: values in (50, 60) are in no band", "gap: 60 is in no band"], scale.Validate());
    }

    [Fact]
    public void Given_A_Scale_That_Stops_At_100_When_Validated_Then_It_Reports_Values_Above_100()
    {
        // Capaian is uncapped (115, 140,74 in 001 §3.2), so a scale must rate them.
        Assert.Equal(["gap: values above 100 are in no band"], Scale(new RatingBand("A", 0m, true, 100m, true)).Validate());
    }

    [Fact]
    public void Given_A_Scale_Open_At_0_When_Validated_Then_It_Reports_0()
    {
        Assert.Equal(["gap: 0 is in no band"], Scale(new RatingBand("A", 0m, false, null, false)).Validate());
    }

    [Fact]
    public void Given_No_Bands_When_Validated_Then_It_Says_So()
    {
        Assert.Equal(["no bands"], Scale().Validate());
    }

    [Fact]
    public void Given_A_Duplicate_Label_When_Validated_Then_It_Is_Reported()
    {
        var scale = Scale(new("A", null, false, 50m, true), new("A", 50m, false, null, false));

        Assert.Equal(["duplicate label 'A'"], scale.Validate());
    }

    [Fact]
    public void Given_A_Band_With_Min_Above_Max_When_Validated_Then_It_Is_Reported_As_Empty()
    {
        var scale = Scale(new("A", null, false, 50m, true), new("B", 50m, false, null, false), new("X", 70m, false, 60m, true));

        Assert.Equal(["empty band: 'X' (70, 60] contains no value"], scale.Validate());
    }

    [Fact]
    public void Given_A_Band_Min_Equals_Max_Half_Open_When_Validated_Then_It_Is_Reported_As_Empty()
    {
        var scale = Scale(new("A", null, false, null, false), new("X", 55m, false, 55m, true));

        Assert.Equal(["empty band: 'X' (55, 55] contains no value"], scale.Validate());
    }

    [Fact]
    public void Given_Bounds_Written_With_Trailing_Zeros_When_Validated_Then_Messages_Show_Them_Plainly()
    {
        var scale = Scale(new("A", null, false, 55.00m, false), new("B", 55.00m, false, null, false));

        Assert.Equal(["gap: 55 is in no band"], scale.Validate());
    }

    [Fact]
    public void Given_The_Known_Scales_When_Read_Then_Names_And_Effective_Years_Are_Set()
    {
        Assert.Equal(2017, RatingScale.Permendagri86_2017.EffectiveFromYear);
        Assert.Equal(2023, RatingScale.SurakartaLkjipAsPrinted.EffectiveFromYear);
        Assert.Equal(2023, RatingScale.SurakartaLkjipExplicit.EffectiveFromYear);
        Assert.Equal(2021, RatingScale.Akip88_2021.EffectiveFromYear);
        Assert.Equal(5, RatingScale.Permendagri86_2017.Bands.Count);
        Assert.Equal(7, RatingScale.Akip88_2021.Bands.Count);
    }
}
