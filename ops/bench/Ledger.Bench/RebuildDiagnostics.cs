using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.Domain;
using Ledger.Storage;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// What one piece of a run cost: wall time, this process's CPU, our PostgreSQL's CPU, the machine's busy time that was
/// neither (other engineers' builds and tests), GC pauses and collections, bytes allocated.
/// </summary>
internal sealed record RunCost(TimeSpan Wall, TimeSpan ClientCpu, TimeSpan ServerCpu, double OthersShare, TimeSpan GcPause, int Gen0, int Gen1, int Gen2, long Allocated)
{
    public override string ToString() =>
        $"{Wall.TotalSeconds:F2} s wall; CPU client {ClientCpu.TotalSeconds:F2} s, server {ServerCpu.TotalSeconds:F2} s; others {OthersShare:P0} of the machine; " +
        $"GC pauses {GcPause.TotalSeconds:F2} s ({Gen0}/{Gen1}/{Gen2} gen0/1/2), {Allocated / 1048576.0:N0} MB allocated";
}

/// <summary>Measures <see cref="RunCost"/> around a piece of work.</summary>
internal sealed class CostMeter
{
    private readonly int _postmaster;
    private readonly Counters _cpu;
    private readonly long _start, _alloc;
    private readonly TimeSpan _pause;
    private readonly int _g0, _g1, _g2;

    private CostMeter(int postmaster)
    {
        _postmaster = postmaster;
        _cpu = BenchDatabase.ReadCpu(postmaster);
        _pause = GC.GetTotalPauseDuration();
        (_g0, _g1, _g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        _alloc = GC.GetTotalAllocatedBytes();
        _start = Stopwatch.GetTimestamp();
    }

    public static CostMeter Start(int postmaster) => new(postmaster);

    public RunCost Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_start);
        var cpu = BenchDatabase.ReadCpu(_postmaster) - _cpu;
        var server = TimeSpan.FromSeconds(cpu.ServerTicks / Counters.TicksPerSecond);
        var machineBusy = cpu.CpuAllTicks > 0 ? (double)cpu.CpuBusyTicks / cpu.CpuAllTicks : 0;
        var ours = cpu.CpuAllTicks > 0 ? (cpu.ClientCpu.TotalSeconds + server.TotalSeconds) * Counters.TicksPerSecond / cpu.CpuAllTicks : 0;
        return new RunCost(wall, cpu.ClientCpu, server, Math.Max(0, machineBusy - ours), GC.GetTotalPauseDuration() - _pause,
            GC.CollectionCount(0) - _g0, GC.CollectionCount(1) - _g1, GC.CollectionCount(2) - _g2, GC.GetTotalAllocatedBytes() - _alloc);
    }
}

/// <summary>
/// Where the loading time goes (issue 11): the same pages of the log read four ways, one after another, each timed
/// with <see cref="CostMeter"/>: (1) Marten's own daemon loader (<c>EventLoader</c>, the one every shard uses),
/// called directly page by page; (2) the same SQL through Npgsql, every column read and nothing deserialized;
/// (3) the same plus System.Text.Json of data and headers, synchronously from the row's bytes.
/// </summary>
internal static class LoadDiagnostics
{
    public static async Task<IReadOnlyList<(string Name, RunCost Cost, long Events)>> RunAsync(DocumentStore store, string serviceConnectionString,
        int postmaster, int batchSize, CancellationToken ct)
    {
        var results = new List<(string, RunCost, long)>();
        var database = (IEventDatabase)store.Storage.Database;
        var options = new AsyncOptions { BatchSize = batchSize };
        var filter = new EventFilterable();
        var resilient = ((IEventStore<IDocumentOperations, IQuerySession>)store).BuildEventLoader(database, NullLogger.Instance, filter, options);
        var inner = (IEventLoader)resilient.GetType().GetField("_inner", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(resilient)!;
        var sql = (string)inner.GetType().GetProperty("CommandText", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(inner)!;
        var head = await database.FetchHighestEventSequenceNumber(ct);
        Console.Error.WriteLine($"  Marten's loader SQL: {sql}");

        // (1) Marten's loader.
        var meter = CostMeter.Start(postmaster);
        long events = 0, floor = 0;
        var shard = ShardName.Compose("bench-load");
        while (floor < head)
        {
            var page = await inner.LoadAsync(new EventRequest { Floor = floor, HighWater = head, BatchSize = batchSize, Name = shard, ErrorOptions = new ErrorHandlingOptions() }, ct);
            events += page.Count;
            floor = page.Ceiling;
        }
        results.Add(("Marten's EventLoader (daemon's query + deserialization), pages called one after another", meter.Stop(), events));

        await using var source = NpgsqlDataSource.Create(serviceConnectionString);
        var serializerOptions = new JsonSerializerOptions(LedgerJson.Options);
        foreach (var deserialize in new[] { false, true })
        {
            meter = CostMeter.Start(postmaster);
            events = 0;
            floor = 0;
            while (floor < head)
            {
                await using var conn = await source.OpenConnectionAsync(ct);
                await using var cmd = new NpgsqlCommand(sql, conn);
                cmd.Parameters.Add(new NpgsqlParameter<long>("p0", floor));
                cmd.Parameters.Add(new NpgsqlParameter<long>("p1", head));
                await using var r = await cmd.ExecuteReaderAsync(ct);
                var n = 0;
                long last = floor;
                var data = r.GetOrdinal("data");
                var type = r.GetOrdinal("type");
                var headers = r.GetOrdinal("headers");
                var seq = r.GetOrdinal("seq_id");
                while (await r.ReadAsync(ct))
                {
                    n++;
                    last = r.GetInt64(seq);
                    for (var i = 0; i < r.FieldCount; i++)
                    {
                        if (r.IsDBNull(i)) continue;
                        if (i == data || i == headers)
                        {
                            var bytes = r.GetFieldValue<byte[]>(i);
                            if (!deserialize) continue;
                            if (i == data && DomainEventTypes.TypeOf(r.GetString(type)) is { } t) JsonSerializer.Deserialize(bytes, t, serializerOptions);
                            if (i == headers) JsonSerializer.Deserialize<Dictionary<string, object>>(bytes, serializerOptions);
                        }
                        else r.GetValue(i);
                    }
                }
                events += n;
                floor = n < batchSize ? head : last;
            }
            results.Add((deserialize ? "same SQL via Npgsql + System.Text.Json (sync, from bytes) of data and headers" : "same SQL via Npgsql, every column read, nothing deserialized",
                meter.Stop(), events));
        }
        return results;
    }
}
