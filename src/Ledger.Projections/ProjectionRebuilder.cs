using System.Diagnostics;
using Ledger.EventStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Projections;

/// <summary>
/// Rebuilds async projections from sequence 0: reset and checkpoint 0 in one transaction, then a replay of every event
/// that existed when the rebuild started, in big batches, each committed with its checkpoint. The projection's own
/// advisory lock is held throughout, so the daemon (which tries that lock in every batch) leaves it alone meanwhile;
/// events appended during the rebuild are picked up by the daemon afterwards. If the rebuild dies half-way, the
/// checkpoint is consistent with the tables and the daemon simply carries on from there.
/// </summary>
public sealed class ProjectionRebuilder(NpgsqlDataSource dataSource, int batchSize = 5_000, ILogger<ProjectionRebuilder>? logger = null)
{
    private readonly ILogger _log = (ILogger?)logger ?? NullLogger.Instance;
    private readonly ProjectionCheckpoints _checkpoints = new(dataSource);
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(2);

    /// <summary>Rebuilds each projection in turn.</summary>
    public async Task<IReadOnlyList<RebuildProgress>> RebuildAllAsync(
        IEnumerable<IProjection> projections, IProgress<RebuildProgress>? progress = null, CancellationToken ct = default)
    {
        var results = new List<RebuildProgress>();
        foreach (var p in projections) results.Add(await RebuildAsync(p, progress, ct));
        return results;
    }

    /// <returns>the final progress: Done = Total.</returns>
    /// <exception cref="ProjectionFailedException">an event could not be applied; the projection is marked failed there.</exception>
    public async Task<RebuildProgress> RebuildAsync(IProjection projection, IProgress<RebuildProgress>? progress = null, CancellationToken ct = default)
    {
        var name = projection.Name;
        await _checkpoints.RegisterAsync([name], ProjectionKind.Async, ct);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await ExecAsync(conn, null, ProjectionSql.LockProjection, name, ct); // waits for a daemon batch in flight
        try
        {
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                await ExecAsync(conn, tx, ProjectionSql.BeginRebuild, name, ct);
                await projection.ResetAsync(conn, tx, ct);
                await tx.CommitAsync(ct);
            }

            var reader = new AllStreamReader(dataSource);
            var target = await SettledHeadAsync(reader, ct);
            var total = await reader.CountAsync(GlobalPosition.Start, new GlobalPosition(target), ct);
            var runner = new ProjectionBatchRunner(dataSource, _log);
            var buffered = projection as IBufferedProjection;
            var flushEvery = buffered?.RebuildFlushEvery ?? 0;
            var buffering = buffered is not null && flushEvery > 0;
            var clock = Stopwatch.StartNew();
            var lastLog = TimeSpan.Zero;
            // position: the committed checkpoint; folded: the last event folded in memory (= position when not buffering).
            long done = 0, position = 0, folded = 0, unflushed = 0;
            _log.LogInformation("Rebuilding projection {Projection}: {Total} events{Buffered}.", name, total,
                buffering ? $", folded in memory and written every {flushEvery} events" : "");

            // Read the next batch while the current one is applied (reads use another pooled connection).
            var pending = ReadAsync(reader, position, target, ct);
            try
            {
                while (true)
                {
                    var events = await pending;
                    if (events.Count == 0) break;
                    var last = events[^1].Sequence;
                    pending = ReadAsync(reader, last, target, ct);

                    if (buffering)
                    {
                        var ok = await TryFoldAsync(buffered!, conn, events, folded, last, ct);
                        if (ok)
                        {
                            folded = last;
                            unflushed += events.Count;
                            if (unflushed >= flushEvery)
                            {
                                ok = await TryFlushAsync(buffered!, conn, position, folded, ct);
                                if (ok) { position = folded; unflushed = 0; }
                            }
                        }
                        if (!ok)
                        {
                            // A fold or flush failed: forget the unwritten memory and replay the unflushed events batch
                            // by batch (bisection finds a poison event exactly); the rest of the rebuild is unbuffered.
                            buffering = false;
                            buffered!.Discard();
                            var next = await pending; // the reader is not for concurrent use
                            await ReplayAsync(reader, runner, conn, projection, position, last, ct);
                            position = folded = last;
                            pending = Task.FromResult(next);
                        }
                    }
                    else
                    {
                        await ApplyBatchAsync(runner, conn, projection, position, events, last, ct);
                        position = folded = last;
                    }

                    done += events.Count;
                    var p = new RebuildProgress(name, done, total, clock.Elapsed);
                    progress?.Report(p);
                    if (clock.Elapsed - lastLog >= LogEvery)
                    {
                        lastLog = clock.Elapsed;
                        _log.LogInformation("Rebuilding {Projection}: {Done}/{Total} events, {Rate:F0} events/s, ETA {Eta}.",
                            name, done, total, p.EventsPerSecond, p.Eta);
                    }
                }
                if (buffering && folded > position)
                {
                    if (await TryFlushAsync(buffered!, conn, position, folded, ct)) position = folded;
                    else
                    {
                        buffering = false;
                        buffered!.Discard();
                        await ReplayAsync(reader, runner, conn, projection, position, folded, ct);
                        position = folded;
                    }
                }
            }
            catch when (buffering)
            {
                // Cancelled, connection lost, …: the checkpoint and tables are those of the last flush; drop the rest.
                buffered!.Discard();
                throw;
            }
            finally
            {
                // Never leave the prefetch unobserved (it may have failed after we stopped).
                try { await pending; }
                catch (Exception e) when (e is OperationCanceledException or NpgsqlException) { }
            }

            await using (var finish = new NpgsqlCommand(ProjectionSql.Advance, conn))
            {
                finish.Parameters.Add(new NpgsqlParameter<string>("name", name));
                finish.Parameters.Add(new NpgsqlParameter<long>("old", position));
                finish.Parameters.Add(new NpgsqlParameter<long>("new", position));
                finish.Parameters.Add(new NpgsqlParameter<string>("status", "running"));
                await finish.ExecuteNonQueryAsync(ct);
            }
            var final = new RebuildProgress(name, done, total, clock.Elapsed);
            progress?.Report(final);
            _log.LogInformation("Rebuilt projection {Projection}: {Done} events in {Elapsed}, {Rate:F0} events/s.",
                name, done, clock.Elapsed, final.EventsPerSecond);
            return final;
        }
        finally
        {
            try { await ExecAsync(conn, null, ProjectionSql.UnlockProjection, name, CancellationToken.None); }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { } // broken session: lock already gone
        }
    }

    /// <summary>One batch through the runner (CAS, bisection); a poison event marks the projection failed and throws.</summary>
    private async Task ApplyBatchAsync(ProjectionBatchRunner runner, NpgsqlConnection conn, IProjection projection, long position,
        IReadOnlyList<RecordedEvent> events, long last, CancellationToken ct)
    {
        var name = projection.Name;
        var outcome = await runner.ApplyAsync(conn, projection, new GlobalPosition(position), events,
            new GlobalPosition(last), ProjectionState.Rebuilding, takeLock: false, ct);
        if (outcome == BatchOutcome.Failed)
        {
            var status = await _checkpoints.GetStatusAsync(name, CancellationToken.None);
            throw new ProjectionFailedException(name, status?.ErrorEventSequence ?? last,
                new InvalidOperationException(status?.Error ?? "unknown error"));
        }
        if (outcome != BatchOutcome.Committed)
            throw new InvalidOperationException($"Rebuild of '{name}': checkpoint moved under the projection's lock ({outcome}).");
    }

    /// <summary>Re-reads (<paramref name="from"/>, <paramref name="to"/>] and applies it batch by batch (after a failed fold or flush).</summary>
    private async Task ReplayAsync(AllStreamReader reader, ProjectionBatchRunner runner, NpgsqlConnection conn, IProjection projection,
        long from, long to, CancellationToken ct)
    {
        _log.LogWarning("Rebuild of {Projection}: folding in memory failed after {Position}; replaying batch by batch.", projection.Name, from);
        var position = from;
        while (position < to)
        {
            var events = await ReadAsync(reader, position, to, ct);
            if (events.Count == 0) break;
            var last = events[^1].Sequence;
            await ApplyBatchAsync(runner, conn, projection, position, events, last, ct);
            position = last;
        }
    }

    private static async Task<bool> TryFoldAsync(IBufferedProjection projection, NpgsqlConnection conn, IReadOnlyList<RecordedEvent> events,
        long after, long through, CancellationToken ct)
    {
        try
        {
            await projection.FoldAsync(conn, ProjectionBatchRunner.Relevant(projection, after, events), after, through, ct);
            return true;
        }
        catch (Exception e) when (!ProjectionBatchRunner.IsInfrastructure(e, ct))
        {
            return false;
        }
    }

    /// <summary>The projection's writes and the checkpoint's move from <paramref name="position"/> to <paramref name="through"/>, one transaction.</summary>
    private async Task<bool> TryFlushAsync(IBufferedProjection projection, NpgsqlConnection conn, long position, long through, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            await projection.FlushAsync(conn, tx, through, ct);
        }
        catch (Exception e) when (!ProjectionBatchRunner.IsInfrastructure(e, ct))
        {
            await tx.RollbackAsync(CancellationToken.None);
            return false;
        }
        await using (var cas = new NpgsqlCommand(ProjectionSql.Advance, conn, tx))
        {
            cas.Parameters.Add(new NpgsqlParameter<string>("name", projection.Name));
            cas.Parameters.Add(new NpgsqlParameter<long>("old", position));
            cas.Parameters.Add(new NpgsqlParameter<long>("new", through));
            cas.Parameters.Add(new NpgsqlParameter<string>("status", "rebuilding"));
            if (await cas.ExecuteNonQueryAsync(ct) != 1)
            {
                await tx.RollbackAsync(ct);
                throw new InvalidOperationException($"Rebuild of '{projection.Name}': checkpoint moved under the projection's lock.");
            }
        }
        await tx.CommitAsync(ct);
        _log.LogDebug("Rebuild of {Projection}: flushed through {Position} in {Ms:F0} ms.", projection.Name, through,
            Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return true;
    }

    /// <summary>
    /// The head of the log as it stood now, once settled: a fresh reader's first mark may still wait for transactions
    /// that were running (anywhere in the cluster) when it was taken. Waits until that mark, the oldest pending one,
    /// is settled; later appends are left to the daemon.
    /// </summary>
    private static async Task<long> SettledHeadAsync(AllStreamReader reader, CancellationToken ct)
    {
        var safe = await reader.RefreshAsync(ct);
        var first = reader.PendingSince;
        while (first is not null && reader.PendingSince is { } oldest && oldest <= first)
        {
            await Task.Delay(5, ct);
            safe = await reader.RefreshAsync(ct);
        }
        return safe;
    }

    private async Task<IReadOnlyList<RecordedEvent>> ReadAsync(AllStreamReader reader, long after, long target, CancellationToken ct)
    {
        if (after >= target) return [];
        var events = await reader.ReadNextAsync(new GlobalPosition(after), batchSize, ct);
        if (events.Count > 0 && events[^1].Sequence > target) return events.Where(e => e.Sequence <= target).ToList();
        return events;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
