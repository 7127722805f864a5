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
/// Ours never guesses. Every appender gets its transaction id before it takes a sequence value (eventstore.append).
/// A probe reads, in order, L = the last sequence value handed out, then a snapshot S. Every transaction holding a
/// value ≤ L had its xid before L was read, hence before S, so its xid is below xmax(S). Once a later snapshot's xmin
/// reaches xmax(S), all those transactions have ended, committed or rolled back, and every seq ≤ L is settled:
/// visible now or never. Rolled-back gaps are therefore passed over safely, and a slow commit only delays the reader
/// (it never skips it). A long-running writing transaction anywhere in the cluster stalls the mark until it ends:
/// <see cref="PendingSince"/> makes that visible.
/// </para>
/// One instance per consumer; not thread-safe.
/// </summary>
public sealed class AllStreamReader(NpgsqlDataSource dataSource)
{
    private readonly Queue<(long LastSeq, ulong XMax, DateTimeOffset At)> _pending = new();
    private long _newestPending;

    /// <summary>Every event with a sequence number at or below this has either committed or will never exist.</summary>
    public long SafePosition { get; private set; }

    /// <summary>When the oldest unsettled probe was taken, or null when everything seen is settled.</summary>
    public DateTimeOffset? PendingSince => _pending.Count > 0 ? _pending.Peek().At : null;

    /// <summary>Probes the database and advances <see cref="SafePosition"/> as far as is provably safe.</summary>
    public async Task<long> RefreshAsync(CancellationToken ct = default)
    {
        await using var batch = dataSource.CreateCommand(Sql.HighWaterMarkProbe);
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var last = r.GetInt64(0);
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        var xmin = ulong.Parse(r.GetString(0));
        var xmax = ulong.Parse(r.GetString(1));

        var newest = _pending.Count > 0 ? _newestPending : SafePosition;
        if (last > newest)
        {
            _pending.Enqueue((last, xmax, DateTimeOffset.UtcNow));
            _newestPending = last;
        }
        while (_pending.Count > 0 && _pending.Peek().XMax <= xmin)
        {
            SafePosition = Math.Max(SafePosition, _pending.Dequeue().LastSeq);
        }
        return SafePosition;
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
}
