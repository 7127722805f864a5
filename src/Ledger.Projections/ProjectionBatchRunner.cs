using Ledger.EventStore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Projections;

public enum BatchOutcome
{
    /// <summary>The writes and the checkpoint committed together.</summary>
    Committed,
    /// <summary>The checkpoint was no longer at the expected position (another runner moved it): rolled back.</summary>
    Conflict,
    /// <summary>Someone else holds the projection's lock (a rebuild): nothing was tried.</summary>
    Locked,
    /// <summary>A poison event: the projection is now marked failed at that event; everything before it committed.</summary>
    Failed,
}

/// <summary>
/// Applies one batch of one projection: BEGIN; apply; move the checkpoint by compare-and-swap; COMMIT (style #7). When
/// the projection throws, the batch is bisected so every event before the poison one is committed and the projection
/// is marked failed at exactly that event.
/// </summary>
public sealed class ProjectionBatchRunner(NpgsqlDataSource dataSource, ILogger? logger = null)
{
    private readonly ILogger _log = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>
    /// Applies the events of <paramref name="events"/> after <paramref name="expected"/> that the projection cares about
    /// and moves its checkpoint from <paramref name="expected"/> to <paramref name="next"/> (≥ the last event's sequence).
    /// </summary>
    public async Task<BatchOutcome> ApplyAsync(
        IProjection projection, GlobalPosition expected, IReadOnlyList<RecordedEvent> events, GlobalPosition next, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await ApplyAsync(conn, projection, expected, events, next, ProjectionState.Running, takeLock: true, ct);
    }

    /// <summary>The same on a given connection (a rebuild's, which already holds the projection's lock).</summary>
    internal async Task<BatchOutcome> ApplyAsync(
        NpgsqlConnection conn, IProjection projection, GlobalPosition expected, IReadOnlyList<RecordedEvent> events,
        GlobalPosition next, ProjectionState stateAfter, bool takeLock, CancellationToken ct)
    {
        var relevant = Relevant(projection, expected.Value, events);
        return await ApplyOrBisectAsync(conn, projection, expected.Value, relevant, next.Value, stateAfter, takeLock, ct);
    }

    private async Task<BatchOutcome> ApplyOrBisectAsync(
        NpgsqlConnection conn, IProjection projection, long old, IReadOnlyList<RecordedEvent> events, long next,
        ProjectionState stateAfter, bool takeLock, CancellationToken ct)
    {
        var (outcome, error) = await TryOnceAsync(conn, projection, old, events, next, stateAfter, takeLock, ct);
        if (error is null) return outcome;

        if (events.Count == 1)
        {
            await MarkFailedAsync(conn, projection.Name, old, events[0].Sequence, error, ct);
            return BatchOutcome.Failed;
        }
        // Bisect: commit the first half (recursively), then the second; stop at the first failure.
        var mid = events.Count / 2;
        var first = events.Take(mid).ToList();
        var firstNext = first[^1].Sequence;
        var head = await ApplyOrBisectAsync(conn, projection, old, first, firstNext, stateAfter, takeLock, ct);
        if (head != BatchOutcome.Committed) return head;
        return await ApplyOrBisectAsync(conn, projection, firstNext, events.Skip(mid).ToList(), next, stateAfter, takeLock, ct);
    }

    private static async Task<(BatchOutcome, Exception?)> TryOnceAsync(
        NpgsqlConnection conn, IProjection projection, long old, IReadOnlyList<RecordedEvent> events, long next,
        ProjectionState stateAfter, bool takeLock, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (takeLock)
        {
            await using var lockCmd = new NpgsqlCommand(ProjectionSql.TryLockProjectionForTransaction, conn, tx);
            lockCmd.Parameters.Add(new NpgsqlParameter<string>("name", projection.Name));
            if (await lockCmd.ExecuteScalarAsync(ct) is not true)
            {
                await tx.RollbackAsync(ct);
                return (BatchOutcome.Locked, null);
            }
        }
        if (events.Count > 0)
        {
            try
            {
                await projection.ApplyAsync(conn, tx, events, ct);
            }
            catch (Exception e) when (!IsInfrastructure(e, ct))
            {
                await tx.RollbackAsync(CancellationToken.None);
                return (BatchOutcome.Failed, e);
            }
        }
        await using var cas = new NpgsqlCommand(ProjectionSql.Advance, conn, tx);
        cas.Parameters.Add(new NpgsqlParameter<string>("name", projection.Name));
        cas.Parameters.Add(new NpgsqlParameter<long>("old", old));
        cas.Parameters.Add(new NpgsqlParameter<long>("new", next));
        cas.Parameters.Add(new NpgsqlParameter<string>("status", stateAfter == ProjectionState.Rebuilding ? "rebuilding" : "running"));
        if (await cas.ExecuteNonQueryAsync(ct) != 1)
        {
            await tx.RollbackAsync(ct);
            return (BatchOutcome.Conflict, null);
        }
        await tx.CommitAsync(ct);
        return (BatchOutcome.Committed, null);
    }

    /// <summary>
    /// Cancellation and transient database trouble (lost connection, deadlock, serialization failure) are not the
    /// event's fault: they propagate and the batch is tried again later, instead of failing the projection.
    /// </summary>
    internal static bool IsInfrastructure(Exception e, CancellationToken ct) =>
        (e is OperationCanceledException && ct.IsCancellationRequested) || e is NpgsqlException { IsTransient: true };

    private async Task MarkFailedAsync(NpgsqlConnection conn, string name, long old, long seq, Exception error, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ProjectionSql.MarkFailed, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
        cmd.Parameters.Add(new NpgsqlParameter<long>("old", old));
        cmd.Parameters.Add(new NpgsqlParameter<long>("seq", seq));
        cmd.Parameters.Add(new NpgsqlParameter<string>("error", $"{error.GetType().Name}: {error.Message}"));
        var marked = await cmd.ExecuteNonQueryAsync(ct) == 1;
        if (marked)
            _log.LogError(error, "Projection {Projection} failed at event {Sequence} and is stopped; its checkpoint stays at {Position}. Fix the cause, then retry it.",
                name, seq, old);
    }

    internal static IReadOnlyList<RecordedEvent> Relevant(IProjection projection, long after, IReadOnlyList<RecordedEvent> events)
    {
        var types = projection.EventTypes;
        if (types is null && (events.Count == 0 || events[0].Sequence > after)) return events;
        var list = new List<RecordedEvent>(events.Count);
        foreach (var e in events)
            if (e.Sequence > after && (types is null || types.Contains(e.Type))) list.Add(e);
        return list;
    }
}
