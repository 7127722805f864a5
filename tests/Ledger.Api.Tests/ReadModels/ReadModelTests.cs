using System.Text.Json;
using Alba;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>
/// Issue 4: the SAKIP read models, filled by Marten's async daemon running inside the service, agree with the HTTP reads
/// (which replay streams); a rebuild through the admin endpoint reproduces them exactly; /health lists the projections.
/// The daemon-level guarantees (exactly once, held commits, rebuilds against a fold of the log, poison events, failed
/// commits) are proven in tests/Ledger.ReadModels.Tests.
/// </summary>
public sealed class ReadModelTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task Surakarta_DaemonCaughtUp_ReadModelRowsMatchTheHttpReads()
    {
        var s = await ReadModelStory.WriteAsync(f);
        await ReadModelStory.CatchUpAsync(f);

        // Indicator state: I2 2023 against PK perubahan 93 → 75 / 93 × 100 = 80.645…, exactly the HTTP read's number.
        var http = (await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/indicators/I2?year=2023"); x.StatusCodeShouldBe(200); })).Json;
        await using (var cmd = f.Database.Owner.CreateCommand(
            "SELECT capaian, capaian_display, predikat, target_source, target_pk, target_pk_murni, target_renstra, realization_y, claimed_capaian " +
            "FROM readmodel.indicator_state WHERE agency = @a AND year = 2023 AND indicator = 'I2'"))
        {
            cmd.Parameters.AddWithValue("a", s.Agency);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), "no indicator_state row for I2 2023");
            Assert.Equal(http.GetProperty("capaian").GetDecimal(), r.GetDecimal(0));
            Assert.StartsWith("80.645161290322580645", r.GetDecimal(0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(80.65m, r.GetDecimal(1));
            Assert.Equal("Berhasil", r.GetString(2));
            Assert.Equal("pk-perubahan-1", r.GetString(3));
            Assert.Equal((93m, 90m, 75m, 75m, 100m), (r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6), r.GetDecimal(7), r.GetDecimal(8)));
        }

        // Every indicator of the year: the same capaian as its own HTTP read (I8 after its correction, the others without realization).
        foreach (var code in new[] { "I2", "I6", "I7", "I8", "I9" })
        {
            var read = (await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/indicators/{code}?year=2023"); x.StatusCodeShouldBe(200); })).Json;
            var row = await ReadModelStory.ScalarAsync<decimal?>(f,
                "SELECT capaian FROM readmodel.indicator_state WHERE agency = @a AND year = 2023 AND indicator = @c", ("a", s.Agency), ("c", code));
            Assert.Equal(read.GetProperty("capaian").ValueKind == JsonValueKind.Null ? null : read.GetProperty("capaian").GetDecimal(), row);
        }

        // PK versions: murni and perubahan, with reason and ground.
        Assert.Equal(2L, await ReadModelStory.ScalarAsync<long>(f, "SELECT count(*) FROM readmodel.pk_versions WHERE agency = @a AND year = 2023", ("a", s.Agency)));
        Assert.Equal("budget-change", await ReadModelStory.ScalarAsync<string>(f,
            "SELECT ground FROM readmodel.pk_versions WHERE agency = @a AND year = 2023 AND number = 1 AND kind = 'perubahan'", ("a", s.Agency)));
        Assert.Equal(93m, await ReadModelStory.ScalarAsync<decimal>(f,
            "SELECT (t->>'target')::numeric FROM readmodel.pk_versions, jsonb_array_elements(targets) t WHERE agency = @a AND year = 2023 AND number = 1 AND t->>'indicator' = 'I2'",
            ("a", s.Agency)));

        // Budget and the LKjIP table: every line's absorption and every row's capaian as GET …/performance/2023 shows them.
        var perf = (await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/performance/2023"); x.StatusCodeShouldBe(200); })).Json;
        var lines = perf.GetProperty("budget").EnumerateArray().ToList();
        Assert.Equal(16, lines.Count);
        foreach (var line in lines)
        {
            var code = line.GetProperty("code").GetString()!;
            var absorption = await ReadModelStory.ScalarAsync<decimal?>(f,
                "SELECT absorption FROM readmodel.budget_lines WHERE agency = @a AND year = 2023 AND code = @c", ("a", s.Agency), ("c", code));
            Assert.Equal(line.GetProperty("absorption").ValueKind == JsonValueKind.Null ? null : line.GetProperty("absorption").GetDecimal(), absorption);
        }
        Assert.Equal(perf.GetProperty("budgetTotals").GetProperty("absorption").GetDecimal(), await ReadModelStory.ScalarAsync<decimal>(f,
            "SELECT absorption FROM readmodel.performance_years WHERE agency = @a AND year = 2023", ("a", s.Agency)));
        Assert.True(await ReadModelStory.ScalarAsync<decimal>(f,
            "SELECT absorption FROM readmodel.budget_lines WHERE agency = @a AND year = 2023 AND code = 'P1'", ("a", s.Agency)) > 0); // spent below P1 counts
        var rows = perf.GetProperty("indicators").EnumerateArray().ToList();
        Assert.Equal(rows.Count, await ReadModelStory.ScalarAsync<long>(f, "SELECT count(*) FROM readmodel.lkjip_rows WHERE agency = @a AND year = 2023", ("a", s.Agency)));
        Assert.Equal(rows.Single(r => r.GetProperty("code").GetString() == "I2").GetProperty("current").GetProperty("capaian").GetDecimal(),
            await ReadModelStory.ScalarAsync<decimal>(f, "SELECT capaian FROM readmodel.lkjip_rows WHERE agency = @a AND year = 2023 AND indicator = 'I2'", ("a", s.Agency)));
        Assert.Equal(perf.GetProperty("version").GetInt64(), await ReadModelStory.ScalarAsync<long>(f,
            "SELECT stream_version FROM readmodel.performance_years WHERE agency = @a AND year = 2023", ("a", s.Agency)));

        // History: I8's correction with before → after, reason and actor.
        await using (var cmd = f.Database.Owner.CreateCommand(
            "SELECT before, after, reason, actor->>'role' FROM readmodel.indicator_history WHERE agency = @a AND indicator = 'I8' AND change = 'realization-corrected'"))
        {
            cmd.Parameters.AddWithValue("a", s.Agency);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), "no history row for the I8 correction");
            Assert.Equal((5_000m, 5_273m, "Salah ketik", "staff"), (r.GetDecimal(0), r.GetDecimal(1), r.GetString(2), r.GetString(3)));
        }
    }

    /// <summary>
    /// The history table holds exactly the entries of GET …/indicators/{code}/history, field by field, for every kind of
    /// entry: proposals (Renstra and PK, approved and rejected), the year close, an indicator added without targets.
    /// The daemon applies these writes one small batch at a time, so approvals, rejections and the close take their
    /// proposal and touched indicators from the log before the batch (the rebuild test replays them in one batch).
    /// </summary>
    [Fact]
    public async Task Workflow_DaemonCaughtUp_HistoryRowsEqualTheHttpHistoryOfEveryIndicator()
    {
        var s = await ReadModelStory.WriteWorkflowAsync(f);
        await ReadModelStory.CatchUpAsync(f);

        var kinds = new List<string>();
        var total = 0;
        foreach (var code in ReadModelStory.WorkflowIndicators)
        {
            var http = (await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/indicators/{code}/history"); x.StatusCodeShouldBe(200); }))
                .Json.EnumerateArray().ToList();
            var rows = await HistoryRowsAsync(s.Agency, code);
            Assert.True(http.Count == rows.Count, $"{code}: HTTP {http.Count} entries [{string.Join(", ", http.Select(h => h.GetProperty("kind").GetString()))}], " +
                $"table {rows.Count} rows [{string.Join(", ", rows.Select(r => r.Kind))}]");
            for (var i = 0; i < http.Count; i++)
            {
                var h = http[i];
                var expected = new HistoryRow(h.GetProperty("sequence").GetInt64(), h.GetProperty("eventId").GetGuid(), h.GetProperty("kind").GetString()!,
                    h.GetProperty("at").GetDateTimeOffset(), h.GetProperty("effective").GetString()!, Int(h.GetProperty("year")),
                    Text(h.GetProperty("actor").GetProperty("name")), Text(h.GetProperty("actor").GetProperty("nip")), Text(h.GetProperty("actor").GetProperty("role")),
                    Text(h.GetProperty("reason")), Text(h.GetProperty("ground")), Num(h.GetProperty("before")), Num(h.GetProperty("after")), Text(h.GetProperty("note")));
                Assert.Equal(expected, rows[i].Row);
            }
            kinds.AddRange(rows.Select(r => r.Kind));
            total += rows.Count;
        }
        Assert.Equal(total, await ReadModelStory.ScalarAsync<long>(f, "SELECT count(*) FROM readmodel.indicator_history WHERE agency = @a", ("a", s.Agency)));
        foreach (var kind in new[] { "renstra.indicator-added", "renstra.revision-proposed", "renstra.revision-approved", "renstra.revision-rejected",
                     "renstra.revised", "pk.murni", "pk.perubahan-proposed", "pk.perubahan-approved", "pk.perubahan-rejected", "pk.perubahan",
                     "realization.recorded", "realization.corrected", "year.closed", "renstra.targets-declared", "year.claims-declared" })
            Assert.Contains(kind, kinds);

        // Proposals for SQL: the proposal and its decision share proposal_id; status says what each row records.
        Assert.Equal(["pending", "rejected"], await ListAsync(
            "SELECT proposal_status FROM readmodel.indicator_history WHERE agency = @a AND indicator = 'I9' AND change = 'pk-revision-proposed' " +
            "OR agency = @a AND indicator = 'I9' AND change = 'pk-revision-rejected' ORDER BY seq", s.Agency));
        Assert.Equal(2L, await ReadModelStory.ScalarAsync<long>(f,
            "SELECT count(DISTINCT d.proposal_status) FROM readmodel.indicator_history p JOIN readmodel.indicator_history d USING (proposal_id) " +
            "WHERE p.agency = @a AND p.proposal_status = 'pending' AND d.proposal_status <> 'pending'", ("a", s.Agency)));
        await using (var cmd = f.Database.Owner.CreateCommand(
            "SELECT before, after, reason, ground, effective_on, actor->>'role' FROM readmodel.indicator_history " +
            "WHERE agency = @a AND indicator = 'I2' AND change = 'pk-revision-approved'"))
        {
            cmd.Parameters.AddWithValue("a", s.Agency);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), "no history row for the approved PK proposal");
            Assert.Equal((90m, 93m, "Perubahan anggaran; perubahan volume target", "budget-change", new DateOnly(2023, 10, 2), "approver"),
                (r.GetDecimal(0), r.GetDecimal(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateOnly>(4), r.GetString(5)));
        }
        Assert.Equal("Perwali 12/2023", await ReadModelStory.ScalarAsync<string>(f,
            "SELECT legal_basis FROM readmodel.indicator_history WHERE agency = @a AND indicator = 'I2' AND change = 'renstra-revision-proposed'", ("a", s.Agency)));
        Assert.Equal(["I2", "I6", "I7", "I8", "I9"], await ListAsync(
            "SELECT indicator FROM readmodel.indicator_history WHERE agency = @a AND change = 'year-closed' ORDER BY item", s.Agency));

        static int? Int(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
        static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();
        static decimal? Num(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDecimal();
    }

    private sealed record HistoryRow(
        long Sequence, Guid EventId, string Kind, DateTimeOffset At, string Effective, int? Year, string? Name, string? Nip, string? Role,
        string? Reason, string? Ground, decimal? Before, decimal? After, string? Note);

    /// <summary>The table's rows for one indicator in (seq, item) order, in the HTTP entry's terms (a Renstra's legal basis is its "ground").</summary>
    private async Task<List<(string Kind, HistoryRow Row)>> HistoryRowsAsync(string agency, string indicator)
    {
        await using var cmd = f.Database.Owner.CreateCommand("""
            SELECT seq, event_id, kind, recorded_at, effective, effective_year, actor->>'name', actor->>'nip', actor->>'role',
                   reason, coalesce(ground, legal_basis), before, after, note
              FROM readmodel.indicator_history WHERE agency = @a AND indicator = @i ORDER BY seq, item
            """);
        cmd.Parameters.AddWithValue("a", agency);
        cmd.Parameters.AddWithValue("i", indicator);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, HistoryRow)>();
        while (await r.ReadAsync())
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            decimal? D(int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);
            var row = new HistoryRow(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetInt32(5), S(6), S(7), S(8), S(9), S(10), D(11), D(12), S(13));
            rows.Add((row.Kind, row));
        }
        return rows;
    }

    private async Task<List<string>> ListAsync(string sql, string agency)
    {
        await using var cmd = f.Database.Owner.CreateCommand(sql);
        cmd.Parameters.AddWithValue("a", agency);
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<string>();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    [Fact]
    public async Task RebuildAll_ThroughTheAdminEndpointAfterDamage_ReproducesIdenticalTables()
    {
        await ReadModelStory.WriteAsync(f);
        await ReadModelStory.WriteAsync(f);
        await ReadModelStory.WriteWorkflowAsync(f);
        await ReadModelStory.CatchUpAsync(f);
        var before = await ReadModelStory.HashAllAsync(f);
        Assert.All(ReadModelStory.Tables, t => Assert.NotEqual("d41d8cd98f00b204e9800998ecf8427e", before[t.Table])); // not empty

        // Damage every table (as the owner), so only a real rebuild can give the old contents back.
        await using (var cmd = f.Database.Owner.CreateCommand(
            "DELETE FROM readmodel.indicator_state WHERE indicator = 'I2'; UPDATE readmodel.budget_lines SET spent = 0; DELETE FROM readmodel.lkjip_rows; " +
            "DELETE FROM readmodel.performance_years; DELETE FROM readmodel.indicator_history WHERE item = 0; DELETE FROM readmodel.pk_versions WHERE number = 1"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        Assert.NotEqual(before["indicator_state"], await ReadModelStory.HashAsync(f, "indicator_state", "agency, year, indicator"));

        var started = await f.Scenario(x => { x.WithBearerToken(LedgerApiFactory.AdminToken); x.Post.Json(new { }).ToUrl("/api/admin/projections/rebuild"); x.StatusCodeShouldBe(202); });
        Assert.Equal(["sakip"], started.Json.GetProperty("projections").EnumerateArray().Select(p => p.GetString()));
        await WaitForRebuildAsync();
        var status = await ReadModelStory.ProjectionsAsync(f);
        Assert.Equal("succeeded", status.GetProperty("rebuild").GetProperty("state").GetString());
        Assert.Equal(status.GetProperty("rebuild").GetProperty("total").GetInt64(), status.GetProperty("rebuild").GetProperty("done").GetInt64());
        await ReadModelStory.CatchUpAsync(f);

        Assert.Equal(before, await ReadModelStory.HashAllAsync(f));
    }

    [Fact]
    public async Task RebuildOne_UnknownName_Returns404()
    {
        await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { projection = "no-such-projection" }).ToUrl("/api/admin/projections/rebuild");
            x.StatusCodeShouldBe(404);
        });
    }

    [Theory]
    [InlineData("staff")]
    [InlineData("inspektorat")]
    public async Task Rebuild_NotAdmin_Returns403(string role)
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        var token = await f.CreateUserAsync(role, role == "staff" ? agency : null);
        await f.Scenario(x => { x.WithBearerToken(token); x.Post.Json(new { projection = "sakip" }).ToUrl("/api/admin/projections/rebuild"); x.StatusCodeShouldBe(403); });
        await f.Scenario(x => { x.WithBearerToken(token); x.Get.Url("/api/admin/projections"); x.StatusCodeShouldBe(403); });
    }

    [Fact]
    public async Task GetHealth_DaemonRunning_ListsEveryProjectionWithPositionAndLag()
    {
        await f.RegisterAgencyAsync(ApiClient.NewAgencyCode());
        await ReadModelStory.CatchUpAsync(f);
        var health = (await f.Scenario(x => { x.Get.Url("/health"); x.StatusCodeShouldBe(200); })).Json;
        var projections = health.GetProperty("projections").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["sakip"], projections.Keys.Order().ToArray());
        foreach (var p in projections.Values)
        {
            Assert.Equal("running", p.GetProperty("status").GetString());
            Assert.Equal(p.GetProperty("head").GetInt64(), p.GetProperty("position").GetInt64() + p.GetProperty("lag").GetInt64());
            Assert.True(p.GetProperty("head").GetInt64() > 0);
        }

        // Memory (docs/deployment.md "Memory"): this process leads, so its daemon holds the agencies it met; no limit is set.
        var sakip = projections["sakip"];
        Assert.True(sakip.GetProperty("runningHere").GetBoolean());
        Assert.True(sakip.GetProperty("agenciesInMemory").GetInt32() >= 1, sakip.ToString());
        Assert.Equal(JsonValueKind.Null, sakip.GetProperty("agenciesInMemoryLimit").ValueKind);
        Assert.Equal(0, sakip.GetProperty("agenciesDropped").GetInt64());

        // A second process with a limit reports it; it does not lead (the first holds the leadership), so it holds none.
        await using var limited = await f.StartHostAsync(b => b.UseSetting("Ledger:ReadModels:AgenciesInMemory", "40"));
        var other = (await limited.Scenario(x => { x.Get.Url("/health"); x.StatusCodeShouldBe(200); })).Json
            .GetProperty("projections").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "sakip");
        Assert.Equal(40, other.GetProperty("agenciesInMemoryLimit").GetInt32());
        Assert.False(other.GetProperty("runningHere").GetBoolean());
        Assert.Equal(0, other.GetProperty("agenciesInMemory").GetInt32());
    }

    [Fact]
    public async Task Start_AgenciesInMemoryBelowOne_RefusesNamingTheSetting()
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await f.StartHostAsync(b => b.UseSetting("Ledger:ReadModels:AgenciesInMemory", "0"));
            await host.Scenario(x => { x.Get.Url("/health"); });
        });
        Assert.Contains("Ledger:ReadModels:AgenciesInMemory", refused.ToString());
    }

    private async Task WaitForRebuildAsync()
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            var state = (await ReadModelStory.ProjectionsAsync(f)).GetProperty("rebuild").GetProperty("state").GetString();
            if (state != "running") return;
            await Task.Delay(100);
        }
        Assert.Fail("The rebuild did not finish in 30 s.");
    }
}
