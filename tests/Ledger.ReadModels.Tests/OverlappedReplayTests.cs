using JasperFx.Events.Daemon;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// A replay of projection <c>sakip</c> from the start of the log (a rebuild; a shard that has committed nothing starting
/// on a log with events) is driven by <see cref="OverlappedReplay"/>: Marten's execution, but the next page is
/// loaded while the current one is written (docs/projections.md, "Rebuilds load the next page while one is written").
/// The tables come out as the fold of the log, as with Marten's own loop; a page that fails stops the rebuild with that
/// page's exception, as Marten's rebuild does, and nothing of it or after it is written.
/// </summary>
public sealed class OverlappedReplayTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Rebuild_LoadsEachNextPageBeforeTheOneBeforeCommits_TablesEqualTheFoldAsWithMartensLoop()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        var appended = await SakipStory.AppendAsync(db, Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, "ov")).ToList());
        using var daemon = await db.StartDaemonAsync();
        await db.WaitForCatchUpAsync(daemon, Timeout);
        var head = await db.HeadAsync();

        // Marten's own loop first (the baseline): no replay of ours, no load marks, the fold of the log.
        db.Projection.OverlapReplayLoads = false;
        var replays = db.Projection.OverlappedReplays;
        db.Projection.Timings.Timeline = true;
        db.Projection.Timings.Marks();
        await daemon.RebuildProjectionAsync(SakipCombinedProjection.ProjectionName, Timeout, CancellationToken.None);
        Assert.Equal(replays, db.Projection.OverlappedReplays);
        Assert.DoesNotContain(db.Projection.Timings.Marks(), m => m.What.StartsWith("loading from", StringComparison.Ordinal));
        await LogFold.AssertTablesEqualFoldAsync(db);

        // Then ours: the same tables, and every page after the first was being loaded before the page before it committed.
        db.Projection.OverlapReplayLoads = true;
        await daemon.RebuildProjectionAsync(SakipCombinedProjection.ProjectionName, Timeout, CancellationToken.None);
        Assert.Equal(replays + 1, db.Projection.OverlappedReplays);
        var marks = db.Projection.Timings.Marks().Select(m => m.What).ToList();
        output.WriteLine($"{appended} events, head {head}: " + string.Join(" | ", marks));
        var loads = marks.Select((m, i) => (m, i)).Where(x => x.m.StartsWith("loading from", StringComparison.Ordinal)).Select(x => x.i).ToList();
        var commits = marks.Select((m, i) => (m, i)).Where(x => x.m == "committed").Select(x => x.i).ToList();
        var pages = (int)Math.Ceiling(head / 40.0);
        Assert.Equal(pages, loads.Count);
        Assert.Equal(pages, commits.Count);
        for (var k = 1; k < pages; k++)
            Assert.True(loads[k] < commits[k - 1], $"page {k + 1}'s load did not start before page {k} committed: {string.Join(" | ", marks)}");
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(head, (await SakipReadModels.StatusAsync(db.Service)).Single().Position);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending"));
        await daemon.StopAllAsync();
    }

    [Fact]
    public async Task CatchUpFromNothing_ReplayedWithLoadsAhead_ThenContinuousPagesAsBefore()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        await SakipStory.AppendAsync(db, Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, "oc")).ToList());
        using var daemon = await db.StartDaemonAsync(); // nothing committed, the log has events: the agent asks for a replay
        await db.WaitForCatchUpAsync(daemon, Timeout);
        Assert.Equal(1, db.Projection.OverlappedReplays);
        await LogFold.AssertTablesEqualFoldAsync(db);

        // Afterwards the agent runs its own continuous loop: new events are projected, no further replay.
        await SakipStory.AppendAsync(db, [SakipStory.Agency(4, "oc")]);
        await db.WaitForCatchUpAsync(daemon, Timeout);
        Assert.Equal(1, db.Projection.OverlappedReplays);
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(JasperFx.AgentStatus.Running, daemon.StatusFor(ReadModelDb.Shard));
        await daemon.StopAllAsync();
    }

    [Fact]
    public async Task Rebuild_PoisonEventMidLog_FailsWithThatEventsExceptionAndWritesNothingOfItsPageOrAfter()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        var a = SakipStory.Agency(1, "op");
        await SakipStory.AppendAsync(db, [a], years: 1);
        await db.AppendAsync($"year-{a}-2024", [new BudgetEnacted(null!, [], 0)]); // Marten loads it; the fold cannot apply it
        var poison = await db.HeadAsync();
        await SakipStory.AppendAsync(db, [SakipStory.Agency(2, "op")], years: 1);
        Assert.True(await db.HeadAsync() > poison + 40, "the poison page is not the last");
        using var daemon = await db.StartDaemonAsync();
        await RowsWrittenOnceTests.WaitUntilPausedAsync(daemon); // the catch-up from nothing stops there too
        await daemon.StopAllAsync();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => daemon.RebuildProjectionAsync(SakipCombinedProjection.ProjectionName, Timeout, CancellationToken.None));
        output.WriteLine(failure.ToString());
        var named = Assert.IsType<ApplyEventException>(failure);
        Assert.Equal(poison, named.Event.Sequence);
        Assert.IsType<ArgumentNullException>(named.InnerException);
        Assert.Equal(2, db.Projection.OverlappedReplays);

        // The pages before the poison's committed; nothing of its page or after it is in any table.
        var position = (await SakipReadModels.StatusAsync(db.Service)).Single().Position;
        Assert.InRange(position, poison - 40, poison - 1);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE seq > @p", ("p", position)));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending WHERE projection = 'sakip:All'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_state"));
    }
}
