using System.Diagnostics;
using Ledger.EventStore;
using Ledger.Projections;
using Xunit.Abstractions;

namespace Ledger.Projections.Tests;

public sealed class RebuildTests(ITestOutputHelper output)
{
    private const string TableHash = """
        SELECT md5(coalesce(string_agg(stream || ':' || events || ':' || total, ',' ORDER BY stream), ''))
        FROM readmodel.stream_totals WHERE projection = 'stream_totals'
        """;

    [Fact]
    public async Task Rebuild_FromZero_ReproducesTheSameTableAndReportsProgressEndingAtTotal()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await AppendManyAsync(db.Store, streams: 40, appends: 10, perAppend: 100); // 40 000 events
        var daemon = db.Daemon(new StreamTotalsProjection());
        using (var cts = new CancellationTokenSource())
        {
            var running = daemon.RunAsync(cts.Token);
            await db.WaitForCatchUpAsync(TimeSpan.FromSeconds(30), "stream_totals");
            await cts.CancelAsync();
            await running;
        }
        var before = await db.ScalarAsync<string>(TableHash);
        // Damage the read model: a rebuild that did not really reset and replay would keep this.
        await db.ScalarAsync<int>("WITH u AS (UPDATE readmodel.stream_totals SET events = events + 1000 RETURNING 1) SELECT count(*)::int FROM u");
        Assert.NotEqual(before, await db.ScalarAsync<string>(TableHash));

        var progress = new ProgressLog();
        var clock = Stopwatch.StartNew();
        var result = await new ProjectionRebuilder(db.Service).RebuildAsync(new StreamTotalsProjection(), progress);
        output.WriteLine($"rebuilt {result.Done} events in {clock.Elapsed.TotalMilliseconds:F0} ms: {result.EventsPerSecond:F0} events/s");

        Assert.Equal(before, await db.ScalarAsync<string>(TableHash));
        await db.AssertStreamTotalsExactlyOnceAsync();
        Assert.Equal(40_000, result.Total);
        Assert.Equal(result.Total, result.Done);
        var reports = progress.Reports.ToList();
        Assert.True(reports.Count >= 8, $"expected a report per batch, got {reports.Count}");
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Done <= p.Second.Done), "progress went backwards");
        Assert.Equal(40_000, reports[^1].Done);
        Assert.All(reports, r => Assert.Equal(40_000, r.Total));
        var status = (await db.Checkpoints.GetStatusAsync("stream_totals"))!;
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Equal(await db.HeadAsync(), status.Position.Value);
    }

    [Fact]
    public async Task Rebuild_WhileTheDaemonRunsAndWritersAppend_DaemonLeavesItAloneAndResultIsExactlyOnce()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await AppendManyAsync(db.Store, streams: 20, appends: 10, perAppend: 100);
        var live = new StreamTotalsProjection();
        var daemon = db.Daemon(live);
        using var cts = new CancellationTokenSource();
        var running = daemon.RunAsync(cts.Token);
        await db.WaitForCatchUpAsync(TimeSpan.FromSeconds(30), "stream_totals");

        var writing = Writers.RunAsync(db.Store, writers: 8, appends: 60);
        var rebuilding = new StreamTotalsProjection();
        var callsBefore = live.ApplyCalls;
        var seenRebuilding = false;
        rebuilding.AfterWrites = async call =>
        {
            // Mid-rebuild, the daemon must not be applying the same projection.
            if (call == 2)
            {
                var liveCalls = live.ApplyCalls;
                await Task.Delay(100);
                Assert.Equal(liveCalls, live.ApplyCalls);
                seenRebuilding = (await db.Checkpoints.GetStatusAsync("stream_totals"))!.State == ProjectionState.Rebuilding;
            }
        };
        var result = await new ProjectionRebuilder(db.Service, batchSize: 2_000).RebuildAsync(rebuilding);
        Assert.True(seenRebuilding);
        Assert.True(result.Done >= 20_000);

        await writing;
        await db.WaitForCatchUpAsync(TimeSpan.FromSeconds(30), "stream_totals");
        Assert.True(live.ApplyCalls > callsBefore, "the daemon should carry on after the rebuild");
        await cts.CancelAsync();
        await running;
        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    [Fact]
    public async Task Rebuild_InlineProjection_IsRefused()
    {
        await using var db = await ProjectionDb.CreateAsync();
        var inline = new TypeCountsProjection("inline_counts");
        var store = new PostgresEventStore(db.Service, [new InlineProjectionAdapter(inline, db.Service)]);
        await store.AppendAsync(new AppendRequest(new StreamName("s-1"), "counter", null, ExpectedVersion.Any,
            [Writers.Event(Writers.Incremented, 1)], AppendMetadata.None));
        await Assert.ThrowsAsync<ProjectionKindException>(() => new ProjectionRebuilder(db.Service).RebuildAsync(inline));
    }

    internal static async Task AppendManyAsync(PostgresEventStore store, int streams, int appends, int perAppend)
    {
        await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(async () =>
        {
            var stream = new StreamName($"bulk-{s:D4}");
            for (var i = 0; i < appends; i++)
            {
                var events = Enumerable.Range(0, perAppend).Select(k => Writers.Event(Writers.Incremented, k)).ToArray();
                await store.AppendAsync(new AppendRequest(stream, "counter", null, ExpectedVersion.Any, events, AppendMetadata.None));
            }
        })));
    }
}
