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

    private const string EventColumns = """
        seq, id, stream_id, version, type, data::text, recorded_at, tenant, actor::text, reason,
        correlation_id, causation_id, idempotency_key, headers::text, hash
        """;

    public const string ReadStream = $"""
        SELECT {EventColumns} FROM eventstore.events
        WHERE stream_id = @stream
          AND (@up_to::bigint IS NULL OR version <= @up_to)
          AND (@as_of::timestamptz IS NULL OR recorded_at <= @as_of)
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
}
