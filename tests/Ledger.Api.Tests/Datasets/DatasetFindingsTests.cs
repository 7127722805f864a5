using System.Text.Json;

namespace Ledger.Api.Tests.Datasets;

/// <summary>One import of both datasets, shared by every class that reads them (the import takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class DatasetsCollection : ICollectionFixture<DatasetsFixture>
{
    public const string Name = "datasets";
}

/// <summary>
/// Issue 6 acceptance: with both documents loaded through the importer exactly as printed, the findings name the
/// documents' own errors that the digests recompute (seed 001 §3.2, §5, §6; seed 004 §6.1, §6.2).
/// </summary>
[Collection(DatasetsCollection.Name)]
public sealed class DatasetFindingsTests(DatasetsFixture d)
{
    private async Task<List<(string Rule, string Subject, string Message, int Evidence)>> FindingsAsync(string agency, int year)
    {
        var json = await d.GetAsync($"/api/agencies/{agency}/findings?year={year}");
        return json.EnumerateArray().Select(f => (f.GetProperty("rule").GetString()!, f.GetProperty("subject").GetString()!,
            f.GetProperty("message").GetString()!, f.GetProperty("evidence").GetArrayLength())).ToList();
    }

    [Theory]
    // Printed capaian that are truncations or 1-decimal roundings of the recomputation (digest 001 §3.2, §4.2).
    [InlineData(2022, "I1", "recomputed 86.67")]
    [InlineData(2022, "I2", "recomputed 102.86")]
    [InlineData(2022, "I4", "recomputed 66.76")]
    [InlineData(2022, "I5", "recomputed 140.74")]
    // I2 2023 claims 100 although the PK perubahan target is 93 (A11).
    [InlineData(2023, "I2", "recomputed 80.65")]
    public async Task Surakarta_ClaimedCapaianThatDoesNotRecompute_IsAFinding(int year, string indicator, string recomputed)
    {
        var findings = await FindingsAsync("bkpsdm-surakarta", year);
        var f = Assert.Single(findings, x => x.Rule == "capaian.claimed-mismatch" && x.Subject == indicator);
        Assert.Contains(recomputed, f.Message);
        Assert.True(f.Evidence > 0);
    }

    [Fact]
    public async Task Surakarta2023_BudgetRollUpDuplicatePaguBudgetCutAndMissingRealizations_AreFindings()
    {
        var findings = await FindingsAsync("bkpsdm-surakarta", 2023);
        // A25: Program Penunjang perubahan 8.460.444.119 while its kegiatan sum to 8.429.484.759.
        Assert.Contains(findings, x => x.Rule == "budget.rollup-mismatch" && x.Subject == "P1" && x.Message.Contains("-30959360"));
        Assert.Contains(findings, x => x.Rule == "budget.duplicate-sibling-pagu" && x.Message.Contains("293942740"));
        // A22: Program Kepegawaian's printed efficiency 5,36 % recomputes to 5,35 %; Program Penunjang's 3,67 % is right.
        Assert.Contains(findings, x => x.Rule == "budget.efficiency-claim-mismatch" && x.Subject == "P2" && x.Message.Contains("5.35 %"));
        Assert.DoesNotContain(findings, x => x.Rule == "budget.efficiency-claim-mismatch" && x.Subject == "P1");
        // T10: three targets raised by the PK perubahan while the APBD perubahan cut 36 %.
        Assert.Contains(findings, x => x.Rule == "target.raised-while-budget-cut");
        // A18: I6 never has a realization; I7 none for 2023.
        Assert.Contains(findings, x => x.Rule == "realization.missing-at-year-end" && x.Subject == "I6");
        Assert.Contains(findings, x => x.Rule == "pk.target-differs-from-renstra" && x.Subject == "I2");
        Assert.All(findings, x => Assert.True(x.Evidence > 0, $"{x.Rule} {x.Subject} cites no event"));
    }

    [Fact]
    public async Task Paser_TotalsThatDoNotFootAndTargetsBelowBaseline_AreFindings()
    {
        var y2026 = await FindingsAsync("bkpsdm-paser", 2026);
        // §6.1 #1: the Tujuan row 2026 is 400.000.000 above its programs; #11: kegiatan 5.03.01.2.02 300.000.000 above its subs.
        Assert.Contains(y2026, x => x.Rule == "budget.declared-total-mismatch" && x.Message.Contains("-400000000"));
        Assert.Contains(y2026, x => x.Rule == "budget.rollup-mismatch" && x.Subject == "5.03.01.2.02" && x.Message.Contains("-300000000"));
        // §6.1 #18: kegiatan 5.03.02.2.01 2028 is 40.000 above its subs.
        var y2028 = await FindingsAsync("bkpsdm-paser", 2028);
        Assert.Contains(y2028, x => x.Rule == "budget.rollup-mismatch" && x.Subject == "5.03.02.2.01" && x.Message.Contains("-40000"));
        // §6.2: IP ASN 2025 target 70 below its 2024 baseline 79; SAKIP 2026 71,5 below 71,51.
        Assert.Contains(await FindingsAsync("bkpsdm-paser", 2025), x => x.Rule == "target.below-baseline" && x.Subject == "TUJ-IPASN");
        Assert.Contains(y2026, x => x.Rule == "target.below-baseline" && x.Subject == "IKU-SAKIP");
    }
}
