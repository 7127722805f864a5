using Ledger.Domain;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Marten;
using Marten.Services;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// (a) exactly once under concurrent writers whose appends sometimes roll back (gaps in the sequence), and (b) a commit
/// held open past the daemon's stale-gap threshold is projected once it commits, not skipped.
/// </summary>
public sealed class DaemonTests(ITestOutputHelper output)
{
    private const string Realization = "realization.recorded.v1";

    [Fact]
    public async Task Run_EightWritersSomeAppendsRolledBack_EveryCommittedEventProjectedExactlyOnce()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 100);
        var agencies = Enumerable.Range(1, 8).Select(n => SakipStory.Agency(n, "ex")).ToList();
        // The agencies and their plans first (so realizations have indicator rows); then the daemon and the writers.
        await Task.WhenAll(agencies.Select(a => Task.Run(async () =>
        {
            foreach (var (stream, events) in SakipStory.Appends(a, years: 0)) await db.AppendAsync(stream, events);
            await db.AppendAsync($"year-{a}-2023", [SakipStory.Budget(), SakipStory.Pk(a, 2023)]);
        })));
        using var daemon = await db.StartDaemonAsync();

        var rolledBack = 0;
        var committed = 0;
        await Task.WhenAll(agencies.Select((a, w) => Task.Run(async () =>
        {
            var stream = $"year-{a}-2023";
            var recorded = 0; // each (indicator, period) is recorded once, as the domain requires; spending repeats
            for (var i = 0; i < 60; i++)
            {
                var commits = (i + w) % 7 is not (3 or 5);
                var events = Enumerable.Range(0, 1 + i % 3).Select<int, IDomainEvent>(k => k % 2 == 0 && commits && recorded < Combos.Count
                    ? Realized(Combos[recorded++], 10 + i + k)
                    : commits || k % 2 == 1 ? new SpendingRecorded("P0.0", 1_000_000m + i, "Q1", 0, 0, false) : Realized(("IK00", "S1"), 999)).ToList();
                switch ((i + w) % 7)
                {
                    case 3: // an explicit transaction around Marten's append, rolled back
                        await AppendAndRollBackAsync(db, stream, events);
                        Interlocked.Increment(ref rolledBack);
                        break;
                    case 5: // a failing append: the expected version is wrong (Marten's append function refuses it)
                        await Assert.ThrowsAnyAsync<Exception>(() => AppendExpectingAsync(db, stream, 10_000, events));
                        Interlocked.Increment(ref rolledBack);
                        break;
                    default:
                        await db.AppendAsync(stream, events);
                        Interlocked.Add(ref committed, events.Count);
                        break;
                }
            }
        })));

        await db.WaitForCatchUpAsync(daemon, TimeSpan.FromSeconds(90));
        output.WriteLine($"{committed} events committed, {rolledBack} appends rolled back; sakip-state {db.State.StatePhases}; cache reloads {db.State.CacheReloads}");
        var head = await db.HeadAsync();
        Assert.True(head > await db.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events"), "the rolled-back appends should have left gaps in the sequence");

        // sakip-history: one row per committed realization, none for a rolled-back one, none twice.
        var realizations = await db.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE type = @t", ("t", Realization));
        Assert.Equal(realizations, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE event_type = @t", ("t", Realization)));
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM ledger.mt_events e
             WHERE e.type = @t AND NOT EXISTS (SELECT FROM readmodel.indicator_history h WHERE h.seq = e.seq_id)
            """, ("t", Realization)));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE effective_period = 'S1' OR reason = 'rolled back'"));
        // sakip-state: spending sums, realizations and versions are those of the committed events only, each once.
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.All(await SakipReadModels.StatusAsync(db.Service), s => Assert.Equal(head, s.Position));
        await daemon.StopAllAsync();
    }

    [Fact]
    public async Task Run_CommitHeldOpenPastTheStaleGapThreshold_IsProjectedOnceItCommits()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 100);
        var (held, busy) = (SakipStory.Agency(1, "st"), SakipStory.Agency(2, "st"));
        foreach (var a in new[] { held, busy })
        {
            foreach (var (stream, events) in SakipStory.Appends(a, years: 0)) await db.AppendAsync(stream, events);
            await db.AppendAsync($"year-{a}-2023", [SakipStory.Budget(), SakipStory.Pk(a, 2023)]);
        }
        using var daemon = await db.StartDaemonAsync();
        await db.WaitForCatchUpAsync(daemon, TimeSpan.FromSeconds(30));

        // A transaction that has called Marten's append function (its sequence number is taken) and stays open.
        await using var conn = new NpgsqlConnection(db.ServiceConnectionString);
        await conn.OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        await using (var session = db.Store.LightweightSession(SessionOptions.ForTransaction(tx)))
        {
            ReadModelDb.Stamp(session, $"year-{held}-2023");
            session.Events.Append($"year-{held}-2023", new RealizationRecorded("IK01", "Q2", 77.7m, null, null, null, null, null));
            await session.SaveChangesAsync();
        }
        long heldSeq;
        await using (var cmd = new NpgsqlCommand($"SELECT max(seq_id) FROM ledger.mt_events WHERE stream_id = 'year-{held}-2023'", conn, tx))
            heldSeq = (long)(await cmd.ExecuteScalarAsync())!;

        // Others append after it and commit; the daemon sees a gap at heldSeq for longer than its 3 s threshold.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var after = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await db.AppendAsync($"year-{busy}-2023", [Realized(Combos[after], 50 + after)]);
            after++;
            await Task.Delay(200);
        }
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE seq = @s", ("s", heldSeq)));
        await tx.CommitAsync();

        await db.WaitForCatchUpAsync(daemon, TimeSpan.FromSeconds(30));
        output.WriteLine($"held seq {heldSeq}, {after} appends after it; high water skips: " +
            await db.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_high_water_skips"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE seq = @s", ("s", heldSeq)));
        Assert.Equal(77.7m, await db.ScalarAsync<decimal>(
            "SELECT realization_q2 FROM readmodel.indicator_state WHERE agency = @a AND year = 2023 AND indicator = 'IK01'", ("a", held)));
        Assert.Equal(after, (int)await db.ScalarAsync<long>(
            "SELECT count(*) FROM readmodel.indicator_history WHERE agency = @a AND event_type = @t", ("a", busy), ("t", Realization)));
        await LogFold.AssertTablesEqualFoldAsync(db);
        await daemon.StopAllAsync();
    }

    /// <summary>
    /// The transaction participant's contract: sakip-state folds a batch into its cache and writes its rows in
    /// BeforeCommitAsync, then the COMMIT fails (a deferred trigger raises once, at commit, on the first 2023 budget
    /// line). Nothing of that batch may be kept, in the tables (the transaction rolls back) or in the cache (not accepted
    /// without AfterCommitAsync): the next attempt re-folds the touched agencies from the log and the tables equal the fold.
    /// </summary>
    [Fact]
    public async Task Run_CommitFailsAfterTheProjectionWrote_TheRetryReloadsFromTheLogAndEqualsTheFold()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 60);
        await db.ScalarAsync<int>("""
            CREATE SEQUENCE public.fail_once;
            CREATE FUNCTION public.fail_once() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
            BEGIN
                IF NEW.year = 2023 AND nextval('public.fail_once') = 1 THEN
                    RAISE EXCEPTION 'commit refused once (test)';
                END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER fail_once AFTER INSERT ON readmodel.budget_lines
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.fail_once();
            SELECT 1
            """);
        using var daemon = await db.StartDaemonAsync();
        var agencies = Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, "cf")).ToList();
        await SakipStory.AppendAsync(db, agencies);

        // The failed batch pauses the shard (the daemon's coordinator restarts paused agents; a bare daemon does not).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (daemon.Tracker.CurrentState(ReadModelDb.Shard)?.AgentStatus != "Paused")
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the refused commit never paused sakip");
            await Task.Delay(20);
        }
        output.WriteLine($"the paused shard's failure: {daemon.Tracker.CurrentState(ReadModelDb.Shard)!.Failure}");
        // The COMMIT was refused: the trigger raises on its sequence's first value, so a consumed sequence means it did.
        // (The paused state usually carries that failure; once, in CI on 2026-12-05, it carried the event loader's
        // "Failure while trying to load events …" instead, reported after it. The contract below does not depend on it.)
        Assert.True(await db.ScalarAsync<bool>("SELECT is_called FROM public.fail_once"), "the trigger never refused a commit");
        var reloads = db.State.CacheReloads;
        await daemon.StartAgentAsync(ReadModelDb.Shard, CancellationToken.None);

        await db.WaitForCatchUpAsync(daemon, TimeSpan.FromSeconds(60));
        output.WriteLine($"sakip-state {db.State.StatePhases}; cache reloads {reloads} before the restart, {db.State.CacheReloads} after");
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(reloads + 1, db.State.CacheReloads); // the first batch after the failed commit did not trust the cache
        await daemon.StopAllAsync();
    }

    /// <summary>(indicator, period) pairs a year stream may record once each; rolled-back appends record S1, which no commit uses.</summary>
    private static readonly List<(string Indicator, string Period)> Combos =
        [.. from i in Enumerable.Range(0, SakipStory.Indicators) from p in new[] { "Q1", "Q2", "Q3", "Q4", "Y" } select ($"IK0{i}", p)];

    private static RealizationRecorded Realized((string Indicator, string Period) c, decimal value) =>
        new(c.Indicator, c.Period, value, null, null, null, null, null);

    private static async Task AppendAndRollBackAsync(ReadModelDb db, string stream, IReadOnlyList<IDomainEvent> events)
    {
        await using var conn = new NpgsqlConnection(db.ServiceConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var session = db.Store.LightweightSession(SessionOptions.ForTransaction(tx)))
        {
            ReadModelDb.Stamp(session, stream);
            session.SetHeader(Storage.EventHeaders.Reason, "rolled back");
            session.Events.Append(stream, events.Cast<object>().ToArray());
            await session.SaveChangesAsync();
        }
        await tx.RollbackAsync();
    }

    private static async Task AppendExpectingAsync(ReadModelDb db, string stream, long expectedVersion, IReadOnlyList<IDomainEvent> events)
    {
        await using var session = db.Store.LightweightSession();
        ReadModelDb.Stamp(session, stream);
        session.SetHeader(Storage.EventHeaders.Reason, "rolled back");
        session.Events.Append(stream, expectedVersion + events.Count, events.Cast<object>().ToArray());
        await session.SaveChangesAsync();
    }
}
