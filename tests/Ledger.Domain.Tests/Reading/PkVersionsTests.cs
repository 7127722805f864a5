using Ledger.Domain.Reading;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Reading;

public class PkVersionsTests
{
    private static readonly Ledger.Domain.PerformanceYears.PerformanceYearState Year2023 =
        Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni, Surakarta.PkPerubahan);

    [Fact]
    public void Given_Surakarta_PK_murni_and_perubahan_When_listing_versions_Then_two_versions_murni_kept_unchanged()
    {
        var versions = PkVersions.Of(Year2023);

        Assert.Equal(2, versions.Count);
        Assert.Equal((0, "murni", null, null), (versions[0].Number, versions[0].Kind, versions[0].Reason, versions[0].Ground));
        Assert.Equal([0.10m, 1.48m, 90m, 90m, 68.58m], versions[0].Targets.Select(t => t.Target));
        Assert.Equal((1, "perubahan", "Perubahan anggaran; perubahan volume target", "budget-change"),
            (versions[1].Number, versions[1].Kind, versions[1].Reason, versions[1].Ground));
        Assert.Equal(new DateOnly(2023, 10, 2), versions[1].SignedOn);
        Assert.Equal(Surakarta.Kepala, versions[1].Signer);
    }

    [Fact]
    public void Given_Surakarta_PK_murni_and_perubahan_When_diffing_0_to_1_Then_exactly_three_changed_targets()
    {
        var diff = PkVersions.Diff(Year2023, 0, 1)!;

        Assert.Equal(5, diff.Rows.Count);
        Assert.Equal(
            [new PkDiffRow("I7", 1.48m, 1.85m, 0.37m, true), new PkDiffRow("I2", 90m, 93m, 3m, true), new PkDiffRow("I8", 90m, 93m, 3m, true)],
            diff.Changed);
        Assert.Equal(new PkDiffRow("I6", 0.10m, 0.10m, 0m, false), diff.Rows[0]);
        Assert.Equal(new PkDiffRow("I9", 68.58m, 68.58m, 0m, false), diff.Rows[4]);
    }

    [Fact]
    public void Given_two_versions_When_diffing_with_a_missing_version_Then_null() =>
        Assert.Null(PkVersions.Diff(Year2023, 0, 2));
}
