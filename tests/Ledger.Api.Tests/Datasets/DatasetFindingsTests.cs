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
        // The claim printed on the realization (the Kesimpulan's, declared separately, names its source: see below).
        var f = Assert.Single(findings, x => x.Rule == "capaian.claimed-mismatch" && x.Subject == indicator && x.Message.StartsWith($"{indicator} {year}:"));
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

    [Theory]
    // The "Tahun 2026 (Akhir RPJMD) Capaian (%)" column of Tabel 3.2–3.4 (digest 001 §3.2): printed 100/100/100/90.
    [InlineData("I1", "claimed progress 100, recomputed 88.24")] // A1: 0,75 / 0,85
    [InlineData("I2", "claimed progress 100, recomputed 83.33")] // A5: 75 / 90
    [InlineData("I3", "claimed progress 100, recomputed 90.53")] // A6: 86 / 95
    [InlineData("I4", "claimed progress 90, recomputed 87.79")]  // A8: 75,5 / 86
    public async Task Surakarta2023_PrintedProgressTo2026_IsAFindingWithTheRecomputation(string indicator, string message)
    {
        var findings = await FindingsAsync("bkpsdm-surakarta", 2023);
        var f = Assert.Single(findings, x => x.Rule == "capaian.claimed-progress-mismatch" && x.Subject == indicator);
        Assert.Contains(message, f.Message);
        Assert.Contains("Renstra end target (2026)", f.Message);
        Assert.Equal(2, f.Evidence); // the realization with the claim and the indicator with its end target
    }

    [Fact]
    public async Task Surakarta_ProgressFindings_AreExactlyTheFourPrintedClaims()
    {
        // Every printed progress on a realisasi is wrong (A1, A5, A6, A8); A9 (PMPRB "100" without realisasi) has no
        // realization to recompute from and is capaian.claimed-without-realization (below). Nothing else is flagged:
        // not the capaian claims, not 2022.
        var y2023 = await FindingsAsync("bkpsdm-surakarta", 2023);
        Assert.Equal(["I1", "I2", "I3", "I4"],
            y2023.Where(x => x.Rule == "capaian.claimed-progress-mismatch").Select(x => x.Subject).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(await FindingsAsync("bkpsdm-surakarta", 2022), x => x.Rule == "capaian.claimed-progress-mismatch");
    }

    [Fact]
    public async Task Surakarta2023_PmprbProgressOf100WithoutRealisasi_IsTheOnlyClaimWithoutRealization()
    {
        // A9 / T4: Tabel 3.5 leaves the 2023 realisasi blank ("Tidak ada penilaian") and prints 100 against 27,05.
        var findings = await FindingsAsync("bkpsdm-surakarta", 2023);
        var f = Assert.Single(findings, x => x.Rule == "capaian.claimed-without-realization");
        Assert.Equal("I5", f.Subject);
        Assert.Equal("I5 2023 (LKjIP 2023 Tabel 3.5 (L841)): claimed progress 100 toward the Renstra end target (2026) 27.05, but I5 has " +
                     "no realization for 2023, so no capaian can be computed: a missing realization is not 100 (nor 0).", f.Message);
        Assert.Equal(2, f.Evidence); // the declaration and the indicator with its end target
        // The claim is not recomputed as if it were a realization of 100 or 0: no other rule speaks of I5 in 2023.
        Assert.DoesNotContain(findings, x => x.Subject == "I5" && x.Rule != "capaian.claimed-without-realization");
        Assert.DoesNotContain(await FindingsAsync("bkpsdm-surakarta", 2022), x => x.Rule == "capaian.claimed-without-realization");
    }

    [Fact]
    public async Task Surakarta2023_KesimpulanCapaian_OnlyI2IsFlaggedAndTheRightClaimsAreNot()
    {
        // Kesimpulan (L1044-1049), checked as if printed on the realizations: I1 93,75, I3 100, I4 94,38 are right;
        // I2 100 repeats Tabel 3.3's capaian against 75 instead of the PK perubahan's 93 (A11, T6).
        var kesimpulan = (await FindingsAsync("bkpsdm-surakarta", 2023)).Where(x => x.Message.Contains("Kesimpulan (L1044-1049)")).ToList();
        var f = Assert.Single(kesimpulan);
        Assert.Equal(("capaian.claimed-mismatch", "I2"), (f.Rule, f.Subject));
        Assert.Contains("claimed capaian 100, recomputed 80.65", f.Message);
        Assert.Contains("The claim matches the capaian against the Renstra target 75", f.Message);
        Assert.Equal(3, f.Evidence); // the declaration, the realization and the PK perubahan
    }

    [Fact]
    public async Task Surakarta2023_AbsorptionOf96_IsAnInfoRoundingTwiceAndNoMismatch()
    {
        // A24 (L999, L1069): "96 %" for 95,5575 → 95,56, a whole-percent rounding (digest: info).
        var findings = await FindingsAsync("bkpsdm-surakarta", 2023);
        var rounded = findings.Where(x => x.Rule == "budget.absorption-claim-rounded").ToList();
        Assert.Equal(2, rounded.Count);
        Assert.All(rounded, x => Assert.Contains("claims absorption 96 %; spent 13598914845 / pagu 14231127419 = 95.56 %: the claim is that " +
                                                 "rounded to a whole percent.", x.Message));
        Assert.Contains(rounded, x => x.Message.Contains("(L999)"));
        Assert.Contains(rounded, x => x.Message.Contains("Kesimpulan (L1069)"));
        Assert.DoesNotContain(findings, x => x.Rule == "budget.absorption-claim-mismatch");
        var json = await d.GetAsync("/api/agencies/bkpsdm-surakarta/findings?year=2023");
        Assert.All(json.EnumerateArray().Where(x => x.GetProperty("rule").GetString() == "budget.absorption-claim-rounded"),
            x => Assert.Equal("info", x.GetProperty("severity").GetString()));
    }

    [Fact]
    public async Task Surakarta2023_EfficiencyClaimsOnTheTotal_NameTheWrongOnesAndNotTheRightOnes()
    {
        var findings = await FindingsAsync("bkpsdm-surakarta", 2023);
        var total = findings.Where(x => x.Rule == "budget.efficiency-claim-mismatch" && x.Subject == "total").ToList();
        Assert.Equal(2, total.Count);
        // A23 (L1069): "Rp.502.637.577,00 atau 3,64%" vs pagu − realisasi 632.212.574 = 4,44 %.
        var kesimpulan = Assert.Single(total, x => x.Message.Contains("Kesimpulan (L1069)"));
        Assert.Contains("claims efficiency Rp 502637577 = 3.64 % but pagu 14231127419 − spent 13598914845 = 632212574 = 4.44 % of the pagu", kesimpulan.Message);
        Assert.Contains("the claimed amount is 3.53 % of the pagu", kesimpulan.Message);
        // A21 (L738): 4,45 % on a printed pagu of 13.964.935.419; the total's efficiency is 4,44 % (2,62 % on that pagu).
        var merit = Assert.Single(total, x => x.Message.Contains("(L738)"));
        Assert.Contains("claims efficiency 4.45 %", merit.Message);
        Assert.Contains("= 4.44 % of the pagu", merit.Message);
        Assert.Contains("it would be 2.62 %", merit.Message);
        // The belanja table's SURPLUS/DEFISIT 632.212.574 (with its anggaran and realisasi) is right: no finding cites it.
        Assert.DoesNotContain(findings, x => x.Message.Contains("tabel realisasi belanja"));

        // The printed pagu of L738 is not the pagu in force (Δ 266.192.000); L1069's pagu and realisasi and the APBD
        // murni total 22.278.221.230 are right.
        var pagu = Assert.Single(findings, x => x.Rule == "budget.declared-total-mismatch" && x.Subject == "total");
        Assert.Contains("(L738)", pagu.Message);
        Assert.Contains("pagu 13964935419 but the pagu in force is 14231127419 (Δ 266192000)", pagu.Message);
    }

    [Theory]
    // 004 §6.2: "Persentase ASN Yang Memenuhi Standar Kompetensi Jabatan", Tabel 4.1 82/85/87 vs Tabel 4.4 52/55/57.
    [InlineData(2026, 52, 82)]
    [InlineData(2027, 55, 85)]
    [InlineData(2028, 57, 87)]
    public async Task Paser_StandarKompetensiTargetsThatDifferBetweenTabel41AndTabel44_AreFindings(int year, int tabel44, int tabel41)
    {
        var findings = await FindingsAsync("bkpsdm-paser", year);
        var f = Assert.Single(findings, x => x.Rule == "target.differs-between-tables");
        Assert.Equal("5.04.02/2", f.Subject);
        Assert.Contains($"5.04.02/2 {year}: Renstra 2025-2029 Tabel 4.4 prints {tabel44} but the Renstra target (Renstra 2025-2029 Tabel 4.1) is {tabel41}",
            f.Message);
        Assert.Equal(2, f.Evidence); // the indicator as added (Tabel 4.1) and the declaration (Tabel 4.4)
    }

    [Theory]
    // 2029 and 2030 print 60 in both tables; the six other program indicators of Tabel 4.4 agree with Tabel 4.1 every year.
    [InlineData(2029)]
    [InlineData(2030)]
    [InlineData(2025)]
    public async Task Paser_YearsWhereTabel41AndTabel44Agree_AreNoFinding(int year) =>
        Assert.DoesNotContain(await FindingsAsync("bkpsdm-paser", year), x => x.Rule == "target.differs-between-tables");

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
