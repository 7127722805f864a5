using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Every SQL statement of the read models (style #9): nothing else in this project builds SQL. Batches are written as
/// "delete the keys the batch touched, then COPY the new rows", so re-applying a batch gives the same rows (idempotent)
/// and a batch costs a few round trips whatever its size. Marten's tables are named in its schema <c>ledger</c>
/// (<c>LedgerMarten.Schema</c>, as the audit SQL names them).
/// <para>
/// The writers' statements take the schema they write to: <see cref="Schema"/> in the daemon, <see cref="Temp"/> (the
/// session's temporary tables, created <c>LIKE</c> the real ones) when the verifier recomputes a table to compare it
/// with what the daemon wrote (<see cref="ReadModelVerifier"/>). The schema is one of these two constants, never input.
/// </para>
/// </summary>
internal static class ReadModelStatements
{
    public const string Schema = "readmodel";

    /// <summary>The session's own schema of temporary tables (the verifier's recomputed copies).</summary>
    public const string Temp = "pg_temp";

    /// <summary>
    /// The shard's progression as this transaction sees it. Read in the daemon's transaction after Marten's own
    /// statements, so it is the ceiling of the batch being committed (Marten moved it there by compare-and-swap from
    /// the batch's floor).
    /// </summary>
    public const string ShardProgression = "SELECT last_seq_id FROM ledger.mt_event_progression WHERE name = @name";

    /// <summary>Whether the log holds any event in (@after, @through] (a page of skipped sequence numbers holds none).</summary>
    public const string AnyEventBetween = "SELECT EXISTS (SELECT 1 FROM ledger.mt_events WHERE seq_id > @after AND seq_id <= @through)";

    /// <summary>
    /// sakip-state's cold cache, first: which of the names an agency's streams may have (<c>agency-{a}</c>, and
    /// <c>renstra-{a}-{y}</c> and <c>year-{a}-{y}</c> for every year a stream key may carry) exist (primary key lookups).
    /// </summary>
    public const string ExistingStreams = "SELECT id FROM ledger.mt_streams WHERE id = ANY(@streams)";

    /// <summary>
    /// For the rest of the transaction, no JIT compilation of plans: the planner's estimate for
    /// <see cref="StreamEventsInVersionOrder"/> over hundreds of streams passes PostgreSQL's JIT thresholds, and the
    /// compilation (inlining and optimization) took 0.14–0.35 s of a statement that then reads in 0.8 s what it needs
    /// without it (10 M events). Nothing the read models run gains from JIT.
    /// </summary>
    public const string NoJit = "SET LOCAL jit = off";

    /// <summary>The streams of agencies (<c>agency-</c>, <c>renstra-</c>, <c>year-</c> keys): the verifier's recompute groups them by agency.</summary>
    public const string AgencyStreamIds = """
        SELECT id FROM ledger.mt_streams WHERE id LIKE 'agency-%' OR id LIKE 'renstra-%' OR id LIKE 'year-%'
        """;

    /// <summary>
    /// Some streams' events up to a sequence (seq_id, stream_id, version, type, data, the agency header), in version
    /// order, stream after stream: sakip-state's cold cache (the streams of the agencies a page meets first, found by
    /// <see cref="ExistingStreams"/>) and the verifier's recompute. Each stream is read through the (stream_id, version)
    /// index in its order, so the plan is one index lookup per stream whatever their number: no sort of the events by
    /// sequence (an agency's states are each a fold of its own stream, so the order across streams does not matter).
    /// The cold cache used to ask for <c>stream_id = ANY(@streams) ORDER BY seq_id</c>: for the few streams of one
    /// agency that was the same index, but for the ~4 000 streams of a page meeting ~380 agencies at once (the first
    /// page after a start with a backlog) the planner walked the sequence's primary key over the whole table and
    /// filtered it: 17.7 s and 993 000 buffers at 10 M events, against 0.8 s and 41 000 buffers this way (issue 13,
    /// docs/performance.md "The first touch, located and fixed"). Each stream is read after a version (<c>@after</c>, the
    /// same length as <c>@streams</c>: 0 for every event; a year stream re-folded from a snapshot, its version: issue 13).
    /// Run after <see cref="NoJit"/>.
    /// </summary>
    public const string StreamEventsInVersionOrder = """
        SELECT e.seq_id, e.stream_id, e.version, e.type, e.data, e.headers ->> 'agency'
          FROM unnest(@streams::text[], @after::bigint[]) WITH ORDINALITY AS s(id, after, n)
          CROSS JOIN LATERAL (
                SELECT * FROM ledger.mt_events e WHERE e.stream_id = s.id AND e.version > s.after AND e.seq_id <= @upto
                 ORDER BY e.version) e
         ORDER BY s.n, e.version
        """;

    /// <summary>
    /// sakip-state's repair after a crash while its rows were deferred: every event of every agency's streams up to a
    /// sequence, in order (the columns of <see cref="StreamEventsInVersionOrder"/>, for all agencies: a scan of the log).
    /// </summary>
    public const string AllAgencyEvents = """
        SELECT seq_id, stream_id, version, type, data, headers ->> 'agency'
          FROM ledger.mt_events
         WHERE seq_id <= @upto AND (stream_id LIKE 'agency-%' OR stream_id LIKE 'renstra-%' OR stream_id LIKE 'year-%')
         ORDER BY seq_id
        """;

    /// <summary>Whether the log holds any event after @after (a full page that is not the log's end).</summary>
    public const string AnyEventAfter = "SELECT EXISTS (SELECT 1 FROM ledger.mt_events WHERE seq_id > @after)";

    /// <summary>
    /// The state tables' marker (readmodel.rows_pending): present while a shard's state rows are deferred, i.e. the
    /// state tables do not yet show the events up to its progression (docs/projections.md, "Rows written once").
    /// </summary>
    public const string RowsPending = "SELECT EXISTS (SELECT 1 FROM readmodel.rows_pending WHERE projection = @name)";
    public const string MarkRowsPending = """
        INSERT INTO readmodel.rows_pending (projection, since) VALUES (@name, @since) ON CONFLICT (projection) DO NOTHING
        """;
    public const string ClearRowsPending = "DELETE FROM readmodel.rows_pending WHERE projection = @name";

    /// <summary>Every row of the four state tables, before they are written whole.</summary>
    public const string DeleteAllState = """
        DELETE FROM readmodel.indicator_state; DELETE FROM readmodel.lkjip_rows; DELETE FROM readmodel.budget_lines;
        DELETE FROM readmodel.performance_years
        """;

    /// <summary>
    /// sakip-history: the earlier events (before the batch) of some streams, of the types the history mapping remembers
    /// (proposals, the Renstra's creation, what a year stream committed or reported). Served by (stream_id, version).
    /// </summary>
    public const string HistoryEarlierEvents = """
        SELECT seq_id, id, stream_id, type, data, timestamp, headers ->> 'agency',
               CASE WHEN jsonb_typeof(headers -> 'reason') = 'string' THEN headers ->> 'reason' END
          FROM ledger.mt_events
         WHERE stream_id = ANY(@streams) AND seq_id < @before AND type = ANY(@types)
         ORDER BY seq_id
        """;

    /// <summary>
    /// The verifier's recompute and a replay's pages (<c>SakipPageLoader</c>): the log's events (@after, @upto] in
    /// sequence order, with what a daemon page gives the projections (<c>SakipEvent.Read</c>: seq, id, stream, version,
    /// type, payload, recorded time, the agency, actor and reason headers; the reason only when it is text, as
    /// <c>EventHeaderValues.Text</c> reads it); <paramref name="filtered"/>: only the types in @types (a projection's
    /// event-type filter); <paramref name="paged"/>: at most @max of them (a daemon page). The primary key's range.
    /// </summary>
    public static string LogEvents(bool filtered, bool paged) => $"""
        SELECT seq_id, id, stream_id, version, type, data, timestamp, headers ->> 'agency',
               nullif(headers -> 'actor', 'null'::jsonb)::text,
               CASE WHEN jsonb_typeof(headers -> 'reason') = 'string' THEN headers ->> 'reason' END
          FROM ledger.mt_events
         WHERE seq_id > @after AND seq_id <= @upto{(filtered ? " AND type = ANY(@types)" : "")}
         ORDER BY seq_id{(paged ? " LIMIT @max" : "")}
        """;

    /// <summary>
    /// A page of <see cref="LogEvents"/>: at most <paramref name="max"/> events in (<paramref name="after"/>,
    /// <paramref name="upTo"/>], of <paramref name="types"/> only when given.
    /// </summary>
    public static NpgsqlCommand LogPage(NpgsqlConnection connection, NpgsqlTransaction? transaction, long after, long upTo, int max, string[]? types)
    {
        var cmd = new NpgsqlCommand(LogEvents(filtered: types is not null, paged: true), connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<long>("after", after));
        cmd.Parameters.Add(new NpgsqlParameter<long>("upto", upTo));
        cmd.Parameters.Add(new NpgsqlParameter<int>("max", max));
        if (types is not null) cmd.Parameters.Add(new NpgsqlParameter<string[]>("types", types));
        return cmd;
    }

    /// <summary>The column of <see cref="LogEvents"/> that holds the stored type name.</summary>
    public const int LogEventsType = 4;

    /// <summary>The verifier's snapshot transaction only reads: it never takes a transaction id (which a settled log head would wait for).</summary>
    public const string ReadOnly = "SET TRANSACTION READ ONLY";

    /// <summary>
    /// The verifier's first statement, which takes its REPEATABLE READ snapshot: each shard's committed progression
    /// (rows and progression commit together, so the tables it then reads are exactly the projections' output up to
    /// these positions), and whether this role may create temporary tables (PUBLIC may, unless revoked).
    /// </summary>
    public const string VerifySnapshot = """
        SELECT name, last_seq_id, has_database_privilege(current_database(), 'TEMPORARY'),
               (SELECT r.since FROM readmodel.rows_pending r WHERE r.projection = n.name)
          FROM (SELECT unnest(@names::text[]) AS name) n
          LEFT JOIN ledger.mt_event_progression p USING (name)
        """;

    /// <summary>
    /// The verifier's two empty copies of a readmodel table in its work session's temporary schema, same columns in the
    /// same order (so rows compare by their text form): <c>pg_temp.{table}</c>, which the projection's writers fill
    /// (expected), and <c>pg_temp.actual_{table}</c>, which receives the table as the snapshot shows it (actual).
    /// </summary>
    public static string CreateTempCopies(string table) => $"""
        CREATE TEMPORARY TABLE {table} (LIKE {Schema}.{table});
        CREATE TEMPORARY TABLE actual_{table} (LIKE {Schema}.{table})
        """;

    /// <summary>
    /// A readmodel table's size in pages. Every row the snapshot sees lies below it (rows it sees were written before it,
    /// and a table shrinks only under an ACCESS EXCLUSIVE lock, which the snapshot's ACCESS SHARE holds off).
    /// </summary>
    public static string Pages(string table) => $"SELECT pg_relation_size('{Schema}.{table}') / current_setting('block_size')::bigint";

    /// <summary>
    /// The rows (as the snapshot shows them) on pages [<paramref name="from"/>, <paramref name="to"/>) of a readmodel table,
    /// binary (exact): a TID range scan, so the copy is done in chunks, each received in a short transaction of the work session.
    /// </summary>
    public static string CopyOut(string table, long from, long to) =>
        FormattableString.Invariant($"COPY (SELECT * FROM {Schema}.{table} WHERE ctid >= '({from},0)'::tid AND ctid < '({to},0)'::tid) TO STDOUT (FORMAT BINARY)");

    public static string CopyIntoActual(string table) => $"COPY {Temp}.actual_{table} FROM STDIN (FORMAT BINARY)";

    /// <summary>Drops the work session's temporary tables (pooled sessions outlive the verifier: Ledger's connections do not reset).</summary>
    public const string DropTemporaryTables = "DISCARD TEMP";

    /// <summary>A readmodel table's primary-key columns in key order (every column when it has none): the key a difference is named by.</summary>
    public const string KeyColumns = """
        SELECT a.attname FROM pg_attribute a
          LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
         WHERE a.attrelid = @table::regclass AND a.attnum > 0 AND NOT a.attisdropped
           AND (i.indrelid IS NULL OR a.attnum = ANY(i.indkey))
         ORDER BY coalesce(array_position(i.indkey::int2[], a.attnum), a.attnum)
        """;

    /// <summary>Rows of a readmodel table (its copy) and of its recompute.</summary>
    public static string CountRows(string table) => $"SELECT (SELECT count(*) FROM {Temp}.actual_{table}), (SELECT count(*) FROM {Temp}.{table})";

    /// <summary>
    /// The differences between a readmodel table (actual: its copy) and its recompute (expected), whole rows compared by
    /// their text form (every column, numerics with their scale), multiset-wise (EXCEPT ALL both ways); grouped by
    /// <paramref name="keys"/> (quoted column names) into missing (only expected has the key), extra (only the table)
    /// and different (both, with other contents). Returns kind, how many keys of that kind, and the key columns of the
    /// first @examples of each kind in key order.
    /// </summary>
    public static string Differences(string table, IReadOnlyList<string> keys)
    {
        var k = string.Join(", ", keys);
        return $"""
            WITH expected AS (SELECT {k}, t::text AS verify_row FROM {Temp}.{table} t),
                 actual AS (SELECT {k}, t::text AS verify_row FROM {Temp}.actual_{table} t),
                 d AS (SELECT 1 AS m, 0 AS x, * FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) missing
                       UNION ALL
                       SELECT 0, 1, * FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) extra),
                 kinds AS (SELECT {k}, CASE WHEN sum(m) > 0 AND sum(x) > 0 THEN 'different' WHEN sum(m) > 0 THEN 'missing' ELSE 'extra' END AS kind
                             FROM d GROUP BY {k}),
                 ranked AS (SELECT kinds.*, count(*) OVER (PARTITION BY kind) AS total, row_number() OVER (PARTITION BY kind ORDER BY {k}) AS n
                              FROM kinds)
            SELECT kind, total, {k} FROM ranked WHERE n <= @examples ORDER BY kind, n
            """;
    }

    /// <summary>The highest committed sequence number (the head a projection's lag is measured against).</summary>
    public const string Head = "SELECT coalesce(max(seq_id), 0) FROM ledger.mt_events";

    /// <summary>
    /// What Marten's daemon recorded for some shards: committed progression, and (extended progression tracking, which
    /// <c>SakipReadModels.Register</c> turns on) the agent's last status and failure, written by whichever node leads.
    /// </summary>
    public const string ShardStatus = """
        SELECT name, last_seq_id, last_updated, mode, agent_status, pause_reason, failure_category, failure_event_sequence,
               failure_event_type
          FROM ledger.mt_event_progression WHERE name = ANY(@names)
        """;

    /// <summary>Deletes whole agency-years (@agencies, @years) of one of the state tables.</summary>
    public static string DeleteYears(string schema, string table) => $"""
        DELETE FROM {schema}.{table} t
         USING unnest(@agencies::text[], @years::int[]) AS k(agency, year)
         WHERE t.agency = k.agency AND t.year = k.year
        """;

    /// <summary>Deletes single rows (@agencies, @years, @keys) of one of the state tables; <paramref name="keyColumn"/> is indicator or code.</summary>
    public static string DeleteKeys(string schema, string table, string keyColumn) => $"""
        DELETE FROM {schema}.{table} t
         USING unnest(@agencies::text[], @years::int[], @keys::text[]) AS k(agency, year, key)
         WHERE t.agency = k.agency AND t.year = k.year AND t.{keyColumn} = k.key
        """;

    public static string DeleteHistoryRange(string schema) => $"DELETE FROM {schema}.indicator_history WHERE seq BETWEEN @first AND @last";

    public static string DeletePkRange(string schema) => $"DELETE FROM {schema}.pk_versions WHERE seq BETWEEN @first AND @last";

    public static string CopyIndicatorState(string schema) => $"""
        COPY {schema}.indicator_state (agency, year, indicator, name, unit, polarity, lower_formula, aggregation, level, kind,
            parent, renstra_period_start, target_renstra, target_renstra_revised, target_pk_murni, target_pk, target_source,
            target_in_force, realization_q1, realization_q2, realization_q3, realization_q4, realization_s1, realization_s2,
            realization_y, annual_value, capaian, capaian_display, capaian_method, capaian_not_computed_reason, capaian_policy,
            predikat, rating_scale, claimed_capaian) FROM STDIN (FORMAT BINARY)
        """;

    public static string CopyLkjipRows(string schema) => $"""
        COPY {schema}.lkjip_rows (agency, year, indicator, ordinal, name, unit, polarity, level, kind, parent, target,
            target_source, realization, capaian, capaian_display, capaian_method, capaian_not_computed_reason, predikat,
            prev_target, prev_target_source, prev_realization, prev_capaian, prev_capaian_display, prev_predikat,
            end_target, progress_to_end_target, progress_method) FROM STDIN (FORMAT BINARY)
        """;

    public static string CopyBudgetLines(string schema) => $"""
        COPY {schema}.budget_lines (agency, year, code, ordinal, name, parent, pagu_murni, pagu, spent_direct, spent,
            spending_entries, absorption, efficiency, exceeds_pagu) FROM STDIN (FORMAT BINARY)
        """;

    public static string CopyPerformanceYears(string schema) => $"""
        COPY {schema}.performance_years (agency, year, stream_version, closed, snapshot_hash, renstra_period_start,
            rating_scale, pk_versions, budget_revisions, pagu_murni, pagu, spent, absorption, efficiency) FROM STDIN (FORMAT BINARY)
        """;

    public static string CopyHistory(string schema) => $"""
        COPY {schema}.indicator_history (seq, item, event_id, event_type, stream_id, stream_version, agency, indicator,
            change, recorded_at, effective_year, effective_period, effective_on, actor, reason, ground, legal_basis, before,
            after, kind, effective, note, proposal_id, proposal_status) FROM STDIN (FORMAT BINARY)
        """;

    public static string CopyPkVersions(string schema) => $"""
        COPY {schema}.pk_versions (agency, year, number, kind, signed_on, signer, reason, ground, targets, changes, actor,
            recorded_at, event_id, seq) FROM STDIN (FORMAT BINARY)
        """;

    /// <summary>
    /// The service role's rights on the read models (run as their owner after the migrations, and again whenever a
    /// migration adds a table): USAGE on the schema and DML on every table in it (the projections delete and COPY; a
    /// rebuild's teardown deletes everything: no TRUNCATE needed), plus SELECT on what the projections and the status
    /// report read of Marten's schema (already granted by the audit layer's grant; stated here so this grant is whole).
    /// </summary>
    public static string Grant(string role) => $"""
        GRANT USAGE ON SCHEMA readmodel TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA readmodel TO {role};
        GRANT USAGE ON SCHEMA ledger TO {role};
        GRANT SELECT ON ledger.mt_events, ledger.mt_streams, ledger.mt_event_progression TO {role};
        """;
}
