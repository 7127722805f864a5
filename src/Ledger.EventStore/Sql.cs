namespace Ledger.EventStore;

/// <summary>Every statement the store runs, in one place (the schema itself is in Migrations/*.sql).</summary>
internal static class Sql
{
    public const string StreamVersionConstraint = "events_stream_version_key";

    public const string Append = """
        SELECT conflict, version, seqs, hashes, recorded_at
        FROM eventstore.append(@stream, @stream_type, @tenant, @expected, @ids, @types, @data,
                               @actor, @reason, @correlation, @causation, @idem, @headers)
        """;

    /// <summary>Several appends in one call (group commit, migration 0005): per-append arrays, then the events of all of them in order.</summary>
    public const string AppendMany = """
        SELECT conflict, version, seqs, hashes, recorded_at
        FROM eventstore.append_many(@streams, @stream_types, @tenants, @expected, @counts, @ids, @types, @data,
                                    @actors, @reasons, @correlations, @causations, @idems, @headers)
        """;

    private const string EventColumns = """
        seq, id, stream_id, version, type, data::text, recorded_at, tenant, actor::text, reason,
        correlation_id, causation_id, idempotency_key, headers::text, hash
        """;

    public const string ReadStream = $"""
        SELECT {EventColumns} FROM eventstore.events
        WHERE stream_id = @stream
          AND (@up_to::bigint IS NULL OR version <= @up_to)
          AND (@as_of::timestamptz IS NULL OR recorded_at <= @as_of)
          AND (@from::bigint IS NULL OR version >= @from)
        ORDER BY version
        """;

    public const string StreamVersion = "SELECT version FROM eventstore.streams WHERE id = @stream";

    /// <summary>The last sequence value handed out and the oldest transaction still running (no xid is taken).</summary>
    public const string HighWaterMarkProbe = """
        SELECT CASE WHEN is_called THEN last_value ELSE 0 END, pg_snapshot_xmin(pg_current_snapshot())::text
        FROM eventstore.event_seq
        """;

    /// <summary>
    /// Takes a transaction id, run in a transaction that is rolled back: an xid newer than that of every transaction
    /// that exists now. (A snapshot's xmax is not such a bound: it is latestCompletedXid + 1, and a running transaction
    /// with a newer xid appears in neither xip nor below xmax.)
    /// </summary>
    public const string NewXidBound = "SELECT pg_current_xact_id()::text";

    public const string ReadAll = $"""
        SELECT {EventColumns} FROM eventstore.events
        WHERE seq > @after AND seq <= @safe
        ORDER BY seq
        LIMIT @max
        """;

    /// <summary>Every event of one type, in sequence order (a scan: for whole-log audits such as the verifier's published heads).</summary>
    public const string ReadByType = $"""
        SELECT {EventColumns} FROM eventstore.events WHERE type = @type ORDER BY seq
        """;

    public const string CountAll = "SELECT count(*) FROM eventstore.events WHERE seq > @after AND seq <= @up_to";

    /// <summary>Every event with the bytes its hash covers, in global order, for the chain verifier.</summary>
    public const string VerifyEvents = """
        SELECT seq, stream_id, version, prev_hash, hash,
               eventstore.canonical(id, stream_id, version, type, recorded_at, tenant, data, actor, reason,
                                    correlation_id, causation_id, idempotency_key, headers)
        FROM eventstore.events
        WHERE seq > @after
        ORDER BY seq
        LIMIT @max
        """;

    public const string VerifyStreams = "SELECT id, version, head_hash FROM eventstore.streams";

    /// <summary>
    /// The cheap log head (<see cref="LogHeads"/>), in one snapshot: the head (the highest sequence at or below a settled
    /// one), then one row per stream with its version and head hash at the head. A stream with events after the head is
    /// taken at the event before its first such event (version − 1, that event's prev_hash; version 0 = none at the head).
    /// Reads the streams table and the events after the head (primary key range), never the whole log.
    /// </summary>
    public const string LogHeadStreams = """
        WITH head AS (
            SELECT coalesce((SELECT max(seq) FROM eventstore.events WHERE seq <= @settled), 0) AS seq
        ), moved AS (
            SELECT DISTINCT ON (e.stream_id) e.stream_id, e.version, e.prev_hash
              FROM eventstore.events e
             WHERE e.seq > (SELECT seq FROM head)
             ORDER BY e.stream_id, e.version
        )
        SELECT head.seq, NULL::text, NULL::bigint, NULL::bytea FROM head
        UNION ALL
        SELECT head.seq, s.id, coalesce(m.version - 1, s.version), coalesce(m.prev_hash, s.head_hash)
          FROM head, eventstore.streams s LEFT JOIN moved m ON m.stream_id = s.id
        """;

    // ---- Idempotency keys (Migrations/0002_idempotency.sql, IdempotencyStore) ----

    /// <summary>
    /// Claims a key: inserts a fresh claim, or takes over a row whose time is up (an abandoned claim or an expired
    /// response). Returns a row only when this call now holds the claim.
    /// </summary>
    public const string IdempotencyClaim = """
        INSERT INTO eventstore.idempotency AS i
               (scope, key, request_hash, claim_token, status, content_type, body, etag, created_at, completed_at, expires_at)
        VALUES (@scope, @key, @hash, @token, NULL, NULL, NULL, NULL, clock_timestamp(), NULL, clock_timestamp() + @lease)
        ON CONFLICT (scope, key) DO UPDATE
           SET request_hash = excluded.request_hash, claim_token = excluded.claim_token, status = NULL,
               content_type = NULL, body = NULL, etag = NULL, created_at = excluded.created_at,
               completed_at = NULL, expires_at = excluded.expires_at
         WHERE i.expires_at <= clock_timestamp()
        RETURNING claim_token
        """;

    /// <summary>The row a claim lost to (it may have been released meanwhile: then no row).</summary>
    public const string IdempotencyRead = """
        SELECT request_hash, status, content_type, body, etag FROM eventstore.idempotency
        WHERE scope = @scope AND key = @key AND expires_at > clock_timestamp()
        """;

    public const string IdempotencyComplete = """
        UPDATE eventstore.idempotency
           SET status = @status, content_type = @content_type, body = @body, etag = @etag,
               completed_at = clock_timestamp(), expires_at = clock_timestamp() + @retention
         WHERE scope = @scope AND key = @key AND claim_token = @token AND status IS NULL
        """;

    public const string IdempotencyRelease = """
        DELETE FROM eventstore.idempotency
         WHERE scope = @scope AND key = @key AND claim_token = @token AND status IS NULL
        """;

    // ---- Stream snapshots (Migrations/0003_stream_snapshots.sql, PostgresStreamSnapshots) ----

    /// <summary>Derived data: a second writer of the same (stream, type, version) wrote the same state, so keep the first.</summary>
    public const string SnapshotSave = """
        INSERT INTO eventstore.stream_snapshots (stream_id, state_type, version, recorded_at, event_hash, state)
        VALUES (@stream, @state_type, @version, @recorded_at, @event_hash, @state::jsonb)
        ON CONFLICT (stream_id, state_type, version) DO NOTHING
        """;

    /// <summary>The newest snapshot of the stream and type at or before an instant and/or a version (either may be null).</summary>
    public const string SnapshotLatest = """
        SELECT stream_id, state_type, version, recorded_at, event_hash, state::text
        FROM eventstore.stream_snapshots
        WHERE stream_id = @stream AND state_type = @state_type
          AND (@as_of::timestamptz IS NULL OR recorded_at <= @as_of)
          AND (@up_to::bigint IS NULL OR version <= @up_to)
        ORDER BY recorded_at DESC, version DESC
        LIMIT 1
        """;

    public const string SnapshotDeleteStream = "DELETE FROM eventstore.stream_snapshots WHERE stream_id = @stream";
}
