using Ledger.Projections;

namespace Ledger.Projections.Tests;

/// <summary>The async daemon: exactly once under concurrent writers, across restarts and across leader changes.</summary>
public sealed class DaemonTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(20);
    private static readonly HashSet<string> OnlyIncremented = [Writers.Incremented];

    [Fact]
    public async Task Run_ConcurrentWritersAppend_AppliesEveryEventExactlyOnce()
    {
        await using var db = await ProjectionDb.CreateAsync();
        var daemon = db.Daemon(new StreamTotalsProjection(), new TypeCountsProjection("incremented", OnlyIncremented));
        using var cts = new CancellationTokenSource();
        var running = daemon.RunAsync(cts.Token);

        await Writers.RunAsync(db.Store, writers: 8, appends: 120);
        await db.WaitForCatchUpAsync(CatchUp, "stream_totals", "incremented");
        await cts.CancelAsync();
        await running;

        await db.AssertStreamTotalsExactlyOnceAsync();
        await db.AssertTypeCountsExactlyOnceAsync("incremented", Writers.Incremented);
        Assert.All(await db.Checkpoints.GetStatusAsync(), s => Assert.Equal(ProjectionState.Running, s.State));
    }

    [Fact]
    public async Task Run_KilledBetweenWritesAndCheckpointThenRestarted_AppliesEveryEventExactlyOnce()
    {
        await using var db = await ProjectionDb.CreateAsync();
        using var first = new CancellationTokenSource();
        // Dies on its 4th batch after the projection wrote its rows and before the checkpoint moved: that batch must
        // roll back and be applied again by the next daemon, not lost and not doubled.
        var dying = new StreamTotalsProjection { AfterWrites = call => { if (call == 4) first.Cancel(); return Task.CompletedTask; } };
        var options = ProjectionDb.FastOptions with { BatchSize = 40 };
        var writing = Writers.RunAsync(db.Store, writers: 8, appends: 100);
        var running = new ProjectionDaemon(db.Service, [dying], options).RunAsync(first.Token);

        await running; // returns once cancelled
        Assert.Equal(4, dying.ApplyCalls);
        var afterKill = (await db.Checkpoints.GetStatusAsync("stream_totals"))!.Position.Value;
        var appliedAfterKill = await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.applied");
        Assert.Equal(afterKill, await db.ScalarAsync<long>("SELECT coalesce(max(seq), 0) FROM readmodel.applied"));
        Assert.True(appliedAfterKill > 0, "three batches should have committed before the kill");

        using var second = new CancellationTokenSource();
        var restarted = new ProjectionDaemon(db.Service, [new StreamTotalsProjection()], options).RunAsync(second.Token);
        await writing;
        await db.WaitForCatchUpAsync(CatchUp, "stream_totals");
        await second.CancelAsync();
        await restarted;

        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    [Fact]
    public async Task Run_TwoDaemonsOnOneDatabase_OnlyOneLeadsAndTheStandbyTakesOverWhenItStops()
    {
        await using var db = await ProjectionDb.CreateAsync();
        var pa = new StreamTotalsProjection();
        var pb = new StreamTotalsProjection();
        var a = db.Daemon(pa);
        var b = db.Daemon(pb);
        using var ca = new CancellationTokenSource();
        using var cb = new CancellationTokenSource();
        var runA = a.RunAsync(ca.Token);
        await WaitUntil(() => a.IsLeader, "A never led");
        var runB = b.RunAsync(cb.Token);

        var bothLed = false;
        using var watching = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested) { bothLed |= a.IsLeader && b.IsLeader; await Task.Delay(1); }
        });

        await Writers.RunAsync(db.Store, writers: 8, appends: 40);
        await db.WaitForCatchUpAsync(CatchUp, "stream_totals");
        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        Assert.True(pa.ApplyCalls > 0);
        Assert.Equal(0, pb.ApplyCalls);

        await ca.CancelAsync();
        await runA;
        var aCalls = pa.ApplyCalls;
        await WaitUntil(() => b.IsLeader, "B never took over");

        await Writers.RunAsync(db.Store, writers: 8, appends: 40);
        await db.WaitForCatchUpAsync(CatchUp, "stream_totals");
        await watching.CancelAsync();
        await watch;
        await cb.CancelAsync();
        await runB;

        Assert.False(bothLed, "both daemons led at the same time");
        Assert.Equal(aCalls, pa.ApplyCalls);
        Assert.True(pb.ApplyCalls > 0);
        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    [Fact]
    public async Task Run_LeaderSessionTerminatedByTheServer_StandbyTakesOverWithNothingSkippedOrDoubled()
    {
        await using var db = await ProjectionDb.CreateAsync();
        // A's long back-off after losing its session leaves the lock to B, so the takeover is observable.
        var a = new ProjectionDaemon(db.Service, [new StreamTotalsProjection()], ProjectionDb.FastOptions with { ErrorBackoff = TimeSpan.FromSeconds(30) });
        var b = db.Daemon(new StreamTotalsProjection());
        using var cts = new CancellationTokenSource();
        var runA = a.RunAsync(cts.Token);
        await WaitUntil(() => a.IsLeader, "A never led");
        var runB = b.RunAsync(cts.Token);
        var writing = Writers.RunAsync(db.Store, writers: 8, appends: 80);

        await Task.Delay(100);
        // What a crashed host looks like to PostgreSQL: the session holding the daemon lock goes away.
        var killed = await db.ScalarAsync<long>("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1 -- advisory locks are per database; tests run in parallel
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((classid::bigint << 32) | objid::bigint) = x'4C656467657250'::bigint
            """);
        Assert.Equal(1, killed);
        await WaitUntil(() => b.IsLeader, "B never took over");
        // A learns that its session is gone on its next round trip; until then the CAS keeps its batches harmless.
        await WaitUntil(() => !a.IsLeader, "A never noticed that it lost its session");

        await writing;
        await db.WaitForCatchUpAsync(CatchUp, "stream_totals");
        await cts.CancelAsync();
        await Task.WhenAll(runA, runB);
        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    [Fact]
    public async Task Run_NewProjectionWithALongBacklog_DoesNotHoldBackOneThatIsCaughtUp()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await RebuildTests.AppendManyAsync(db.Store, streams: 20, appends: 10, perAppend: 100); // 20 000 events
        using var cts = new CancellationTokenSource();
        var first = db.Daemon(new StreamTotalsProjection());
        var running = first.RunAsync(cts.Token);
        await db.WaitForCatchUpAsync(CatchUp, "stream_totals");
        await cts.CancelAsync();
        await running;

        // The newcomer reads 100 events per batch and takes ≥ 50 ms per batch: 200 batches, ≥ 10 s to catch up.
        var slow = new StreamTotalsProjection("newcomer") { AfterWrites = _ => Task.Delay(50) };
        using var cts2 = new CancellationTokenSource();
        var daemon = new ProjectionDaemon(db.Service, [new StreamTotalsProjection(), slow], ProjectionDb.FastOptions with { BatchSize = 100 });
        var running2 = daemon.RunAsync(cts2.Token);
        await Writers.RunAsync(db.Store, writers: 2, appends: 10);
        await db.WaitForCatchUpAsync(TimeSpan.FromSeconds(5), "stream_totals");
        var newcomer = (await db.Checkpoints.GetStatusAsync("newcomer"))!;
        Assert.True(newcomer.Position.Value < 20_000, $"the newcomer should still be catching up, at {newcomer.Position}");
        await cts2.CancelAsync();
        await running2;
        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    private static async Task WaitUntil(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(failure);
            await Task.Delay(5);
        }
    }
}
