using Ledger.EventStore;
using Ledger.Projections;

namespace Ledger.Projections.Tests;

/// <summary>
/// Rebuilds of an <see cref="IBufferedProjection"/> (issue 4): many read batches folded in memory, written with the
/// checkpoint every N events. The guarantees are those of plain batches: the writes and the checkpoint commit together,
/// a crash anywhere resumes from the last flush with nothing skipped or doubled, a poison event fails the projection
/// at exactly that event, and progress is reported per read batch during the in-memory stretches.
/// </summary>
public sealed class BufferedRebuildTests
{
    private const string TableHash = """
        SELECT md5(coalesce(string_agg(stream || ':' || events || ':' || total, ',' ORDER BY stream), ''))
        FROM readmodel.stream_totals WHERE projection = 'stream_totals'
        """;

    [Fact]
    public async Task Rebuild_BufferedProjection_WritesOncePerIntervalReportsEveryBatchAndEqualsTheDaemonsTable()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await RebuildTests.AppendManyAsync(db.Store, streams: 8, appends: 50, perAppend: 100); // 40 000 events (8 connections)
        await CatchUpWithDaemonAsync(db, new StreamTotalsProjection());
        var before = await db.ScalarAsync<string>(TableHash);
        await db.ScalarAsync<int>("WITH u AS (UPDATE readmodel.stream_totals SET events = events + 1000 RETURNING 1) SELECT count(*)::int FROM u");

        var buffered = new BufferedStreamTotalsProjection(flushEvery: 15_000);
        var flushedAt = new List<long>();
        buffered.AfterFlushWrites = async _ => flushedAt.Add((await db.Checkpoints.GetStatusAsync("stream_totals"))!.Position.Value);
        var progress = new ProgressLog();
        var result = await new ProjectionRebuilder(db.Service, batchSize: 2_000).RebuildAsync(buffered, progress);

        Assert.Equal(before, await db.ScalarAsync<string>(TableHash));
        await db.AssertStreamTotalsExactlyOnceAsync();
        Assert.Equal((40_000L, 40_000L), (result.Total, result.Done));
        Assert.Equal(20, buffered.Folds);
        Assert.Equal(3, buffered.Flushes); // after 16 000 and 32 000 events, and at the end
        Assert.Equal(0, buffered.ApplyCalls);
        Assert.Equal(0, buffered.Discards);
        // Each flush's writes saw the previous flush's checkpoint (the CAS moves it in the same transaction).
        Assert.Equal(0, flushedAt[0]);
        Assert.Equal(await db.ScalarAsync<long>("SELECT seq FROM eventstore.events ORDER BY seq OFFSET 15999 LIMIT 1"), flushedAt[1]);
        var reports = progress.Reports.ToList();
        Assert.True(reports.Count >= 20, $"expected a report per read batch, got {reports.Count}");
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Done <= p.Second.Done), "progress went backwards");
        Assert.Equal(2_000, reports[0].Done); // reported while the first stretch was still only in memory
        Assert.Equal(40_000, reports[^1].Done);
        var status = (await db.Checkpoints.GetStatusAsync("stream_totals"))!;
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Equal(await db.HeadAsync(), status.Position.Value);
    }

    [Fact]
    public async Task Rebuild_BufferedProjectionCrashesInTheMiddleOfAStretch_ResumesFromTheLastFlushExactlyOnce()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await RebuildTests.AppendManyAsync(db.Store, streams: 8, appends: 50, perAppend: 100);
        using var crash = new CancellationTokenSource();
        var buffered = new BufferedStreamTotalsProjection(flushEvery: 10_000)
        {
            AfterFold = fold => { if (fold == 8) crash.Cancel(); return Task.CompletedTask; }, // 16 000 folded, 10 000 flushed
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new ProjectionRebuilder(db.Service, batchSize: 2_000).RebuildAsync(buffered, null, crash.Token));

        var status = (await db.Checkpoints.GetStatusAsync("stream_totals"))!;
        var tenThousandth = await db.ScalarAsync<long>("SELECT seq FROM eventstore.events ORDER BY seq OFFSET 9999 LIMIT 1");
        Assert.Equal(tenThousandth, status.Position.Value);
        Assert.Equal(ProjectionState.Rebuilding, status.State);
        Assert.Equal(10_000, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.applied WHERE projection = 'stream_totals'"));
        Assert.Equal(tenThousandth, await db.ScalarAsync<long>("SELECT max(seq) FROM readmodel.applied WHERE projection = 'stream_totals'"));
        Assert.Equal(10_000, await db.ScalarAsync<long>("SELECT sum(events)::bigint FROM readmodel.stream_totals WHERE projection = 'stream_totals'"));
        Assert.Equal(1, buffered.Discards);

        // The same instance (as the service's daemon reuses its projections) carries on from the checkpoint.
        await CatchUpWithDaemonAsync(db, buffered);
        await db.AssertStreamTotalsExactlyOnceAsync();
        Assert.Equal(ProjectionState.Running, (await db.Checkpoints.GetStatusAsync("stream_totals"))!.State);
    }

    [Fact]
    public async Task Rebuild_BufferedProjectionCrashesAfterAFlushsWritesBeforeItsCheckpoint_TheFlushRollsBackAndARestartIsExactlyOnce()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await RebuildTests.AppendManyAsync(db.Store, streams: 4, appends: 50, perAppend: 100); // 20 000
        using var crash = new CancellationTokenSource();
        var buffered = new BufferedStreamTotalsProjection(flushEvery: 6_000)
        {
            AfterFlushWrites = flush => { if (flush == 2) crash.Cancel(); return Task.CompletedTask; },
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new ProjectionRebuilder(db.Service, batchSize: 2_000).RebuildAsync(buffered, null, crash.Token));

        var firstFlush = await db.ScalarAsync<long>("SELECT seq FROM eventstore.events ORDER BY seq OFFSET 5999 LIMIT 1");
        Assert.Equal(firstFlush, (await db.Checkpoints.GetStatusAsync("stream_totals"))!.Position.Value);
        Assert.Equal(6_000, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.applied WHERE projection = 'stream_totals'"));

        // A new process: a fresh instance continues from the checkpoint.
        await CatchUpWithDaemonAsync(db, new StreamTotalsProjection());
        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    [Fact]
    public async Task Rebuild_BufferedProjectionMeetsAPoisonEvent_FailsAtExactlyThatEventWithEverythingBeforeItCommitted()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await Writers.RunAsync(db.Store, writers: 2, appends: 40);
        var marked = await db.Store.AppendAsync(new AppendRequest(new StreamName("s-poisoned"), "counter", null, ExpectedVersion.Any,
            [Writers.Event(Writers.Incremented, 1), Writers.Event(Writers.Incremented, 2), new EventData(Guid.NewGuid(), "poison", "{}"),
             Writers.Event(Writers.Incremented, 3)], AppendMetadata.None));
        var poisonSeq = marked.Sequences[2];
        await Writers.RunAsync(db.Store, writers: 2, appends: 40);
        var buffered = new BufferedStreamTotalsProjection(flushEvery: 50);

        var failed = await Assert.ThrowsAsync<ProjectionFailedException>(
            () => new ProjectionRebuilder(db.Service, batchSize: 30).RebuildAsync(buffered));

        Assert.Equal(poisonSeq, failed.EventSequence);
        var status = (await db.Checkpoints.GetStatusAsync("stream_totals"))!;
        Assert.Equal(ProjectionState.Failed, status.State);
        Assert.Equal(poisonSeq, status.ErrorEventSequence);
        Assert.Equal(marked.Sequences[1], status.Position.Value);
        Assert.Contains($"poison event at seq {poisonSeq}", status.Error);
        Assert.Equal(marked.Sequences[1], await db.ScalarAsync<long>("SELECT max(seq) FROM readmodel.applied WHERE projection = 'stream_totals'"));
        Assert.Equal(await db.ScalarAsync<long>("SELECT count(*) FROM eventstore.events WHERE seq < @s", ("s", poisonSeq)),
            await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.applied WHERE projection = 'stream_totals'"));
        Assert.True(buffered.Discards >= 1);

        buffered.Healed = true;
        Assert.True(await db.Checkpoints.RetryAsync("stream_totals"));
        await CatchUpWithDaemonAsync(db, buffered);
        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    [Fact]
    public async Task Rebuild_BufferedFlushThrows_ReplaysTheStretchBatchByBatchAndEndsExactlyOnce()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await RebuildTests.AppendManyAsync(db.Store, streams: 2, appends: 50, perAppend: 100); // 10 000
        var buffered = new BufferedStreamTotalsProjection(flushEvery: 3_000);
        buffered.AfterFlushWrites = flush => flush == 2 ? throw new InvalidOperationException("disk full, say") : Task.CompletedTask;

        var result = await new ProjectionRebuilder(db.Service, batchSize: 1_000).RebuildAsync(buffered);

        Assert.Equal(10_000, result.Done);
        Assert.Equal(1, buffered.Discards);
        Assert.True(buffered.ApplyCalls > 0, "the rest should have been applied batch by batch");
        await db.AssertStreamTotalsExactlyOnceAsync();
        var status = (await db.Checkpoints.GetStatusAsync("stream_totals"))!;
        Assert.Equal((ProjectionState.Running, await db.HeadAsync()), (status.State, status.Position.Value));
    }

    private static async Task CatchUpWithDaemonAsync(ProjectionDb db, IProjection projection)
    {
        using var cts = new CancellationTokenSource();
        var running = db.Daemon(projection).RunAsync(cts.Token);
        await db.WaitForCatchUpAsync(TimeSpan.FromSeconds(30), projection.Name);
        await cts.CancelAsync();
        await running;
    }
}
