namespace Ledger.Audit;

/// <summary>
/// Every statement the audit layer runs, in one place (besides <c>Migrations/*.sql</c>). The tables it reads are
/// Marten's, in schema <see cref="MartenSchema"/>; the configuration of Marten (Ledger.Storage) uses the same constant.
/// </summary>
public static class AuditSql
{
    /// <summary>The schema Marten keeps its event tables in. The audit SQL names <c>ledger.mt_events</c> and <c>ledger.mt_streams</c>.</summary>
    public const string MartenSchema = "ledger";

    /// <summary>The schema of the audit objects (hash table, trigger functions).</summary>
    public const string AuditSchema = "ledger_audit";

    /// <summary>
    /// The partial index of the published log heads' events on <c>ledger.mt_events</c> (audit/0005): Ledger's own, which
    /// Marten is told to ignore (LedgerMarten), so that its schema tool does not drop it.
    /// </summary>
    public const string PublishedHeadsIndex = "mt_events_published_heads";

    /// <summary>Settled-sequence probe (<see cref="SettledSequence"/>): the last sequence value handed out, and the oldest running xid.</summary>
    public const string HighWaterMarkProbe = """
        SELECT CASE WHEN is_called THEN last_value ELSE 0 END, pg_snapshot_xmin(pg_current_snapshot())::text
        FROM ledger.mt_events_sequence
        """;

    /// <summary>
    /// Takes a transaction id, run in a transaction that is rolled back: an xid newer than that of every transaction
    /// that exists now. (A snapshot's xmax is not such a bound: it is latestCompletedXid + 1.)
    /// </summary>
    public const string NewXidBound = "SELECT pg_current_xact_id()::text";

    /// <summary>
    /// One page of the verifier's walk: each event in sequence order with its stored chain hash (null when it was never
    /// sealed) and the SHA-256 of its canonical bytes, recomputed here from the row as it is now. The hash side carries
    /// the page's lower bound too (<c>h.seq_id &gt; @after</c>, implied by the join): without it PostgreSQL merge-joined
    /// each page with a scan of the hash table's primary key from its first row, so a page near sequence N read N index
    /// entries and the walk grew with the square of the log (issue 13, national scale: docs/performance.md).
    /// </summary>
    public const string VerifyEvents = """
        SELECT e.seq_id, e.stream_id, e.version, h.hash, sha256(ledger_audit.canonical(e)), h.stream_id, h.version
          FROM ledger.mt_events e
          LEFT JOIN ledger_audit.event_hashes h ON h.seq_id = e.seq_id AND h.seq_id > @after
         WHERE e.seq_id > @after
         ORDER BY e.seq_id
         LIMIT @max
        """;

    /// <summary>Hash rows whose event is gone: an event deleted behind the triggers' back, named by its sequence.</summary>
    public const string VerifyOrphanHashes = """
        SELECT h.seq_id, h.stream_id, h.version
          FROM ledger_audit.event_hashes h
         WHERE NOT EXISTS (SELECT 1 FROM ledger.mt_events e WHERE e.seq_id = h.seq_id)
         ORDER BY h.seq_id
        """;

    public const string VerifyStreams = "SELECT id, coalesce(version, 0), coalesce(is_archived, false) FROM ledger.mt_streams";

    /// <summary>
    /// The log head (<see cref="LogHeads"/>): <c>ledger_audit.take_log_head</c> (audit/0003) appends the chain of heads up
    /// to the highest event at or below the settled sequence and returns that head (one row: the digest, no stream), then
    /// one row per stream asked about with its version at the head (its last event at or below it: a backward probe of
    /// Marten's <c>(stream_id, version)</c> index). Cost: the events since the previous head, not the number of streams.
    /// </summary>
    public const string TakeLogHead = """
        WITH h AS MATERIALIZED (SELECT t.seq, t.digest FROM ledger_audit.take_log_head(@settled) t)
        SELECT h.seq, h.digest, NULL::varchar, NULL::bigint FROM h
        UNION ALL
        SELECT h.seq, NULL::bytea, s.id,
               (SELECT e.version FROM ledger.mt_events e WHERE e.stream_id = s.id AND e.seq_id <= h.seq ORDER BY e.version DESC LIMIT 1)
          FROM h, unnest(@streams::varchar[]) AS s(id)
        """;

    /// <summary>The sequence of the latest head of the chain (audit/0003), 0 when there is none.</summary>
    public const string LatestLogHead = "SELECT coalesce(max(seq), 0) FROM ledger_audit.log_heads";

    /// <summary>One step of <see cref="LogHeads.CatchUpAsync"/>: the head at the highest event at or below @target (a settled number).</summary>
    public const string TakeLogHeadUpTo = "SELECT t.seq FROM ledger_audit.take_log_head(@target) t";

    /// <summary>The chain of heads (audit/0003) in sequence order, for the verifier to recompute.</summary>
    public const string LogHeadChain = "SELECT seq, previous_seq, digest FROM ledger_audit.log_heads ORDER BY seq";

    /// <summary>
    /// What the service role may do, and nothing more (docs/security.md): read Marten's tables; INSERT events (never
    /// UPDATE, DELETE or TRUNCATE them); INSERT and UPDATE stream rows (Marten moves versions; the seal trigger refuses
    /// moving one back or archiving it); use the event sequence; full DML on every other table of Marten's schema
    /// (projection progress, documents: derived data); read the hash table (only the SECURITY DEFINER seal writes it).
    /// Idempotent; run as the owner at every start, after Marten's schema and the audit migrations.
    /// </summary>
    public static string Grant(string role) => $"""
        REVOKE ALL ON ALL TABLES IN SCHEMA ledger FROM {role};
        REVOKE ALL ON ALL TABLES IN SCHEMA ledger_audit FROM {role};
        GRANT USAGE ON SCHEMA ledger, ledger_audit TO {role};
        GRANT SELECT ON ALL TABLES IN SCHEMA ledger TO {role};
        GRANT INSERT ON ledger.mt_events TO {role};
        GRANT INSERT, UPDATE ON ledger.mt_streams TO {role};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ledger TO {role};
        DO $grant$
        DECLARE t record;
        BEGIN
            FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = 'ledger' AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('mt_events', 'mt_streams')
            LOOP
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ledger.%I TO %s', t.relname, '{role.Replace("'", "''")}');
            END LOOP;
        END $grant$;
        GRANT SELECT ON ledger_audit.event_hashes, ledger_audit.log_heads TO {role};
        GRANT EXECUTE ON FUNCTION ledger_audit.take_log_head(bigint, integer) TO {role};
        GRANT EXECUTE ON FUNCTION ledger_audit.canonical(ledger.mt_events) TO {role};
        """;

    /// <summary>The audit triggers that must exist and be enabled (tgenabled 'O' or 'A'), as (table, trigger).</summary>
    public static readonly IReadOnlyList<(string Table, string Trigger)> RequiredTriggers =
    [
        ("ledger.mt_streams", "ledger_seal"),
        ("ledger.mt_streams", "ledger_keep_streams"),
        ("ledger.mt_streams", "ledger_no_truncate"),
        ("ledger.mt_events", "ledger_append_only"),
        ("ledger.mt_events", "ledger_no_truncate"),
        ("ledger_audit.event_hashes", "ledger_append_only"),
        ("ledger_audit.event_hashes", "ledger_no_truncate"),
        ("ledger_audit.log_heads", "ledger_append_only"),
        ("ledger_audit.log_heads", "ledger_no_truncate"),
    ];

    /// <summary>The CHECK constraints that keep Marten's tombstones (unsealed placeholders of failed saves) out of the log (audit/0002).</summary>
    public static readonly IReadOnlyList<(string Table, string Constraint)> RequiredConstraints =
    [
        ("ledger.mt_streams", "ledger_no_tombstone_stream"),
        ("ledger.mt_events", "ledger_no_tombstone_events"),
    ];

    /// <summary>The CHECK constraints of the audited tables.</summary>
    public const string Constraints = """
        SELECT n.nspname || '.' || c.relname, k.conname
          FROM pg_constraint k
          JOIN pg_class c ON c.oid = k.conrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE k.contype = 'c' AND n.nspname = 'ledger'
        """;

    /// <summary>Every trigger of the audited tables, with whether it is enabled.</summary>
    public const string Triggers = """
        SELECT n.nspname || '.' || c.relname, t.tgname, t.tgenabled IN ('O', 'A'), p.prosecdef, t.tgdeferrable AND t.tginitdeferred
          FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE NOT t.tgisinternal AND n.nspname IN ('ledger', 'ledger_audit')
        """;

    /// <summary>
    /// The metadata columns the chain covers and Ledger writes (actor, reason and agency are headers). Marten's schema
    /// tool drops a column when its setting is switched off, with its content: they are frozen on.
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredEventColumns =
        ["seq_id", "id", "stream_id", "version", "data", "type", "timestamp", "tenant_id", "correlation_id", "causation_id", "headers"];

    public const string EventColumns = """
        SELECT a.attname FROM pg_attribute a
         WHERE a.attrelid = 'ledger.mt_events'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """;

    /// <summary>The privileges of a role that would break the audit layer; each must be false.</summary>
    public const string ForbiddenPrivileges = """
        SELECT r.rolsuper, r.rolbypassrls,
               has_table_privilege(r.oid, 'ledger.mt_events', 'UPDATE'), has_table_privilege(r.oid, 'ledger.mt_events', 'DELETE'),
               has_table_privilege(r.oid, 'ledger.mt_events', 'TRUNCATE'), has_table_privilege(r.oid, 'ledger.mt_streams', 'DELETE'),
               has_table_privilege(r.oid, 'ledger.mt_streams', 'TRUNCATE'),
               has_table_privilege(r.oid, 'ledger_audit.event_hashes', 'INSERT'), has_table_privilege(r.oid, 'ledger_audit.event_hashes', 'UPDATE'),
               has_table_privilege(r.oid, 'ledger_audit.event_hashes', 'DELETE'),
               has_table_privilege(r.oid, 'ledger_audit.log_heads', 'INSERT'), has_table_privilege(r.oid, 'ledger_audit.log_heads', 'UPDATE'),
               has_table_privilege(r.oid, 'ledger_audit.log_heads', 'DELETE'),
               pg_has_role(r.oid, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'ledger.mt_events'::regclass), 'USAGE'),
               has_schema_privilege(r.oid, 'ledger', 'CREATE'), has_schema_privilege(r.oid, 'ledger_audit', 'CREATE')
          FROM pg_roles r WHERE r.rolname = current_user
        """;

    public static readonly IReadOnlyList<string> ForbiddenPrivilegeNames =
    [
        "is a superuser", "bypasses row security", "may UPDATE events", "may DELETE events", "may TRUNCATE events",
        "may DELETE stream rows", "may TRUNCATE stream rows", "may INSERT chain hashes", "may UPDATE chain hashes",
        "may DELETE chain hashes", "may INSERT log heads", "may UPDATE log heads", "may DELETE log heads",
        "owns the event tables (can disable their triggers)", "may CREATE in schema ledger",
        "may CREATE in schema ledger_audit",
    ];
}
