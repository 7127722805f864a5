using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections;

/// <summary>
/// A read model built from the log. It knows its own tables and writes them with its own SQL in the transaction it is
/// given; the engine commits those writes together with the projection's checkpoint. Implementations must be
/// deterministic (a rebuild replays the same events) and should write a whole batch in a few statements (multi-row
/// statements or COPY), not one round trip per event.
/// </summary>
public interface IProjection
{
    /// <summary>Stable name: the checkpoint's key. Renaming a projection starts it from scratch.</summary>
    string Name { get; }

    /// <summary>The event types it cares about, or null for all. Others are never passed to <see cref="ApplyAsync"/>
    /// (its checkpoint still moves past them).</summary>
    IReadOnlySet<string>? EventTypes => null;

    /// <summary>Applies a non-empty batch, in sequence order. Throwing rolls the batch back (see poison handling).</summary>
    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct);

    /// <summary>Empties its tables for a rebuild (runs in the transaction that also moves its checkpoint back to 0).</summary>
    Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct);
}

/// <summary>
/// A projection that can fold many batches in memory before writing them, so that a rebuild writes each of its rows
/// about once instead of once per batch (issue 4). Only <see cref="ProjectionRebuilder"/> uses it; the daemon and the
/// inline adapter always call <see cref="IProjection.ApplyAsync"/>.
/// <para>
/// During a rebuild the engine still reads the log in batches, passes each to <see cref="FoldAsync"/> (no transaction:
/// nothing may be written) and, every <see cref="RebuildFlushEvery"/> events and at the end of the log, opens one
/// transaction in which <see cref="FlushAsync"/> writes what the folded events changed and the checkpoint moves to the
/// last folded event; both commit together. A crash in between loses only memory: the checkpoint and the tables are
/// still those of the last flush, and whoever continues (the daemon, another rebuild) replays from there. If a fold or a
/// flush throws, the engine calls <see cref="Discard"/> and replays the unflushed events through
/// <see cref="IProjection.ApplyAsync"/> batch by batch (with the usual bisection), so a poison event fails the projection
/// at exactly that event, with everything before it committed.
/// </para>
/// </summary>
public interface IBufferedProjection : IProjection
{
    /// <summary>How many events a rebuild folds in memory between two flushes (bounds the memory of unwritten changes).
    /// 0 or less: never buffer (plain batches).</summary>
    int RebuildFlushEvery { get; }

    /// <summary>
    /// Folds a batch (the events in (<paramref name="after"/>, <paramref name="through"/>] that the projection cares
    /// about, in order; possibly empty) into memory. <paramref name="after"/> is where the previous call's
    /// <paramref name="through"/> ended, or, at the start of a stretch, the committed checkpoint (whose rows are
    /// written). It may read the log on <paramref name="connection"/> (no transaction), never write.
    /// </summary>
    Task FoldAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> batch, long after, long through, CancellationToken ct);

    /// <summary>Writes everything folded since the stretch began, in the transaction that moves the checkpoint to
    /// <paramref name="through"/> (the last folded position). The engine commits; if the commit fails it calls
    /// <see cref="Discard"/>.</summary>
    Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long through, CancellationToken ct);

    /// <summary>Forgets everything folded but not committed (its in-memory state may be cleared altogether); the next
    /// call starts again from a committed checkpoint.</summary>
    void Discard();
}

public enum ProjectionKind { Async, Inline }

public enum ProjectionState { Running, Failed, Rebuilding }

/// <summary>A projection's checkpoint row, as <see cref="ProjectionCheckpoints.GetStatusAsync"/> reports it (for /health).</summary>
public sealed record ProjectionStatus(
    string Name, ProjectionKind Kind, GlobalPosition Position, ProjectionState State, string? Error,
    long? ErrorEventSequence, DateTimeOffset Updated);

/// <summary>Rebuild progress: events replayed of the total that existed when the rebuild started.</summary>
public sealed record RebuildProgress(string Projection, long Done, long Total, TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>Remaining time at the current rate; null until there is a rate.</summary>
    public TimeSpan? Eta => EventsPerSecond > 0 ? TimeSpan.FromSeconds((Total - Done) / EventsPerSecond) : null;
}

/// <summary>A projection hit an event it cannot apply: its checkpoint stays just before <see cref="EventSequence"/>.</summary>
public sealed class ProjectionFailedException(string projection, long eventSequence, Exception cause)
    : Exception($"Projection '{projection}' failed at event {eventSequence}: {cause.Message}", cause)
{
    public string Projection { get; } = projection;
    public long EventSequence { get; } = eventSequence;
}

/// <summary>A projection is either inline or async, never both: this name is already registered as the other kind.</summary>
public sealed class ProjectionKindException(string message) : InvalidOperationException(message);
