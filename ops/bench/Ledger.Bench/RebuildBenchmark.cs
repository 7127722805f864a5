using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ledger.EventStore;
using Ledger.LocalPostgres;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Bench;

internal sealed record RebuildOptions
{
    public int Events { get; init; } = 500_000;
    public int BatchSize { get; init; } = 5_000;
    public int Rounds { get; init; } = 3;

    /// <summary>rebuild-readmodels: sakip-state's RebuildFlushEvery values to run, each once per round in this order
    /// (0 = batch by batch, as before issue 4's buffering); empty = the projection's default.</summary>
    public IReadOnlyList<int> FlushEvery { get; init; } = [];

    public static RebuildOptions Parse(string[] args)
    {
        var o = new RebuildOptions();
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--events" => o with { Events = a.Int(1_000, 20_000_000) },
                "--batch-size" => o with { BatchSize = a.Int(1, 100_000) },
                "--rounds" => o with { Rounds = a.Int(1, 20) },
                "--flush-every" => o with { FlushEvery = a.Ints(0, 100_000_000) },
                _ => throw a.Unknown(),
            };
        }
        return o;
    }
}

/// <summary>
/// Issue 4: events per second of a projection rebuild (reset + replay through the gap-safe reader, each batch committed
/// with its checkpoint) for a simple projection: count and sum of "value" per stream, one multi-row upsert per batch.
/// </summary>
internal static class RebuildBenchmark
{
    public static async Task<int> RunAsync(RebuildOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
        LocalPostgresCluster? cluster = null;
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log }, ct);
            await using var db = await BenchDatabase.CreateAsync(cluster, ct);
            await ProjectionSchema.MigrateAsync(db.Admin, ct);
            await using (var cmd = db.Admin.CreateCommand(StreamValues.Ddl)) await cmd.ExecuteNonQueryAsync(ct);
            await ProjectionSchema.GrantServiceRoleAsync(db.Admin, BenchDatabase.Role, ct);

            Log($"Appending {o.Events:N0} events (8 writers, 500 per append, 1 000 streams) ...");
            var load = Stopwatch.StartNew();
            await LoadAsync(db.Store, o.Events, ct);
            Log($"Loaded in {load.Elapsed.TotalSeconds:F1} s. VACUUM ANALYZE ...");
            await using (var cmd = db.Admin.CreateCommand("VACUUM ANALYZE eventstore.events")) await cmd.ExecuteNonQueryAsync(ct);

            var rates = new List<double>();
            var rebuilder = new ProjectionRebuilder(db.Service, o.BatchSize);
            for (var round = 1; round <= o.Rounds; round++)
            {
                var lastShown = TimeSpan.Zero;
                var progress = new Progress(p =>
                {
                    if (p.Elapsed - lastShown < TimeSpan.FromSeconds(2)) return;
                    lastShown = p.Elapsed;
                    Log($"  {p.Done:N0}/{p.Total:N0}, {p.EventsPerSecond:N0} events/s, ETA {p.Eta:mm\\:ss}");
                });
                var result = await rebuilder.RebuildAsync(new StreamValues(), progress, ct);
                rates.Add(result.EventsPerSecond);
                Log($"Round {round}: {result.Done:N0} events in {result.Elapsed.TotalSeconds:F2} s = {result.EventsPerSecond:N0} events/s");
            }
            rates.Sort();
            Console.WriteLine($"""

                ## Rebuild (issue 4)

                {o.Events:N0} events, batches of {o.BatchSize:N0}, {o.Rounds} rounds, {Environment.ProcessorCount} cores, durable cluster.
                Projection: count and sum of "value" per stream (1 000 streams), one multi-row upsert per batch.

                | median events/s | min | max |
                |---:|---:|---:|
                | {rates[rates.Count / 2]:N0} | {rates[0]:N0} | {rates[^1]:N0} |
                """);
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Log("Cancelled.");
            return 130;
        }
        finally
        {
            cluster?.Stop();
        }
    }

    private static async Task LoadAsync(PostgresEventStore store, int events, CancellationToken ct)
    {
        const int writers = 8, perAppend = 500;
        var appends = (events + perAppend - 1) / perAppend;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var payloads = new Payloads(w);
            int i;
            while ((i = Interlocked.Increment(ref next)) < appends)
            {
                var n = Math.Min(perAppend, events - i * perAppend);
                var batch = Enumerable.Range(0, n).Select(_ => new EventData(Guid.NewGuid(), Payloads.EventType, payloads.Next())).ToArray();
                await store.AppendAsync(new AppendRequest(new StreamName($"realization-{i % 1000:D4}"), Payloads.StreamType, Payloads.Tenant,
                    ExpectedVersion.Any, batch, Payloads.Metadata()), ct);
            }
        }, ct)));
    }

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private sealed class Progress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }

    /// <summary>The simple projection measured: per stream, how many events and the sum of their "value".</summary>
    private sealed class StreamValues : IProjection
    {
        public const string Ddl = """
            CREATE TABLE readmodel.bench_stream_values (stream text PRIMARY KEY, events bigint NOT NULL, total numeric NOT NULL);
            """;

        public string Name => "bench_stream_values";

        public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
        {
            var perStream = new Dictionary<string, (long Count, decimal Total)>();
            foreach (var e in batch)
            {
                using var doc = JsonDocument.Parse(e.Json);
                var value = doc.RootElement.TryGetProperty("value", out var v) ? v.GetDecimal() : 0m;
                perStream[e.Stream.Value] = perStream.TryGetValue(e.Stream.Value, out var t) ? (t.Count + 1, t.Total + value) : (1, value);
            }
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO readmodel.bench_stream_values AS t (stream, events, total)
                SELECT * FROM unnest(@streams, @counts, @totals)
                ON CONFLICT (stream) DO UPDATE SET events = t.events + excluded.events, total = t.total + excluded.total
                """, connection, transaction);
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", perStream.Keys.ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", perStream.Values.Select(x => x.Count).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("totals", perStream.Values.Select(x => x.Total).ToArray()));
            await cmd.ExecuteNonQueryAsync(ct);
        }

        public async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
        {
            await using var cmd = new NpgsqlCommand("TRUNCATE readmodel.bench_stream_values", connection, transaction);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }
}
