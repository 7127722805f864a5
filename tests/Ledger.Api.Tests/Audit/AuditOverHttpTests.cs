using System.Globalization;
using System.Text.Json;

namespace Ledger.Api.Tests.Audit;

/// <summary>Findings and history over HTTP against real PostgreSQL, from the Surakarta 2023 year written through the API.</summary>
public sealed class AuditOverHttpTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task Findings_SurakartaYearAsPrinted_ReportTheDocumentsOwnErrorsCitingTheirEvents()
    {
        var story = await AuditApi.WriteSurakartaAsync(f);
        var inspektorat = await f.CreateUserAsync("inspektorat", null, "Inspektur");
        var findings = await f.GetAsync(inspektorat, $"/api/agencies/{story.S.Agency}/findings?year=2023");

        // A5/T6: I2 printed 100, recomputed 75 / 93 = 80,65 (the 100 is against the Renstra's 75).
        var claim = Assert.Single(findings.WithRule("capaian.claimed-mismatch"));
        Assert.Equal("I2", claim.GetProperty("subject").GetString());
        Assert.Contains("recomputed 80.65", claim.GetProperty("message").GetString());
        Assert.Equal([story.PkPerubahan, story.I2Realization], claim.Evidence());

        // A25/T8: Program Penunjang perubahan does not foot (Δ −30.959.360); Kepegawaian and PSDM do.
        var rollup = Assert.Single(findings.WithRule("budget.rollup-mismatch"));
        Assert.Equal("P1", rollup.GetProperty("subject").GetString());
        Assert.Contains("Δ -30959360", rollup.GetProperty("message").GetString());
        Assert.Equal([story.ApbdMurni, story.ApbdPerubahan], rollup.Evidence());
        Assert.Equal("P1.6,P1.7", Assert.Single(findings.WithRule("budget.duplicate-sibling-pagu")).GetProperty("subject").GetString());
        Assert.Empty(findings.WithRule("budget.declared-total-mismatch")); // the printed grand total 22.278.221.230 foots

        // T10: PK perubahan raised I2, I8, I7 while the APBD perubahan cut 36,12 %.
        var raised = Assert.Single(findings.WithRule("target.raised-while-budget-cut"));
        Assert.Contains("-36.12 %", raised.GetProperty("message").GetString());
        Assert.Equal([story.PkPerubahan, story.ApbdPerubahan], raised.Evidence());

        // A18/T7: I6 and I7 closed without realization; A12: the 85 correction after close.
        Assert.Equal(["I6", "I7"], findings.WithRule("realization.missing-at-year-end").Select(x => x.GetProperty("subject").GetString()).Order());
        var late = Assert.Single(findings.WithRule("realization.corrected-after-close"));
        Assert.Equal([story.Close, story.LateCorrection], late.Evidence());

        // A11/A15: PK targets that differ from the Renstra with no revision on record (I2 75 → 90/93, I8 80 → 90/93, …).
        var differing = findings.WithRule("pk.target-differs-from-renstra").Select(x => x.GetProperty("subject").GetString()).Order().ToList();
        Assert.Equal(["I2", "I6", "I7", "I8"], differing);
        Assert.Empty(findings.WithRule("target.revised-after-realization")); // realizations came after the PK perubahan
        foreach (var finding in findings.EnumerateArray())
            Assert.Equal(finding.GetProperty("evidence").GetArrayLength(), finding.GetProperty("sequences").GetArrayLength());
    }

    [Fact]
    public async Task Findings_AsOfBeforeTheApbdPerubahan_HaveNoRollupOrBudgetCutFinding()
    {
        var story = await AuditApi.WriteSurakartaAsync(f);
        var asOf = Uri.EscapeDataString(story.BeforeApbdPerubahan.ToString("O", CultureInfo.InvariantCulture));
        var then = await f.GetAsync(story.S.Staff, $"/api/agencies/{story.S.Agency}/findings?year=2023&asOf={asOf}");
        Assert.Empty(then.WithRule("budget.rollup-mismatch"));
        Assert.Empty(then.WithRule("target.raised-while-budget-cut"));
        Assert.Empty(then.WithRule("realization.corrected-after-close"));
        Assert.Single(then.WithRule("capaian.claimed-mismatch"));
    }

    [Fact]
    public async Task History_I2In2023_ShowsRenstraTargetPkMurni90ThenPerubahan93WithReasonGroundApproverThenRealization()
    {
        var story = await AuditApi.WriteSurakartaAsync(f);
        var inspektorat = await f.CreateUserAsync("inspektorat", null, "Inspektur");
        var history = await f.GetAsync(inspektorat, $"/api/agencies/{story.S.Agency}/indicators/I2/history?year=2023");
        var entries = history.EnumerateArray().ToList();

        Assert.Equal(["renstra.indicator-added", "pk.murni", "pk.perubahan", "realization.recorded", "year.closed", "realization.corrected"],
            entries.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(75m, entries[0].GetProperty("after").GetDecimal());
        Assert.Equal("2023", entries[0].GetProperty("effective").GetString());
        Assert.Equal(90m, entries[1].GetProperty("after").GetDecimal());
        Assert.Equal(story.PkMurni, entries[1].GetProperty("eventId").GetGuid());

        var perubahan = entries[2];
        Assert.Equal((90m, 93m), (perubahan.GetProperty("before").GetDecimal(), perubahan.GetProperty("after").GetDecimal()));
        Assert.Equal("Perubahan anggaran; perubahan volume target", perubahan.GetProperty("reason").GetString());
        Assert.Equal("budget-change", perubahan.GetProperty("ground").GetString());
        Assert.Equal("2023-10-02", perubahan.GetProperty("effective").GetString());
        Assert.Equal("approver", perubahan.GetProperty("actor").GetProperty("role").GetString());
        Assert.Equal("Kepala BKPSDM", perubahan.GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal("198004122000031003", perubahan.GetProperty("actor").GetProperty("nip").GetString());
        Assert.Equal(story.PkPerubahan, perubahan.GetProperty("eventId").GetGuid());

        Assert.Equal(75m, entries[3].GetProperty("after").GetDecimal());
        Assert.Equal("staff", entries[3].GetProperty("actor").GetProperty("role").GetString());
        Assert.Equal((75m, 85m), (entries[5].GetProperty("before").GetDecimal(), entries[5].GetProperty("after").GetDecimal()));
        var sequences = entries.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        var times = entries.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);

        // Without ?year= the other years' Renstra targets (2022: 70, 2026: 90) appear too.
        var all = await f.GetAsync(story.S.Staff, $"/api/agencies/{story.S.Agency}/indicators/I2/history");
        Assert.Equal(["2022", "2023", "2026"], all.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "renstra.indicator-added")
            .Select(e => e.GetProperty("effective").GetString()));
    }

    [Fact]
    public async Task BudgetLineHistory_P1_ShowsMurniPerubahanAndSpending_UnknownLine404()
    {
        var story = await AuditApi.WriteSurakartaAsync(f);
        var h = await f.GetAsync(story.S.Staff, $"/api/agencies/{story.S.Agency}/budget/2023/lines/P1/history");
        Assert.Equal(["budget.enacted", "budget.revised", "budget.spending-recorded", "year.closed"],
            h.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(8_460_444_119m, h[1].GetProperty("after").GetDecimal());
        Assert.StartsWith("Refocusing", h[1].GetProperty("reason").GetString());
        await f.GetAsync(story.S.Staff, $"/api/agencies/{story.S.Agency}/budget/2023/lines/P9/history", 404);
        await f.GetAsync(story.S.Staff, $"/api/agencies/{story.S.Agency}/indicators/NOPE/history", 404);
        await f.GetAsync(story.S.Staff, $"/api/agencies/{story.S.Agency}/findings", 400);
    }

    [Fact]
    public async Task AuditReads_OtherAgencyStaff403_Inspektorat200_VerifyForInspektoratAndAdminOnly()
    {
        var s = await Writes.Surakarta.WithRenstraAsync(f);
        var other = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(other);
        var stranger = await f.CreateUserAsync("staff", other, "Staff lain");
        var inspektorat = await f.CreateUserAsync("inspektorat", null, "Inspektur");
        foreach (var url in new[] { $"/api/agencies/{s.Agency}/findings?year=2023", $"/api/agencies/{s.Agency}/indicators/I2/history" })
        {
            await f.GetAsync(stranger, url, 403);
            await f.GetAsync(inspektorat, url);
            await f.GetAsync(s.Staff, url);
        }
        await f.GetAsync(s.Staff, "/api/audit/verify", 403);
        await f.GetAsync(s.Approver, "/api/audit/verify", 403);
        Assert.True((await f.GetAsync(inspektorat, "/api/audit/verify")).GetProperty("ok").GetBoolean());
        Assert.True((await f.GetAsync(LedgerApiFactory.AdminToken, "/api/audit/verify")).GetProperty("ok").GetBoolean());
    }
}
