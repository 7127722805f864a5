using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ledger.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Storage;

/// <summary>
/// A folded state of one stream's events 1..<see cref="Version"/>. <see cref="RecordedAt"/> and <see cref="EventHash"/> are
/// the recorded time and chain hash of the event at that version; <see cref="StateType"/> names the state's type and
/// schema; <see cref="Json"/> is the state, opaque here. <see cref="Authentic"/>: its MAC verified under this service's key.
/// </summary>
public sealed record StreamSnapshot(string Stream, string StateType, long Version, DateTimeOffset RecordedAt, byte[] EventHash, string Json, bool Authentic);

/// <summary>
/// A snapshot row as the verifier sees it: the row, the chain hash of the stream's event at the row's version and that
/// event's recorded time (both null when the stream has no sealed event at that version).
/// </summary>
public sealed record SnapshotRow(StreamSnapshot Snapshot, byte[]? ChainHash, DateTimeOffset? EventRecordedAt);

/// <summary>
/// The newest authentic snapshot (<see cref="StreamSnapshots.LatestWithChainHashAsync"/>) and the chain hash of the
/// stream's event at its version as the log holds it now (null: no sealed event there).
/// </summary>
public sealed record LatestSnapshot(StreamSnapshot Snapshot, byte[]? ChainHash);

/// <summary>
/// Stream snapshots (table <c>ledger_cache.stream_snapshots</c>, migrations storage/0001 and 0002: the state kept compressed in its row): derived data that lets a long
/// stream be read from a recent state. Every row carries an HMAC-SHA256 under a key the service holds outside the
/// database; <see cref="LatestAsync"/> returns only authentic rows, so a row forged in the database never changes a read
/// (it can only cost speed). All statements are here.
/// </summary>
public sealed class StreamSnapshots(NpgsqlDataSource dataSource, byte[] key)
{
    public const string Component = "storage";

    /// <summary>A fresh random key: snapshots written under an earlier key are then simply not used.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// Saves a snapshot (nothing when that stream, state type and version has one). Committed asynchronously: the
    /// statement sets <c>synchronous_commit</c> off for its own transaction, so the read that saves it does not wait for
    /// the write-ahead log to reach the disk (a commit's flush, ~0.5–2.5 ms on this machine's disk when idle and more
    /// under load, once or twice in a long stream's first read). A crash may lose the last snapshots written; they are a
    /// cache, and the next read writes them again. Every other commit keeps the server's setting.
    /// </summary>
    public async Task SaveAsync(string stream, long version, DateTimeOffset recordedAt, byte[] eventHash, string stateType, string json, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateType);
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO ledger_cache.stream_snapshots (stream_id, state_type, version, recorded_at, event_hash, state, mac)
            SELECT @stream, @state_type, @version, @recorded_at, @event_hash, @state, @mac
              FROM (SELECT set_config('synchronous_commit', 'off', true)) AS this_transaction_commits_asynchronously
            ON CONFLICT (stream_id, state_type, version) DO NOTHING
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream));
        cmd.Parameters.Add(new NpgsqlParameter<string>("state_type", stateType));
        cmd.Parameters.Add(new NpgsqlParameter<long>("version", version));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("recorded_at", recordedAt.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("event_hash", eventHash));
        cmd.Parameters.Add(new NpgsqlParameter("state", NpgsqlDbType.Text) { Value = json });
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("mac", Mac(key, stream, stateType, version, recordedAt, eventHash, json)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The newest authentic snapshot of <paramref name="stateType"/> at or before the instant, or null.</summary>
    public async Task<StreamSnapshot?> LatestAsync(string stream, string stateType, DateTimeOffset? asOf, CancellationToken ct = default) =>
        (await LatestWithChainHashAsync(stream, stateType, asOf, ct))?.Snapshot;

    /// <summary>
    /// <see cref="LatestAsync"/> and, in the same query, the chain hash of the stream's event at the snapshot's version now
    /// (what <see cref="ChainHashAsync"/> answers: null when that event was never sealed), which a reader compares with
    /// the snapshot's <see cref="StreamSnapshot.EventHash"/> before using it. One round trip instead of two.
    /// </summary>
    public async Task<LatestSnapshot?> LatestWithChainHashAsync(string stream, string stateType, DateTimeOffset? asOf, CancellationToken ct = default) =>
        (await LatestManyWithChainHashAsync([(stream, stateType)], asOf, ct)).GetValueOrDefault(stream);

    /// <summary>How many of a stream's newest rows a reader tries when the newest one does not verify.</summary>
    private const int OlderRowsTried = 8;

    /// <summary>
    /// <see cref="LatestWithChainHashAsync"/> for several streams in one query (an as-of read's year and candidate
    /// Renstra streams, looked up ahead), each with its own state type: for each, the newest authentic row of that type at
    /// or before the instant with the chain hash of its event now. Streams without one are absent.
    /// </summary>
    public Task<IReadOnlyDictionary<string, LatestSnapshot>> LatestManyWithChainHashAsync(
        IReadOnlyCollection<(string Stream, string StateType)> streams, DateTimeOffset? asOf, CancellationToken ct = default) =>
        NewestAuthenticAsync(streams, s => s.Stream, (some, limit) =>
        {
            var cmd = dataSource.CreateCommand("""
                SELECT s.version, s.recorded_at, s.event_hash, s.state, s.mac, h.hash, q.id, q.state_type
                  FROM unnest(@streams::text[], @state_types::text[]) AS q(id, state_type)
                  CROSS JOIN LATERAL (
                        SELECT x.* FROM ledger_cache.stream_snapshots x
                         WHERE x.stream_id = q.id AND x.state_type = q.state_type AND (@as_of::timestamptz IS NULL OR x.recorded_at <= @as_of)
                         ORDER BY x.recorded_at DESC, x.version DESC
                         LIMIT @limit) s
                  LEFT JOIN ledger_audit.event_hashes h ON h.stream_id = s.stream_id AND h.version = s.version
                 ORDER BY q.id, s.recorded_at DESC, s.version DESC
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", [.. some.Select(s => s.Stream)]));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("state_types", [.. some.Select(s => s.StateType)]));
            cmd.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlDbType.TimestampTz) { Value = (object?)asOf?.ToUniversalTime() ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            return cmd;
        }, ct);

    /// <summary>
    /// The newest authentic row of each stream, from a query (<paramref name="command"/>, given the streams and how many rows
    /// of each to fetch) whose columns are version, recorded_at, event_hash, state, mac, the chain hash, the stream and the
    /// state type. Each stream's newest row is fetched alone first: nearly always the one a reader uses. Every row fetched
    /// sends its whole state (before storage/0002 kept compressed out of line; a Renstra's still may be), so fetching
    /// the older ones with it cost their pages at every first touch (docs/performance.md, twenty-third session). Only the
    /// streams whose newest row does not verify have their older rows fetched, in a second query.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, LatestSnapshot>> NewestAuthenticAsync<T>(IReadOnlyCollection<T> streams,
        Func<T, string> idOf, Func<IReadOnlyCollection<T>, int, NpgsqlCommand> command, CancellationToken ct)
    {
        var found = new Dictionary<string, LatestSnapshot>(StringComparer.Ordinal);
        if (streams.Count == 0) return found;
        var unverified = await CollectAsync(command(streams, 1), found, ct);
        if (unverified.Count > 0) await CollectAsync(command([.. streams.Where(s => unverified.Contains(idOf(s)))], OlderRowsTried), found, ct);
        return found;
    }

    /// <summary>Adds each stream's first authentic row to <paramref name="found"/>; gives the streams that had rows of which none verified.</summary>
    private async Task<HashSet<string>> CollectAsync(NpgsqlCommand command, Dictionary<string, LatestSnapshot> found, CancellationToken ct)
    {
        var unverified = new HashSet<string>(StringComparer.Ordinal);
        await using var cmd = command;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var stream = r.GetString(6);
            if (found.ContainsKey(stream)) continue;
            var s = Read(r, stream, r.GetString(7));
            // A forged or foreign row is skipped; the next older one may still serve.
            if (s.Authentic)
            {
                found[stream] = new LatestSnapshot(s, r.IsDBNull(5) ? null : r.GetFieldValue<byte[]>(5));
                unverified.Remove(stream);
            }
            else unverified.Add(stream);
        }
        return unverified;
    }

    /// <summary>
    /// Every snapshot row (authentic or not) beside the stream's event at its version, for the verifier (which replays
    /// each row's stream and compares): ordered by stream and version, one index scan of the snapshots and two index
    /// probes per row (the chain hash by (stream_id, version), Marten's event by its unique (stream_id, version)).
    /// </summary>
    public async IAsyncEnumerable<SnapshotRow> AllWithTheirEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT s.version, s.recorded_at, s.event_hash, s.state, s.mac, s.stream_id, s.state_type, h.hash, e.timestamp
              FROM ledger_cache.stream_snapshots s
              LEFT JOIN ledger_audit.event_hashes h ON h.stream_id = s.stream_id AND h.version = s.version
              LEFT JOIN ledger.mt_events e ON e.stream_id = s.stream_id AND e.version = s.version
             ORDER BY s.stream_id, s.version, s.state_type
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            yield return new SnapshotRow(Read(r, r.GetString(5), r.GetString(6)), r.IsDBNull(7) ? null : r.GetFieldValue<byte[]>(7),
                r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8));
    }

    /// <summary>
    /// For each of <paramref name="streams"/>, the newest authentic snapshot of <paramref name="stateType"/> whose event is
    /// in the log at or below sequence <paramref name="upToSequence"/>, with the chain hash of that event now (null: never
    /// sealed), in one query: a reader that has folded the log only up to a sequence (the read models' daemon) may start
    /// from it. Streams without one are absent. The caller still compares the chain hash with the snapshot's.
    /// </summary>
    public Task<IReadOnlyDictionary<string, LatestSnapshot>> LatestUpToSequenceAsync(IReadOnlyCollection<string> streams, string stateType,
        long upToSequence, CancellationToken ct = default) =>
        NewestAuthenticAsync(streams, s => s, (some, limit) =>
        {
            var cmd = dataSource.CreateCommand("""
                SELECT s.version, s.recorded_at, s.event_hash, s.state, s.mac, h.hash, q.id, s.state_type
                  FROM unnest(@streams::text[]) AS q(id)
                  CROSS JOIN LATERAL (
                        SELECT x.* FROM ledger_cache.stream_snapshots x
                          JOIN ledger.mt_events e ON e.stream_id = x.stream_id AND e.version = x.version
                         WHERE x.stream_id = q.id AND x.state_type = @state_type AND e.seq_id <= @upto
                         ORDER BY x.version DESC
                         LIMIT @limit) s
                  LEFT JOIN ledger_audit.event_hashes h ON h.stream_id = s.stream_id AND h.version = s.version
                 ORDER BY q.id, s.version DESC
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", [.. some]));
            cmd.Parameters.Add(new NpgsqlParameter<string>("state_type", stateType));
            cmd.Parameters.Add(new NpgsqlParameter<long>("upto", upToSequence));
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            return cmd;
        }, ct);

    /// <summary>The chain hash and recorded time of one event (null when it was never sealed): what a new snapshot at its version records.</summary>
    public async Task<(byte[] Hash, DateTimeOffset RecordedAt)?> SealedEventAsync(string stream, long version, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT h.hash, e.timestamp FROM ledger_audit.event_hashes h
              JOIN ledger.mt_events e ON e.stream_id = h.stream_id AND e.version = h.version
             WHERE h.stream_id = @stream AND h.version = @version
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream));
        cmd.Parameters.Add(new NpgsqlParameter<long>("version", version));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetFieldValue<byte[]>(0), r.GetFieldValue<DateTimeOffset>(1)) : null;
    }

    /// <summary>The chain hash of one event (null when it was never sealed): what a snapshot's event_hash must equal.</summary>
    public async Task<byte[]?> ChainHashAsync(string stream, long version, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("SELECT hash FROM ledger_audit.event_hashes WHERE stream_id = @stream AND version = @version");
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream));
        cmd.Parameters.Add(new NpgsqlParameter<long>("version", version));
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>Forgets every snapshot of a stream (they are a cache).</summary>
    public async Task DeleteAsync(string stream, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM ledger_cache.stream_snapshots WHERE stream_id = @stream");
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private StreamSnapshot Read(NpgsqlDataReader r, string stream, string stateType)
    {
        var version = r.GetInt64(0);
        var recordedAt = r.GetFieldValue<DateTimeOffset>(1);
        var eventHash = r.GetFieldValue<byte[]>(2);
        var json = r.GetString(3);
        var mac = r.GetFieldValue<byte[]>(4);
        var authentic = CryptographicOperations.FixedTimeEquals(mac, Mac(key, stream, stateType, version, recordedAt, eventHash, json));
        return new StreamSnapshot(stream, stateType, version, recordedAt, eventHash, json, authentic);
    }

    /// <summary>HMAC-SHA256 over "ledger-snapshot/1", stream, state type, version, recorded time (µs), event hash and state.</summary>
    private static byte[] Mac(byte[] key, string stream, string stateType, long version, DateTimeOffset recordedAt, byte[] eventHash, string json)
    {
        using var h = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        void Field(ReadOnlySpan<byte> bytes)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            h.AppendData(length);
            h.AppendData(bytes);
        }
        Span<byte> number = stackalloc byte[8];
        Field("ledger-snapshot/1"u8);
        Field(Encoding.UTF8.GetBytes(stream));
        Field(Encoding.UTF8.GetBytes(stateType));
        BinaryPrimitives.WriteInt64BigEndian(number, version);
        Field(number);
        BinaryPrimitives.WriteInt64BigEndian(number, recordedAt.ToUniversalTime().Ticks / 10);
        Field(number);
        Field(eventHash);
        Field(Encoding.UTF8.GetBytes(json));
        return h.GetHashAndReset();
    }

    public static Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource owner, CancellationToken ct = default) =>
        SqlMigrator.ApplyAsync(owner, Component, SqlMigrator.FromEmbeddedResources(typeof(StreamSnapshots).Assembly), ct);

    public static async Task GrantServiceRoleAsync(NpgsqlDataSource owner, string role, CancellationToken ct = default)
    {
        var r = AuditSchema.Quote(role);
        await using var cmd = owner.CreateCommand($"""
            GRANT USAGE ON SCHEMA ledger_cache TO {r};
            GRANT SELECT, INSERT, DELETE ON ledger_cache.stream_snapshots TO {r};
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
