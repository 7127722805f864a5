using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// Issue 11, "derived state is never evidence": <see cref="ReadModelVerifier"/> compares every readmodel table with what
/// its projection computes from the log up to the position the daemon committed, as the service role. The daemon here
/// runs with small pages (many incremental batches), the recompute in one pass: they must agree on an untouched
/// database, also while the daemon lags, and every row written behind the daemon's back must be named.
/// </summary>
public sealed class VerifyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(60);

    private static Task<ReadModelVerification> VerifyAsync(ReadModelDb db) => ReadModelVerifier.VerifyAsync(db.Service, db.Store);

    private static string Describe(ReadModelVerification v) =>
        v.NotChecked ?? string.Join("; ", v.Tables.Select(t => t.NotCompared is { } why ? $"{t.Table}@{t.Position}: not compared: {why}" :
            $"{t.Table}@{t.Position}: {t.RowsChecked} rows, {t.ExpectedRows} expected, missing {t.Missing}, extra {t.Extra}, different {t.Different} " +
            string.Join(" ", t.Examples.Select(e => e.Kind + "(" + string.Join(",", e.Key.Values) + ")"))));

    /// <summary>The state part's recompute folds <c>recomputeAgencies</c> agencies at a time (memory; docs/projections.md "Memory"): by default all three here at once, or one by one.</summary>
    [Theory]
    [InlineData(SakipStateProjection.DefaultRecomputeAgencies)]
    [InlineData(1)]
    public async Task Verify_UntouchedDatabaseCaughtUpThenLagging_EveryTableEqualsTheRecompute(int recomputeAgencies)
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        db.State.RecomputeAgencies = recomputeAgencies;
        using var daemon = await db.StartDaemonAsync();
        await SakipStory.AppendAsync(db, [SakipStory.Agency(1, "vf"), SakipStory.Agency(2, "vf")]);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        await LogFold.AssertTablesEqualFoldAsync(db); // the oracle agrees with the tables the recompute is compared with

        var caughtUp = await VerifyAsync(db);
        output.WriteLine($"{caughtUp.Elapsed.TotalMilliseconds:F0} ms: {Describe(caughtUp)}");
        Assert.True(caughtUp.Ok, Describe(caughtUp));
        await LogFold.AssertTablesEqualFoldAsync(db); // verify wrote nothing but its temporary tables (rolled back)
        Assert.Equal(LogFold.Tables.Order(), caughtUp.Tables.Select(t => t.Table).Order());
        var head = await db.HeadAsync();
        Assert.All(caughtUp.Tables, t =>
        {
            Assert.Equal(head, t.Position);
            Assert.True(t.RowsChecked > 0 && t.RowsChecked == t.ExpectedRows, t.Table);
        });

        // The daemon stops; a third agency and more years of the first are appended: the tables lag the log.
        await daemon.StopAllAsync();
        await SakipStory.AppendAsync(db, [SakipStory.Agency(3, "vf")]);
        await SakipStory.AppendAsync(db, [SakipStory.Agency(1, "vf")], firstYear: 2024, years: 1);
        var lagging = await VerifyAsync(db);
        Assert.True(lagging.Ok, Describe(lagging));
        Assert.All(lagging.Tables, t => Assert.Equal(head, t.Position));
        Assert.True(await db.HeadAsync() > head);
    }

    /// <summary>Verify runs again and again while four writers append and the daemon projects: never a false alarm.</summary>
    [Fact]
    public async Task Verify_WhileWritersAppendAndTheDaemonProjects_IsOkEveryTime()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 25);
        using var daemon = await db.StartDaemonAsync();
        // First catch-up from nothing (its state rows are pending until it ends: Verify_WhileStateRowsArePending_…).
        await SakipStory.AppendAsync(db, [SakipStory.Agency(0, "vc")], years: 1);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        var writing = SakipStory.AppendAsync(db, [.. Enumerable.Range(1, 4).Select(n => SakipStory.Agency(n, "vc"))]);
        var runs = 0;
        var positions = new HashSet<long>();
        while (!writing.IsCompleted || runs < 3)
        {
            var v = await VerifyAsync(db);
            Assert.True(v.Ok, $"run {runs}: {Describe(v)}");
            positions.UnionWith(v.Tables.Select(t => t.Position));
            runs++;
        }
        await writing;
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        var final = await VerifyAsync(db);
        Assert.True(final.Ok, Describe(final));
        output.WriteLine($"{runs} verifies while writing, at {positions.Count} different positions");
        await daemon.StopAllAsync();
    }

    /// <summary>
    /// Mid-verification (called before each part of sakip is recomputed, so after the state part's tables were written
    /// and compared): a year close's settled log head settles (the check never holds a transaction id for long: its
    /// snapshot only reads, its writes to temporary tables commit page by page), an append commits and the daemon
    /// projects it (the snapshot takes no lock the daemon waits for). The check still sees its own snapshot: ok.
    /// </summary>
    [Fact]
    public async Task Verify_WhileItRuns_ALogHeadSettlesAppendsCommitAndTheDaemonProjects()
    {
        await using var db = await ReadModelDb.CreateAsync();
        using var daemon = await db.StartDaemonAsync();
        var a = SakipStory.Agency(1, "nb");
        await SakipStory.AppendAsync(db, [a], years: 1);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        var start = await db.HeadAsync();

        var calls = new List<string>();
        var v = await ReadModelVerifier.VerifyAsync(db.Service, db.Store, progress: async projection =>
        {
            calls.Add(projection);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // Settles at all: were the check holding a transaction id, the head would wait for it, i.e. until the check ends,
            // which is after this callback, and time out. No bound on how fast: the settle also waits for every other
            // transaction running in the cluster, and the test classes around this one share it.
            var head = await Ledger.Audit.LogHeads.ReadAsync(db.Service, settleTimeout: TimeSpan.FromSeconds(20));
            output.WriteLine($"before {projection}: log head {head.Sequence} settled in {clock.ElapsedMilliseconds} ms");
            await db.AppendAsync($"year-{a}-2022", [new Ledger.Domain.PerformanceYears.CorrectingRealization.RealizationCorrected("IK01", "Q2", 0, 50 + calls.Count, "x", false)]);
            await db.WaitForCatchUpAsync(daemon, CatchUp);
        });
        Assert.Equal(["sakip-state", "sakip-history", "sakip-pk"], calls); // sakip's parts, each checked on its own
        Assert.True(v.Ok, Describe(v));
        Assert.All(v.Tables, t => Assert.Equal(start, t.Position)); // its snapshot, taken before the appends
        Assert.Equal(start + 3, await db.HeadAsync());
        Assert.True((await VerifyAsync(db)).Ok);
        await daemon.StopAllAsync();
    }

    public static TheoryData<string> Forgers => new() { "superuser", "service role" };

    /// <summary>
    /// A forger (a superuser, or the service role itself, which may write every readmodel table) changes one
    /// indicator_state value, adds a pk_versions row and deletes an indicator_history row: each table is named with the
    /// key of the row and what is wrong with it; the other tables still compare equal.
    /// </summary>
    [Theory]
    [MemberData(nameof(Forgers))]
    public async Task Verify_RowsForgedBehindTheDaemon_NamesEachTableAndRowKey(string forger)
    {
        await using var db = await ReadModelDb.CreateAsync();
        using var daemon = await db.StartDaemonAsync();
        var a = SakipStory.Agency(1, "fg");
        await SakipStory.AppendAsync(db, [a]);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        await daemon.StopAllAsync();
        Assert.True((await VerifyAsync(db)).Ok);

        var historySeq = await db.ScalarAsync<long>("SELECT min(seq) FROM readmodel.indicator_history WHERE change = 'realization-corrected'");
        var as_ = forger == "superuser" ? db.Owner : db.Service;
        await using (var cmd = as_.CreateCommand("""
            UPDATE readmodel.indicator_state SET capaian = coalesce(capaian, 0) + 10 WHERE agency = @a AND year = 2022 AND indicator = 'IK01';
            INSERT INTO readmodel.pk_versions SELECT agency, year, 7, kind, signed_on, signer, reason, ground, targets, changes, actor, recorded_at, event_id, seq
              FROM readmodel.pk_versions WHERE agency = @a AND year = 2023 AND number = 1;
            DELETE FROM readmodel.indicator_history WHERE seq = @seq AND item = 0;
            """))
        {
            cmd.Parameters.AddWithValue("a", a);
            cmd.Parameters.AddWithValue("seq", historySeq);
            await cmd.ExecuteNonQueryAsync();
        }

        var v = await VerifyAsync(db);
        output.WriteLine(Describe(v));
        Assert.False(v.Ok);
        var bad = v.Tables.Where(t => !t.Ok).ToDictionary(t => t.Table);
        Assert.Equal(new[] { "indicator_history", "indicator_state", "pk_versions" }, bad.Keys.Order());

        var state = bad["indicator_state"];
        Assert.Equal((0L, 0L, 1L), (state.Missing, state.Extra, state.Different));
        Assert.Equal(new Dictionary<string, object?> { ["agency"] = a, ["year"] = 2022, ["indicator"] = "IK01" }, Assert.Single(state.Examples).Key);
        Assert.Equal("different", state.Examples[0].Kind);

        var pk = bad["pk_versions"];
        Assert.Equal((0L, 1L, 0L), (pk.Missing, pk.Extra, pk.Different));
        Assert.Equal(pk.ExpectedRows + 1, pk.RowsChecked);
        Assert.Equal(new Dictionary<string, object?> { ["agency"] = a, ["year"] = 2023, ["number"] = 7 }, Assert.Single(pk.Examples).Key);

        var history = bad["indicator_history"];
        Assert.Equal((1L, 0L, 0L), (history.Missing, history.Extra, history.Different));
        Assert.Equal(new Dictionary<string, object?> { ["seq"] = historySeq, ["item"] = 0 }, Assert.Single(history.Examples).Key);
        Assert.Equal("missing", history.Examples[0].Kind);
    }

    /// <summary>
    /// The comparison is of whole rows in their text form: a number rewritten with another scale (75 → 75.00, equal as
    /// numerics) and a jsonb value are differences too; so is a row moved to another key.
    /// </summary>
    [Fact]
    public async Task Verify_ValueEqualButRewrittenOrMovedRows_AreDifferences()
    {
        await using var db = await ReadModelDb.CreateAsync();
        using var daemon = await db.StartDaemonAsync();
        var a = SakipStory.Agency(1, "sc");
        await SakipStory.AppendAsync(db, [a], years: 1);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        await daemon.StopAllAsync();

        await using (var cmd = db.Service.CreateCommand("""
            UPDATE readmodel.budget_lines SET pagu = round(pagu, 2) + 0.00 WHERE agency = @a AND code = 'P1';
            UPDATE readmodel.pk_versions SET actor = actor || '{"name": "Orang lain"}' WHERE agency = @a AND number = 0;
            UPDATE readmodel.performance_years SET year = 2030 WHERE agency = @a AND year = 2022;
            """))
        {
            cmd.Parameters.AddWithValue("a", a);
            await cmd.ExecuteNonQueryAsync();
        }
        Assert.True(await db.ScalarAsync<bool>("SELECT bool_and(pagu = round(pagu)) FROM readmodel.budget_lines WHERE code = 'P1'"));

        var v = await VerifyAsync(db);
        output.WriteLine(Describe(v));
        var bad = v.Tables.Where(t => !t.Ok).ToDictionary(t => t.Table);
        Assert.Equal(new[] { "budget_lines", "performance_years", "pk_versions" }, bad.Keys.Order());
        Assert.Equal(1, bad["budget_lines"].Different);
        Assert.Equal(1, bad["pk_versions"].Different);
        Assert.Equal((1L, 1L), (bad["performance_years"].Missing, bad["performance_years"].Extra));
        Assert.Contains(bad["performance_years"].Examples, e => e.Kind == "extra" && Equals(e.Key["year"], 2030));
    }

    /// <summary>
    /// sakip catching up from nothing writes its state tables once, at the end (docs/projections.md): mid-way (a COMMIT
    /// refused once pauses it there) the four state tables are behind its position and marked so. Verify does not compare
    /// them, says why, and is not ok; history and PK are compared at that position and are equal. Restarted and caught up:
    /// ok. A marker forged by the service role in steady state is not ok either (it must not hide forged rows), and the
    /// daemon's next page re-folds the log, rewrites the state tables and removes it: ok again.
    /// </summary>
    [Fact]
    public async Task Verify_WhileStateRowsArePending_SaysTheStateTablesAreNotComparedThenOkOnceCaughtUp()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        var agencies = Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, "vp")).ToList();
        await SakipStory.AppendAsync(db, agencies);
        await RowsWrittenOnceTests.RefuseOneCommitAsync(db, await db.HeadAsync() / 2);
        using var daemon = await db.StartDaemonAsync();
        await RowsWrittenOnceTests.WaitUntilPausedAsync(daemon);
        var position = (await SakipReadModels.StatusAsync(db.Service)).Single().Position;

        var pending = await VerifyAsync(db);
        output.WriteLine(Describe(pending));
        Assert.False(pending.Ok);
        var byTable = pending.Tables.ToDictionary(t => t.Table);
        Assert.Equal(LogFold.Tables.Order(), byTable.Keys.Order());
        foreach (var table in new[] { "indicator_state", "lkjip_rows", "budget_lines", "performance_years" })
        {
            Assert.Contains("readmodel.rows_pending", byTable[table].NotCompared);
            Assert.Contains($"behind its position {position}", byTable[table].NotCompared);
        }
        foreach (var table in new[] { "indicator_history", "pk_versions" })
        {
            Assert.True(byTable[table].Ok, Describe(pending));
            Assert.Equal(position, byTable[table].Position);
            Assert.True(byTable[table].RowsChecked > 0);
        }

        await daemon.StartAgentAsync(ReadModelDb.Shard, CancellationToken.None);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        var caughtUp = await VerifyAsync(db);
        Assert.True(caughtUp.Ok, Describe(caughtUp));

        // Forged by the service role (which may write every readmodel table): not ok until the daemon's next page.
        await using (var cmd = db.Service.CreateCommand("INSERT INTO readmodel.rows_pending (projection, since) VALUES ('sakip:All', 1)"))
            await cmd.ExecuteNonQueryAsync();
        var forged = await VerifyAsync(db);
        Assert.False(forged.Ok);
        Assert.Equal(4, forged.Tables.Count(t => t.NotCompared is not null));
        var repairs = db.State.Repairs;
        await db.AppendAsync($"year-{agencies[0]}-2022", [new Ledger.Domain.PerformanceYears.CorrectingRealization.RealizationCorrected("IK01", "Q2", 0, 51, "x", false)]);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        Assert.Equal(repairs + 1, db.State.Repairs);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending"));
        var repaired = await VerifyAsync(db);
        Assert.True(repaired.Ok, Describe(repaired));
        await LogFold.AssertTablesEqualFoldAsync(db);
        await daemon.StopAllAsync();
    }

    /// <summary>Without the TEMPORARY privilege (revoked from PUBLIC) the read models are not compared, and verify says so and why.</summary>
    [Fact]
    public async Task Verify_RoleWithoutTheTemporaryPrivilege_IsNotOkAndSaysWhatToGrant()
    {
        await using var db = await ReadModelDb.CreateAsync();
        await db.ScalarAsync<int>($"REVOKE TEMPORARY ON DATABASE \"{db.Database.Name}\" FROM PUBLIC; SELECT 1");

        var v = await VerifyAsync(db);
        Assert.False(v.Ok);
        Assert.Empty(v.Tables);
        Assert.Contains("may not create temporary tables", v.NotChecked);
        Assert.Contains("GRANT TEMPORARY ON DATABASE", v.NotChecked);
    }
}
