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
