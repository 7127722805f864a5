using System.Text.Json;
using Ledger.Testing.Approvals;
using Alba;

namespace Ledger.Api.Tests.Writes;

/// <summary>The Surakarta 2023 year end to end through the real API and PostgreSQL (digest §3, §5, §7 T5, T7, T8, T10).</summary>
public sealed class SurakartaStoryTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task Year2023_PlanAgreeMeasureBudgetClose_RecordsEveryStepAndFreezesTheYear()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var renstra = await s.EventsAsync($"renstra-{s.Agency}-2021");
        Assert.Equal(["renstra.created.v1", "renstra.indicator-added.v1", "renstra.indicator-added.v1", "renstra.indicator-added.v1",
            "renstra.indicator-added.v1", "renstra.indicator-added.v1"], renstra.Select(e => e.Type));
        var i6 = JsonDocument.Parse(renstra[2].Json).RootElement;
        Assert.Equal("lower", i6.GetProperty("polarity").GetString());
        Assert.Equal("inverse-2t", i6.GetProperty("lowerFormula").GetString()); // the official formula, written into the event

        // PK murni, then PK perubahan (T5).
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        var revised = await s.PostAsync(s.Approver, "pk/2023/revisions", Surakarta.PkPerubahan);
        Assert.Equal(2, revised.JsonAt("version").GetInt64());

        var murni = await s.PayloadAsync(s.YearStream, "pk.signed.v1");
        Assert.Equal(Targets(("I7", 1.48m), ("I2", 90m), ("I8", 90m), ("I6", 0.10m), ("I9", 68.58m)), TargetsOf(murni));
        Assert.Equal(2021, murni.GetProperty("renstraPeriodStart").GetInt32());
        var perubahan = await s.PayloadAsync(s.YearStream, "pk.revised.v1");
        Assert.Equal(1, perubahan.GetProperty("version").GetInt32());
        Assert.Equal("budget-change", perubahan.GetProperty("ground").GetString());
        Assert.Equal(Targets(("I7", 1.85m), ("I2", 93m), ("I8", 93m), ("I6", 0.10m), ("I9", 68.58m)), TargetsOf(perubahan));
        Assert.Equal(3, perubahan.GetProperty("changes").GetArrayLength()); // +0,37, +3, +3; I6 and I9 unchanged
        var revisedEvent = Assert.Single(await s.EventsAsync(s.YearStream), e => e.Type == "pk.revised.v1");
        Assert.Equal("Perubahan anggaran; perubahan volume target", revisedEvent.Reason);
        Assert.Contains("\"approver\"", revisedEvent.ActorJson);

        // Realizations (T6: the table's 75; T5: I8 5.273 of 5.859), APBD murni → perubahan (T8, T10), spending (T9).
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m, claimedCapaian = 100m });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 90m, numerator = 5273m,
            denominator = 5859m, evidence = "LKjIP 2023 L882" });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = 92.93m });
        await s.PostAsync(s.Staff, "budget/2023", Surakarta.ApbdMurni, 201);
        await s.PostAsync(s.Staff, "budget/2023/revisions", Surakarta.ApbdPerubahan);
        await s.PostAsync(s.Staff, "budget/2023/spending", new { code = "P1", amount = 8_149_751_661m, period = "Y" });
        await s.PostAsync(s.Staff, "budget/2023/spending", new { code = "P2", amount = 3_649_094_188m, period = "Y" });
        Assert.Equal(22_278_221_230m, (await s.PayloadAsync(s.YearStream, "budget.enacted.v1")).GetProperty("total").GetDecimal());
        var apbdP = await s.PayloadAsync(s.YearStream, "budget.revised.v1");
        Assert.Equal(22_278_221_230m, apbdP.GetProperty("totalBefore").GetDecimal());
        Assert.Equal(14_231_127_419m, apbdP.GetProperty("totalAfter").GetDecimal());
        Assert.Equal(16, apbdP.GetProperty("changes").GetArrayLength()); // every line's pagu moved

        // A correction before close (narrative L881: 87 %), with its reason recorded on the event.
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I2", year = 2023, period = "Y", value = 87m,
            reason = "Narasi L881: 87% (5.905 pegawai)" });
        var corrected = await s.PayloadAsync(s.YearStream, "realization.corrected.v1");
        Assert.Equal(75m, corrected.GetProperty("before").GetDecimal());
        Assert.False(corrected.GetProperty("afterClose").GetBoolean());

        // Close (approver): the response carries the hash that the event stores; I6 and I7 had no realization (T7).
        var closed = await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" });
        var hash = closed.JsonAt("snapshotHash").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", hash);
        var yearClosed = await s.PayloadAsync(s.YearStream, "year.closed.v1");
        Assert.Equal(hash, yearClosed.GetProperty("snapshotHash").GetString());
        Assert.Equal(["I7", "I6"], yearClosed.GetProperty("indicatorsWithoutRealization").EnumerateArray().Select(e => e.GetString()));
        // The PK's five indicators (I2, I8 and I9 also reported), carried so the history's close entries need no earlier events.
        Assert.Equal(["I2", "I6", "I7", "I8", "I9"], yearClosed.GetProperty("indicatorsCommittedOrReported").EnumerateArray().Select(e => e.GetString()));

        // After close: a new realization is 409 year.closed; a correction is still recorded, flagged after-close.
        var before = (await s.EventsAsync(s.YearStream)).Count;
        await f.Scenario(x =>
        {
            x.WithBearerToken(s.Staff);
            x.Post.Json(new { indicator = "I7", year = 2023, period = "Y", value = 1.66m }).ToUrl($"/api/agencies/{s.Agency}/realizations");
            x.ShouldReturnProblemDetails(409);
            x.JsonPath("rule").ShouldBe("year.closed");
        });
        await s.PostAsync(s.Approver, "years/2023/close", new { }, 409);
        Assert.Equal(before, (await s.EventsAsync(s.YearStream)).Count);
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I2", year = 2023, period = "Y", value = 85m,
            reason = "Narasi L993: 85% (5.744 pegawai)" });
        var afterClose = JsonDocument.Parse((await s.EventsAsync(s.YearStream))[^1].Json).RootElement;
        Assert.True(afterClose.GetProperty("afterClose").GetBoolean());
        Assert.Equal(87m, afterClose.GetProperty("before").GetDecimal());
    }

    [Fact]
    public async Task PkMurniAndPerubahan_StoredPayloads_MatchTheApprovedSnapshot()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Approver, "pk/2023/revisions", Surakarta.PkPerubahan);

        var events = (await s.EventsAsync(s.YearStream))
            .Select(e => new { type = e.Type, version = e.Version, reason = e.Reason, payload = JsonDocument.Parse(e.Json).RootElement });
        await Approvals.VerifyJson(events);
    }

    [Fact]
    public async Task CreateRenstra_Success_ResponseMatchesTheApprovedSnapshot()
    {
        var s = await Surakarta.RegisterAsync(f);
        var result = await s.PostAsync(s.Staff, "renstra", new { periodStart = 2021, periodEnd = 2026, title = "Renstra 2021-2026" }, 201);

        await Approvals.VerifyJson(new
        {
            status = result.Status, etag = result.Header("ETag"),
            body = JsonDocument.Parse(result.Text.Replace(s.Agency, "{agency}", StringComparison.Ordinal)).RootElement,
        });
    }

    private static List<(string, decimal)> Targets(params (string, decimal)[] targets) => [.. targets];

    private static List<(string, decimal)> TargetsOf(JsonElement pk) => pk.GetProperty("targets").EnumerateArray()
        .Select(t => (t.GetProperty("indicator").GetString()!, t.GetProperty("target").GetDecimal())).ToList();
}
