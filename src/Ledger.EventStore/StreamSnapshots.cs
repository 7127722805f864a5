using Npgsql;
using NpgsqlTypes;

namespace Ledger.EventStore;

/// <summary>
/// A folded state of one stream's events 1..<see cref="Version"/>. <see cref="RecordedAt"/> and <see cref="EventHash"/>
/// are the recorded time and chain hash of the event at that version; <see cref="StateType"/> names the state's type and
/// schema (the reader decides what it accepts); <see cref="Json"/> is the state, opaque to the store.
/// </summary>
public sealed record StreamSnapshot(StreamName Stream, string StateType, long Version, DateTimeOffset RecordedAt, byte[] EventHash, string Json);

/// <summary>Where a read wants to start from: the newest snapshot at or before an instant and/or a version (null = no bound).</summary>
public sealed record SnapshotBound(DateTimeOffset? AsOf = null, long? UpToVersion = null)
{
    public static SnapshotBound Latest { get; } = new();
}

/// <summary>
/// Stream snapshots (issue 4): derived data that lets a long stream be read from a recent state instead of from its first
/// event. Deleting them all changes no answer. The store never interprets the state; the caller checks that
/// <see cref="StreamSnapshot.StateType"/> is what its code writes and that <see cref="StreamSnapshot.EventHash"/> matches
/// the event it reads at that version (docs/snapshots.md).
/// </summary>
public interface IStreamSnapshots
{
    /// <summary>Saves a snapshot; a second save of the same (stream, type, version) keeps the first.</summary>
    Task SaveAsync(StreamName stream, long version, DateTimeOffset recordedAt, byte[] eventHash, string stateType, string json,
        CancellationToken ct = default);

    /// <summary>The newest snapshot of <paramref name="stateType"/> at or before the bound, or null.</summary>
    Task<StreamSnapshot?> LatestAtOrBeforeAsync(StreamName stream, string stateType, SnapshotBound bound, CancellationToken ct = default);

    /// <summary>Forgets every snapshot of a stream (they are a cache).</summary>
    Task DeleteAsync(StreamName stream, CancellationToken ct = default);
}

/// <summary>Stream snapshots in <c>eventstore.stream_snapshots</c>; statements in <see cref="Sql"/>.</summary>
public sealed class PostgresStreamSnapshots(NpgsqlDataSource dataSource) : IStreamSnapshots
{
    public async Task SaveAsync(StreamName stream, long version, DateTimeOffset recordedAt, byte[] eventHash, string stateType, string json,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateType);
        await using var cmd = dataSource.CreateCommand(Sql.SnapshotSave);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream.Value));
        cmd.Parameters.Add(new NpgsqlParameter<string>("state_type", stateType));
        cmd.Parameters.Add(new NpgsqlParameter<long>("version", version));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("recorded_at", recordedAt.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("event_hash", eventHash));
        cmd.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Text) { Value = json });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<StreamSnapshot?> LatestAtOrBeforeAsync(StreamName stream, string stateType, SnapshotBound bound, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(Sql.SnapshotLatest);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream.Value));
        cmd.Parameters.Add(new NpgsqlParameter<string>("state_type", stateType));
        cmd.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlDbType.TimestampTz) { Value = (object?)bound.AsOf?.ToUniversalTime() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("up_to", NpgsqlDbType.Bigint) { Value = (object?)bound.UpToVersion ?? DBNull.Value });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new StreamSnapshot(new StreamName(r.GetString(0)), r.GetString(1), r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3),
            r.GetFieldValue<byte[]>(4), r.GetString(5));
    }

    public async Task DeleteAsync(StreamName stream, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(Sql.SnapshotDeleteStream);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream.Value));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
