using System.Text.Json;
using Ledger.EventStore;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Projections.Tests;

/// <summary>
/// The toy read models' tables (in schema readmodel, created by the owner like a real read-model migration). Every
/// projection also records each applied event in readmodel.applied, whose primary key makes a double apply fail loudly.
/// </summary>
internal static class ToyTables
{
    public const string Ddl = """
        CREATE TABLE readmodel.stream_totals (
            projection text NOT NULL, stream text NOT NULL, events bigint NOT NULL, total numeric NOT NULL,
            PRIMARY KEY (projection, stream));
        CREATE TABLE readmodel.type_counts (
            projection text NOT NULL, type text NOT NULL, events bigint NOT NULL, PRIMARY KEY (projection, type));
        CREATE TABLE readmodel.applied (projection text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (projection, seq));
        """;
}

/// <summary>Counts and sums ("amount") per stream. Throws on an event of type "poison" unless healed.</summary>
internal sealed class StreamTotalsProjection(string name = "stream_totals", bool trackApplied = true) : IProjection
{
    private int _applyCalls;

    public string Name => name;
    public volatile bool Healed;
    public int ApplyCalls => Volatile.Read(ref _applyCalls);

    /// <summary>Runs after the batch's rows are written, before the engine moves the checkpoint.</summary>
    public Func<int, Task>? AfterWrites { get; set; }

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        var call = Interlocked.Increment(ref _applyCalls);
        var poison = batch.FirstOrDefault(e => e.Type == "poison");
        if (poison is not null && !Healed) throw new InvalidOperationException($"poison event at seq {poison.Sequence}");

        var perStream = batch.GroupBy(e => e.Stream.Value)
            .Select(g => (Stream: g.Key, Count: (long)g.Count(), Total: g.Sum(Amount)))
            .ToList();
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO readmodel.stream_totals AS t (projection, stream, events, total)
            SELECT @p, s, c, a FROM unnest(@streams, @counts, @totals) AS u(s, c, a)
            ON CONFLICT (projection, stream) DO UPDATE SET events = t.events + excluded.events, total = t.total + excluded.total
            """, connection, transaction))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("p", name));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", perStream.Select(s => s.Stream).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", perStream.Select(s => s.Count).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("totals", perStream.Select(s => s.Total).ToArray()));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (trackApplied) await Applied.RecordAsync(connection, transaction, name, batch, ct);
        if (AfterWrites is not null) await AfterWrites(call);
    }

    public async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "DELETE FROM readmodel.stream_totals WHERE projection = @p; DELETE FROM readmodel.applied WHERE projection = @p;", connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string>("p", name));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static decimal Amount(RecordedEvent e)
    {
        using var doc = JsonDocument.Parse(e.Json);
        return doc.RootElement.TryGetProperty("amount", out var a) ? a.GetDecimal() : 0m;
    }
}

/// <summary>Counts events per type; optionally only some types (the engine's filter).</summary>
internal sealed class TypeCountsProjection(string name = "type_counts", IReadOnlySet<string>? types = null) : IProjection
{
    private int _applyCalls;
    public string Name => name;
    public IReadOnlySet<string>? EventTypes => types;
    public int ApplyCalls => Volatile.Read(ref _applyCalls);

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        Interlocked.Increment(ref _applyCalls);
        if (types is not null && batch.Any(e => !types.Contains(e.Type)))
            throw new InvalidOperationException("the engine passed an event type the projection did not ask for");
        var perType = batch.GroupBy(e => e.Type).Select(g => (Type: g.Key, Count: (long)g.Count())).ToList();
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO readmodel.type_counts AS t (projection, type, events)
            SELECT @p, ty, c FROM unnest(@types, @counts) AS u(ty, c)
            ON CONFLICT (projection, type) DO UPDATE SET events = t.events + excluded.events
            """, connection, transaction))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("p", name));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("types", perType.Select(t => t.Type).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", perType.Select(t => t.Count).ToArray()));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await Applied.RecordAsync(connection, transaction, name, batch, ct);
    }

    public async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "DELETE FROM readmodel.type_counts WHERE projection = @p; DELETE FROM readmodel.applied WHERE projection = @p;", connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string>("p", name));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

internal static class Applied
{
    /// <summary>One multi-row INSERT per batch; the primary key (projection, seq) refuses a second apply of any event.</summary>
    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string projection, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO readmodel.applied (projection, seq) SELECT @p, unnest(@seqs)", connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string>("p", projection));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("seqs", batch.Select(e => e.Sequence).ToArray()));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// <see cref="StreamTotalsProjection"/> that can also fold in memory (IBufferedProjection): a rebuild folds per-stream
/// counts and the applied sequence numbers, and a flush upserts them and records every folded event in
/// readmodel.applied, so an event flushed twice (or applied and flushed) fails loudly. Hooks let tests crash it
/// between folds or after a flush's writes, and count its calls.
/// </summary>
internal sealed class BufferedStreamTotalsProjection(int flushEvery, string name = "stream_totals") : IBufferedProjection
{
    private readonly StreamTotalsProjection _plain = new(name);
    private readonly Dictionary<string, (long Count, decimal Total)> _folded = new(StringComparer.Ordinal);
    private readonly List<RecordedEvent> _events = [];
    private long _foldedThrough = -1;

    public string Name => name;
    public int RebuildFlushEvery => flushEvery;
    public bool Healed { get => _plain.Healed; set => _plain.Healed = value; }
    public int Folds { get; private set; }
    public int Flushes { get; private set; }
    public int Discards { get; private set; }
    public int ApplyCalls => _plain.ApplyCalls;

    /// <summary>Runs after each fold (argument: the fold's number, from 1).</summary>
    public Func<int, Task>? AfterFold { get; set; }

    /// <summary>Runs after a flush's rows are written, before the engine moves the checkpoint (argument: the flush's number).</summary>
    public Func<int, Task>? AfterFlushWrites { get; set; }

    public Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct) =>
        _plain.ApplyAsync(connection, transaction, batch, ct);

    public Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        Clear();
        return _plain.ResetAsync(connection, transaction, ct);
    }

    public async Task FoldAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> batch, long after, long through, CancellationToken ct)
    {
        if (_foldedThrough >= 0 && after != _foldedThrough) throw new InvalidOperationException($"fold after {after}, folded through {_foldedThrough}");
        var poison = batch.FirstOrDefault(e => e.Type == "poison");
        if (poison is not null && !Healed) throw new InvalidOperationException($"poison event at seq {poison.Sequence}");
        foreach (var e in batch)
        {
            var (count, total) = _folded.GetValueOrDefault(e.Stream.Value);
            _folded[e.Stream.Value] = (count + 1, total + StreamTotalsProjection.Amount(e));
            _events.Add(e);
        }
        _foldedThrough = through;
        Folds++;
        if (AfterFold is not null) await AfterFold(Folds);
    }

    public async Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long through, CancellationToken ct)
    {
        if (through != _foldedThrough) throw new InvalidOperationException($"flush through {through}, folded through {_foldedThrough}");
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO readmodel.stream_totals AS t (projection, stream, events, total)
            SELECT @p, s, c, a FROM unnest(@streams, @counts, @totals) AS u(s, c, a)
            ON CONFLICT (projection, stream) DO UPDATE SET events = t.events + excluded.events, total = t.total + excluded.total
            """, connection, transaction))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("p", name));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", _folded.Keys.ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", _folded.Values.Select(v => v.Count).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("totals", _folded.Values.Select(v => v.Total).ToArray()));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (_events.Count > 0) await Applied.RecordAsync(connection, transaction, name, _events, ct);
        Flushes++;
        _folded.Clear();
        _events.Clear();
        if (AfterFlushWrites is not null) await AfterFlushWrites(Flushes);
    }

    public void Discard()
    {
        Discards++;
        Clear();
    }

    private void Clear()
    {
        _folded.Clear();
        _events.Clear();
        _foldedThrough = -1;
    }
}
