using Npgsql;

namespace Ledger.Audit;

/// <summary>
/// A global sequence number below which the log can no longer change: every sequence value at or below it has committed
/// or never will. Sequence values are handed out before commit, so a head taken at "the highest visible sequence" could
/// miss a slower transaction holding a lower value.
/// <para>
/// Read L (the last value handed out), take a fresh xid N (in a transaction that is rolled back), wait until the oldest
/// running transaction is at least N. Valid because every Ledger append takes its xid before its sequence values: Marten
/// is configured with <c>UseExclusiveLockOnConcurrentAppends</c>, so its append function locks the stream row
/// (<c>SELECT … FOR UPDATE</c>, or the INSERT of a new stream) before its first <c>nextval</c>, and a row lock assigns
/// the xid. A transaction holding a value ≤ L therefore had its xid before L was read, below N.
/// </para>
/// </summary>
public static class SettledSequence
{
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <param name="onWait">
    /// Called before each wait with the transaction-id bound the oldest running transaction has not reached yet
    /// (diagnostics: the national-scale benchmark names who holds it); null in the service.
    /// </param>
    /// <exception cref="TimeoutException">a transaction that may hold a sequence value below the mark kept running.</exception>
    public static async Task<long> ReadAsync(NpgsqlDataSource dataSource, TimeSpan? timeout = null, CancellationToken ct = default,
        Func<ulong, Task>? onWait = null)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await ReadAsync(conn, timeout, ct, onWait);
    }

    /// <summary>
    /// The same on one open connection, outside any transaction (every statement its own, so each probe sees the
    /// transactions running at that moment): all of its round trips go to one backend instead of one from the pool each.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// the connection is in a transaction (Npgsql refuses the nested one this takes its bound in; in a transaction every
    /// probe would see its first statement's snapshot, or its own xid among the running ones).
    /// </exception>
    /// <exception cref="TimeoutException">a transaction that may hold a sequence value below the mark kept running.</exception>
    public static async Task<long> ReadAsync(NpgsqlConnection connection, TimeSpan? timeout = null, CancellationToken ct = default,
        Func<ulong, Task>? onWait = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var (last, _) = await ProbeAsync(connection, ct);
        ulong bound;
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            await using var cmd = new NpgsqlCommand(AuditSql.NewXidBound, connection, tx);
            bound = ulong.Parse((string)(await cmd.ExecuteScalarAsync(ct))!);
            await tx.RollbackAsync(ct);
        }
        var until = DateTime.UtcNow + limit;
        var delay = 1;
        while (true)
        {
            var (_, xmin) = await ProbeAsync(connection, ct);
            if (xmin >= bound) return last;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Sequence {last} did not settle within {limit.TotalSeconds:0.#} s: a transaction older than it is still running.");
            if (onWait is not null) await onWait(bound);
            await Task.Delay(delay, ct);
            delay = Math.Min(delay * 2, 50);
        }
    }

    private static async Task<(long Last, ulong XMin)> ProbeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(AuditSql.HighWaterMarkProbe, connection);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), ulong.Parse(r.GetString(1)));
    }
}
