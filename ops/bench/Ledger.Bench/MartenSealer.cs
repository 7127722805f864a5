using System.Diagnostics;
using Npgsql;

namespace Ledger.Bench;

/// <summary>What a sealer did around one run: during it, and in the drain after the writers stopped.</summary>
/// <param name="SealedDuring">events sealed by calls that finished before the writers stopped.</param>
/// <param name="Backlog">events still unsealed when the writers stopped (sealed by the drain).</param>
/// <param name="Drain">the time the drain took to seal them.</param>
/// <param name="OldestMs">per call that sealed something: the age of its oldest event (recorded → sealed), in ms.</param>
internal sealed record SealerResult(long SealedDuring, long Backlog, TimeSpan Drain, IReadOnlyList<double> OldestMs, long Calls)
{
    public long Sealed => SealedDuring + Backlog;
}

/// <summary>
/// The diagnostic sealer after commit (<see cref="MartenSetup.LedgerPathSealer"/>): one connection calling
/// <c>ledger_audit.seal_pending</c> in a loop while a scenario's writers run, pausing briefly when there is nothing to seal;
/// stopped with the writers, it then drains what is left, so every run ends with everything sealed and its work counted.
/// </summary>
/// <param name="interval">the pause after a call that sealed fewer than <paramref name="maxEventsPerCall"/> events (a full call is followed at once).</param>
internal sealed class MartenSealer(NpgsqlDataSource owner, TimeSpan interval, int maxEventsPerCall = 5000)
{
    /// <summary>How the sealer calls its function, for the scenario's description.</summary>
    public string Describe() => $"calling `ledger_audit.seal_pending({maxEventsPerCall})` {interval.TotalMilliseconds:0} ms after each call that was not full";

    private CancellationTokenSource? _stop;
    private Task<(long Sealed, List<double> Oldest, long Calls)>? _loop;

    public void Start(CancellationToken ct)
    {
        if (_loop is not null) throw new InvalidOperationException("The sealer is already running.");
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stop = _stop.Token;
        _loop = Task.Run(async () =>
        {
            long sealedTotal = 0, calls = 0;
            var oldest = new List<double>();
            await using var conn = await OpenAsync(ct);
            while (!stop.IsCancellationRequested)
            {
                var (n, age, _) = await CallAsync(conn, ct);
                calls++;
                sealedTotal += n;
                if (n > 0) oldest.Add(age);
                if (n < maxEventsPerCall)
                {
                    try { await Task.Delay(interval, stop); }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                }
            }
            return (sealedTotal, oldest, calls);
        }, ct);
    }

    /// <summary>Stops the loop (after its current call) and seals what is left, timing that.</summary>
    public async Task<SealerResult> StopAsync(CancellationToken ct)
    {
        if (_loop is null || _stop is null) throw new InvalidOperationException("The sealer is not running.");
        await _stop.CancelAsync();
        var (during, oldest, calls) = await _loop;
        _loop = null;
        _stop.Dispose();
        _stop = null;

        var started = Stopwatch.GetTimestamp();
        long backlog = 0;
        await using var conn = await OpenAsync(ct);
        // Until a call finds nothing and its low mark has caught up with the last sequence value handed out (no
        // transaction left that may still commit an event).
        while (true)
        {
            var (n, age, settled) = await CallAsync(conn, ct);
            calls++;
            backlog += n;
            if (n > 0) { oldest.Add(age); continue; }
            if (settled) break;
            await Task.Delay(TimeSpan.FromMilliseconds(2), ct);
        }
        return new SealerResult(during, backlog, Stopwatch.GetElapsedTime(started), oldest, calls);
    }

    /// <summary>
    /// The sealer's session commits without waiting for its WAL flush: a hash row lost in a crash is only sealed again
    /// (the chain is a function of the events), and anything that commits durably after it flushes it too. Without this
    /// its commits queue with the writers' for the flush (seen: a single writer at 60 % of plain Marten).
    /// </summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = await owner.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SET synchronous_commit = off", conn);
        await cmd.ExecuteNonQueryAsync(ct);
        return conn;
    }

    /// <returns>events sealed, the age of the oldest of them, and whether the low mark has reached the last sequence value handed out.</returns>
    private async Task<(int Sealed, double OldestMs, bool Settled)> CallAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT sealed, coalesce(oldest_ms, 0), low_mark >= handed FROM ledger_audit.seal_pending($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxEventsPerCall });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt32(0), r.GetDouble(1), r.GetBoolean(2));
    }
}
