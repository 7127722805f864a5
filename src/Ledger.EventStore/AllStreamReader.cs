using Npgsql;

namespace Ledger.EventStore;

/// <summary>
/// Reads the whole log in global sequence order and never skips an event that commits late, never delivers one twice.
/// <para>
/// The problem: sequence values are handed out before commit, so seq 11 can be visible while seq 10's transaction is
/// still running (or was rolled back). A reader that advanced past 11 would never see 10. Marten answers with a
/// high-water mark that waits for a gap to close and, after a timeout, skips it; a slow commit then gets lost.
/// </para>
/// <para>
/// Ours never guesses. Every appender takes its transaction id before it takes a sequence value (eventstore.append).
/// A probe reads L, the last sequence value handed out, and only then takes a fresh xid N (in a transaction it rolls
/// back). Every transaction holding a value ≤ L got its xid before L was read, so its xid is below N. Once a later
/// snapshot's xmin reaches N, no transaction below N is running: each committed (and is visible) or rolled back (and
/// never will be). So every seq ≤ L is settled: rolled-back gaps are passed over safely, and a slow commit only delays
/// the reader, never skips. A long-running writing transaction anywhere in the cluster stalls the mark until it ends;
/// <see cref="PendingSince"/> makes that visible. An xid is taken only when new sequence values appeared since the
/// last probe, so an idle reader consumes none.
/// </para>
/// One instance per consumer; not thread-safe.
/// </summary>
public sealed class AllStreamReader(NpgsqlDataSource dataSource)
{
    private readonly Queue<(long LastSeq, ulong XidBound, DateTimeOffset At)> _pending = new();
    private long _newestPending;

    /// <summary>Every event with a sequence number at or below this has either committed or will never exist.</summary>
    public long SafePosition { get; private set; }

    /// <summary>When the oldest unsettled probe was taken, or null when everything seen is settled.</summary>
    public DateTimeOffset? PendingSince => _pending.Count > 0 ? _pending.Peek().At : null;

    /// <summary>Probes the database and advances <see cref="SafePosition"/> as far as is provably safe.</summary>
    public async Task<long> RefreshAsync(CancellationToken ct = default)
    {
        var (last, xmin) = await ProbeAsync(ct);
        var newest = _pending.Count > 0 ? _newestPending : SafePosition;
        if (last > newest)
        {
            var bound = await NewXidBoundAsync(ct);
            _pending.Enqueue((last, bound, DateTimeOffset.UtcNow));
            _newestPending = last;
            (_, xmin) = await ProbeAsync(ct); // often settles the new mark at once: nothing older than N still running
        }
        while (_pending.Count > 0 && _pending.Peek().XidBound <= xmin)
        {
            SafePosition = Math.Max(SafePosition, _pending.Dequeue().LastSeq);
        }
        return SafePosition;
    }

    private async Task<(long Last, ulong XMin)> ProbeAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(Sql.HighWaterMarkProbe);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), ulong.Parse(r.GetString(1)));
    }

    private async Task<ulong> NewXidBoundAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand(Sql.NewXidBound, conn, tx);
        var xid = ulong.Parse((string)(await cmd.ExecuteScalarAsync(ct))!);
        await tx.RollbackAsync(ct);
        return xid;
    }

    /// <summary>Up to <paramref name="max"/> settled events after <paramref name="after"/>, in sequence order.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadNextAsync(GlobalPosition after, int max, CancellationToken ct = default)
    {
        var safe = await RefreshAsync(ct);
        if (safe <= after.Value) return [];
        await using var cmd = dataSource.CreateCommand(Sql.ReadAll);
        cmd.Parameters.Add(new NpgsqlParameter<long>("after", after.Value));
        cmd.Parameters.Add(new NpgsqlParameter<long>("safe", safe));
        cmd.Parameters.Add(new NpgsqlParameter<int>("max", max));
        return await PostgresEventStore.ReadEvents(cmd, ct);
    }

    /// <summary>
    /// How many events lie after <paramref name="after"/> up to <paramref name="upTo"/>; exact when
    /// <paramref name="upTo"/> ≤ <see cref="SafePosition"/> (e.g. a rebuild's total).
    /// </summary>
    public async Task<long> CountAsync(GlobalPosition after, GlobalPosition upTo, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(Sql.CountAll);
        cmd.Parameters.Add(new NpgsqlParameter<long>("after", after.Value));
        cmd.Parameters.Add(new NpgsqlParameter<long>("up_to", upTo.Value));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
