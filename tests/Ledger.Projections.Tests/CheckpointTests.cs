using Ledger.EventStore;
using Ledger.Projections;

namespace Ledger.Projections.Tests;

/// <summary>The checkpoint protocol itself (style #7) and the inline/async rule.</summary>
public sealed class CheckpointTests
{
    [Fact]
    public async Task ApplyBatch_SecondRunnerWithStaleCheckpointSameRange_OnlyTheFirstCommits()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await Writers.RunAsync(db.Store, writers: 2, appends: 10);
        var events = await ReadAllAsync(db);
        var last = new GlobalPosition(events[^1].Sequence);
        await RegisterAsync(db, "stream_totals");

        // Without the applied-seq table, so the second apply itself succeeds and only the CAS can stop it.
        var first = new ProjectionBatchRunner(db.Service);
        var second = new ProjectionBatchRunner(db.Service);
        Assert.Equal(BatchOutcome.Committed, await first.ApplyAsync(new StreamTotalsProjection(trackApplied: false), GlobalPosition.Start, events, last));
        var stale = new StreamTotalsProjection(trackApplied: false);
        Assert.Equal(BatchOutcome.Conflict, await second.ApplyAsync(stale, GlobalPosition.Start, events, last));
        Assert.Equal(1, stale.ApplyCalls); // it did write its rows; they were rolled back with the failed CAS

        Assert.Equal(last, (await db.Checkpoints.GetStatusAsync("stream_totals"))!.Position);
        Assert.Equal(events.Count, await db.ScalarAsync<long>("SELECT sum(events)::bigint FROM readmodel.stream_totals"));
    }

    [Fact]
    public async Task ApplyBatch_ManyRunnersAtOnceSameRange_ExactlyOneCommits()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await Writers.RunAsync(db.Store, writers: 2, appends: 10);
        var events = await ReadAllAsync(db);
        await RegisterAsync(db, "stream_totals");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() =>
            new ProjectionBatchRunner(db.Service).ApplyAsync(new StreamTotalsProjection(trackApplied: false), GlobalPosition.Start,
                events, new GlobalPosition(events[^1].Sequence)))));

        Assert.Single(outcomes, o => o == BatchOutcome.Committed);
        Assert.All(outcomes, o => Assert.True(o is BatchOutcome.Committed or BatchOutcome.Conflict or BatchOutcome.Locked, o.ToString()));
        Assert.Equal(events.Count, await db.ScalarAsync<long>("SELECT sum(events)::bigint FROM readmodel.stream_totals"));
    }

    [Fact]
    public async Task Append_InlineProjection_IsAppliedInTheAppendTransactionAndTheDaemonRefusesIt()
    {
        await using var db = await ProjectionDb.CreateAsync();
        var inline = new TypeCountsProjection("inline_counts", new HashSet<string> { Writers.Incremented });
        var store = new PostgresEventStore(db.Service, [new InlineProjectionAdapter(inline, db.Service)]);

        await store.AppendAsync(new AppendRequest(new StreamName("s-1"), "counter", null, ExpectedVersion.Any,
            [Writers.Event(Writers.Incremented, 1), Writers.Event(Writers.Noted, 2), Writers.Event(Writers.Incremented, 3)], AppendMetadata.None));

        // Read-your-writes: visible as soon as the append returns, filtered by the projection's event types.
        Assert.Equal(2, await db.ScalarAsync<long>("SELECT events FROM readmodel.type_counts WHERE projection = 'inline_counts'"));
        var status = (await db.Checkpoints.GetStatusAsync("inline_counts"))!;
        Assert.Equal(ProjectionKind.Inline, status.Kind);

        var daemon = db.Daemon(new TypeCountsProjection("inline_counts"));
        await Assert.ThrowsAsync<ProjectionKindException>(() => daemon.RunAsync(CancellationToken.None));
        Assert.Equal(2, await db.ScalarAsync<long>("SELECT events FROM readmodel.type_counts WHERE projection = 'inline_counts'"));
    }

    [Fact]
    public async Task Append_AsyncProjectionAlsoAddedInline_IsRefusedAndTheAppendRollsBack()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await RegisterAsync(db, "stream_totals");
        var store = new PostgresEventStore(db.Service, [new InlineProjectionAdapter(new StreamTotalsProjection(), db.Service)]);

        await Assert.ThrowsAsync<ProjectionKindException>(() => store.AppendAsync(new AppendRequest(new StreamName("s-1"), "counter",
            null, ExpectedVersion.Any, [Writers.Event(Writers.Incremented, 1)], AppendMetadata.None)));
        Assert.Equal(0, await db.HeadAsync());
    }

    private static Task RegisterAsync(ProjectionDb db, params string[] names) => db.Checkpoints.RegisterAsync(names, ProjectionKind.Async);

    private static async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(ProjectionDb db)
    {
        var reader = db.Store.CreateAllStreamReader();
        var head = await db.HeadAsync();
        for (var i = 0; i < 500; i++)
        {
            var events = await reader.ReadNextAsync(GlobalPosition.Start, 10_000);
            if (events.Count > 0 && events[^1].Sequence == head) return events;
            await Task.Delay(10); // the reader hands out only settled events: wait for its mark
        }
        Assert.Fail("the log never settled");
        return [];
    }
}
