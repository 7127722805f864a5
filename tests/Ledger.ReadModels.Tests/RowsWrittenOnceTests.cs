using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// Projection <c>sakip</c> catching up from nothing (a new shard, a rebuild) writes the four state tables once, at the
/// end, instead of once per page (docs/projections.md "State rows written once"): full pages with more of the log after
/// them commit the progression, the history and PK rows and the marker <c>readmodel.rows_pending</c>, and no state row;
/// the first page that is not full writes every state row and deletes the marker. A page that finds the marker without
/// the memory of those events (a failed commit, a restart, another node) re-folds every agency from the log first.
/// </summary>
public sealed class RowsWrittenOnceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(60);

    /// <summary>Both ways of writing the state rows during a catch-up from nothing give the fold of the log.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CatchUpFromNothing_FullPages_EveryTableEqualsTheFold(bool once)
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        db.State.WriteRowsOnce = once;
        var appended = await SakipStory.AppendAsync(db, Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, once ? "wo" : "wp")).ToList());
        using var daemon = await db.StartDaemonAsync(); // the whole log is there: the pages from 0 are full
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        output.WriteLine($"{appended} events; deferred pages {db.State.DeferredPages}; {db.State.StatePhases}");

        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending"));
        Assert.Equal(0, db.State.Repairs);
        if (once) Assert.True(db.State.DeferredPages >= appended / 40 - 2, $"{db.State.DeferredPages} pages deferred of {appended / 40}");
        else Assert.Equal(0, db.State.DeferredPages);
        await daemon.StopAllAsync();
    }

    /// <summary>
    /// A deferred trigger refuses, once, the COMMIT of a page in the middle of the catch-up. Before it: the earlier
    /// pages committed their progression, history rows and the marker, and no state row (the tables are behind their
    /// progression, and say so). Restarted, the next page does not trust the memory, finds the marker, re-folds every
    /// agency from the log up to the committed progression (one repair), goes on deferring, and the last page writes
    /// every state row: the fold of the log, marker gone.
    /// </summary>
    [Fact]
    public async Task CatchUpFromNothing_CommitFailsMidway_StateTablesBehindWithTheMarkerThenRepairedFromTheLog()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        await SakipStory.AppendAsync(db, Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, "rp")).ToList());
        var head = await db.HeadAsync();
        await RefuseOneCommitAsync(db, head / 2);
        using var daemon = await db.StartDaemonAsync();
        await WaitUntilPausedAsync(daemon);
        var position = (await SakipReadModels.StatusAsync(db.Service)).Single().Position;
        output.WriteLine($"head {head}, paused at {position}; deferred pages {db.State.DeferredPages}");
        Assert.InRange(position, 1, head / 2);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending WHERE projection = 'sakip:All' AND since = 0"));
        foreach (var table in new[] { "indicator_state", "lkjip_rows", "budget_lines", "performance_years" })
            Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM readmodel.{table}"));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history") > 0);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE seq > @p", ("p", position)));
        Assert.Equal(0, db.State.Repairs);

        await daemon.StartAgentAsync(ReadModelDb.Shard, CancellationToken.None);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        output.WriteLine($"deferred pages {db.State.DeferredPages}, repairs {db.State.Repairs}; {db.State.StatePhases}");
        Assert.Equal(1, db.State.Repairs);
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending"));
        await daemon.StopAllAsync();
    }

    /// <summary>A deferred trigger (as the owner) that refuses, once, the COMMIT of the page writing the first history row after <paramref name="afterSeq"/>.</summary>
    internal static Task RefuseOneCommitAsync(ReadModelDb db, long afterSeq) => db.ScalarAsync<int>($"""
        CREATE SEQUENCE public.fail_once;
        CREATE FUNCTION public.fail_once() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
        BEGIN
            IF NEW.seq > {afterSeq} AND nextval('public.fail_once') = 1 THEN
                RAISE EXCEPTION 'commit refused once (test)';
            END IF;
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER fail_once AFTER INSERT ON readmodel.indicator_history
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.fail_once();
        SELECT 1
        """);

    /// <summary>Until the daemon reports sakip paused (a bare daemon does not restart it).</summary>
    internal static async Task WaitUntilPausedAsync(JasperFx.Events.Daemon.IProjectionDaemon daemon)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (daemon.Tracker.CurrentState(ReadModelDb.Shard)?.AgentStatus != "Paused")
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the refused commit never paused sakip");
            await Task.Delay(20);
        }
    }
}
