using System.Collections.Concurrent;
using Ledger.EventStore;
using Ledger.Projections;
using Ledger.Testing.Postgres;
using Npgsql;

namespace Ledger.Projections.Tests;

/// <summary>
/// A fresh database per test: event store + projections schema + the toy tables, and the restricted service role
/// (granted by EventStoreSchema and ProjectionSchema like the service), which everything under test runs as.
/// </summary>
internal sealed class ProjectionDb : IAsyncDisposable
{
    private ProjectionDb(TestDatabase database, NpgsqlDataSource service)
    {
        Database = database;
        Service = service;
        Store = new PostgresEventStore(service);
    }

    public TestDatabase Database { get; }
    public NpgsqlDataSource Owner => Database.Owner;
    public NpgsqlDataSource Service { get; }
    public PostgresEventStore Store { get; }
    public ProjectionCheckpoints Checkpoints => new(Service);

    public static readonly ProjectionDaemonOptions FastOptions = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(10),
        StandbyRetryInterval = TimeSpan.FromMilliseconds(20),
        ErrorBackoff = TimeSpan.FromMilliseconds(20),
    };

    public static async Task<ProjectionDb> CreateAsync()
    {
        var db = await TestCluster.CreateDatabaseAsync("pj");
        await ProjectionSchema.MigrateAsync(db.Owner);
        await using (var cmd = db.Owner.CreateCommand(ToyTables.Ddl)) await cmd.ExecuteNonQueryAsync();
        var service = await db.CreateServiceRoleAsync();
        await ProjectionSchema.GrantServiceRoleAsync(db.Owner, new NpgsqlConnectionStringBuilder(service.ConnectionString).Username!);
        return new ProjectionDb(db, service);
    }

    public ProjectionDaemon Daemon(params IProjection[] projections) => new(Service, projections, FastOptions);

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] ps)
    {
        await using var cmd = Owner.CreateCommand(sql);
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public Task<long> HeadAsync() => ScalarAsync<long>("SELECT coalesce(max(seq), 0) FROM eventstore.events");

    /// <summary>Waits until every named projection's checkpoint has reached the current head of the log.</summary>
    public async Task WaitForCatchUpAsync(TimeSpan timeout, params string[] names)
    {
        var head = await HeadAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await Checkpoints.GetStatusAsync();
            var behind = names.Where(n => status.SingleOrDefault(s => s.Name == n) is not { } s || s.Position.Value < head).ToList();
            if (behind.Count == 0) return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"not caught up to {head} after {timeout}: " + string.Join(", ", status.Select(s => $"{s.Name}@{s.Position} {s.State} {s.Error}")));
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Exactly once, checked against the store itself: every event has exactly one row in readmodel.applied (the
    /// primary key forbids more), and the per-stream counts equal the events per stream.
    /// </summary>
    public async Task AssertStreamTotalsExactlyOnceAsync(string projection = "stream_totals")
    {
        var events = await ScalarAsync<long>("SELECT count(*) FROM eventstore.events");
        var applied = await ScalarAsync<long>("SELECT count(*) FROM readmodel.applied WHERE projection = @p", ("p", projection));
        var missing = await ScalarAsync<long>(
            "SELECT count(*) FROM eventstore.events e WHERE NOT EXISTS (SELECT FROM readmodel.applied a WHERE a.projection = @p AND a.seq = e.seq)", ("p", projection));
        var wrongStreams = await ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT stream_id, count(*) AS n FROM eventstore.events GROUP BY stream_id) e
            FULL JOIN (SELECT stream, events FROM readmodel.stream_totals WHERE projection = @p) t ON t.stream = e.stream_id
            WHERE e.n IS DISTINCT FROM t.events
            """, ("p", projection));
        Assert.True(events > 0);
        Assert.Equal(0, missing);
        Assert.Equal(events, applied);
        Assert.Equal(0, wrongStreams);
    }

    public async Task AssertTypeCountsExactlyOnceAsync(string projection, string type)
    {
        var events = await ScalarAsync<long>("SELECT count(*) FROM eventstore.events WHERE type = @t", ("t", type));
        var applied = await ScalarAsync<long>("SELECT count(*) FROM readmodel.applied WHERE projection = @p", ("p", projection));
        var counted = await ScalarAsync<long>("SELECT coalesce(sum(events), 0)::bigint FROM readmodel.type_counts WHERE projection = @p", ("p", projection));
        Assert.True(events > 0);
        Assert.Equal(events, applied);
        Assert.Equal(events, counted);
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}

internal static class Writers
{
    public const string Incremented = "counter.incremented.v1";
    public const string Noted = "counter.noted.v1";

    public static EventData Event(string type, int n) => new(Guid.NewGuid(), type, $$"""{"n":{{n}},"amount":1.25}""");

    /// <summary>
    /// <paramref name="writers"/> concurrent tasks, each appending <paramref name="appends"/> times (1–3 events, mostly
    /// Incremented, every fifth Noted) to a few streams of its own. Returns the number of events appended.
    /// </summary>
    public static async Task<long> RunAsync(PostgresEventStore store, int writers, int appends, CancellationToken ct = default)
    {
        long total = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var streams = Enumerable.Range(0, 3).Select(_ => new StreamName("s-" + Guid.NewGuid().ToString("N")[..12])).ToArray();
            for (var i = 0; i < appends; i++)
            {
                var events = Enumerable.Range(0, 1 + i % 3).Select(k => Event((i + k) % 5 == 4 ? Noted : Incremented, k)).ToArray();
                await store.AppendAsync(new AppendRequest(streams[i % 3], "counter", "agency-a", ExpectedVersion.Any, events, AppendMetadata.None), ct);
                Interlocked.Add(ref total, events.Length);
            }
        }, ct)));
        return total;
    }
}

/// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them later, out of order).</summary>
internal sealed class ProgressLog : IProgress<RebuildProgress>
{
    public ConcurrentQueue<RebuildProgress> Reports { get; } = new();
    public void Report(RebuildProgress value) => Reports.Enqueue(value);
}
