namespace Ledger.ReadModels;

/// <summary>
/// Every SQL statement of the read models (style #9): nothing else in this project builds SQL. Batches are written as
/// "delete the keys the batch touched, then COPY the new rows", so re-applying a batch gives the same rows (idempotent)
/// and a batch costs a few round trips whatever its size. Marten's tables are named in its schema <c>ledger</c>
/// (<c>LedgerMarten.Schema</c>, as the audit SQL names them).
/// </summary>
internal static class ReadModelStatements
{
    public const string Schema = "readmodel";

    /// <summary>
    /// The shard's progression as this transaction sees it. Read in the daemon's transaction after Marten's own
    /// statements, so it is the ceiling of the batch being committed (Marten moved it there by compare-and-swap from
    /// the batch's floor).
    /// </summary>
    public const string ShardProgression = "SELECT last_seq_id FROM ledger.mt_event_progression WHERE name = @name";

    /// <summary>Whether the log holds any event in (@after, @through] (a page of skipped sequence numbers holds none).</summary>
    public const string AnyEventBetween = "SELECT EXISTS (SELECT 1 FROM ledger.mt_events WHERE seq_id > @after AND seq_id <= @through)";

    /// <summary>
    /// sakip-state's cold cache: every event of some agencies' streams (<c>agency-{a}</c>, <c>renstra-{a}-{n}</c>,
    /// <c>year-{a}-{n}</c>, the agency being the key up to its last hyphen) up to a sequence, in order, with the agency
    /// header (an event whose header disagrees with its key is ignored, as in a batch). The stream rows are few; events
    /// are found by (stream_id, version).
    /// </summary>
    public const string AgencyEvents = """
        SELECT e.seq_id, e.stream_id, e.version, e.type, e.data, e.headers ->> 'agency'
          FROM ledger.mt_streams s
          JOIN ledger.mt_events e ON e.stream_id = s.id
         WHERE CASE WHEN s.id LIKE 'agency-%' THEN substr(s.id, 8)
                    WHEN s.id LIKE 'renstra-%' THEN substring(s.id FROM '^renstra-(.+)-[^-]*$')
                    WHEN s.id LIKE 'year-%' THEN substring(s.id FROM '^year-(.+)-[^-]*$')
               END = ANY(@agencies)
           AND e.seq_id <= @upto
         ORDER BY e.seq_id
        """;

    /// <summary>
    /// sakip-state's repair after a crash while its rows were deferred: every event of every agency's streams up to a
    /// sequence, in order (as <see cref="AgencyEvents"/>, for all agencies).
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
        SELECT seq_id, id, stream_id, type, data, timestamp, headers ->> 'agency', headers ->> 'reason'
          FROM ledger.mt_events
         WHERE stream_id = ANY(@streams) AND seq_id < @before AND type = ANY(@types)
         ORDER BY seq_id
        """;

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
    public static string DeleteYears(string table) => $"""
        DELETE FROM readmodel.{table} t
         USING unnest(@agencies::text[], @years::int[]) AS k(agency, year)
         WHERE t.agency = k.agency AND t.year = k.year
        """;

    /// <summary>Deletes single rows (@agencies, @years, @keys) of one of the state tables; <paramref name="keyColumn"/> is indicator or code.</summary>
    public static string DeleteKeys(string table, string keyColumn) => $"""
        DELETE FROM readmodel.{table} t
         USING unnest(@agencies::text[], @years::int[], @keys::text[]) AS k(agency, year, key)
         WHERE t.agency = k.agency AND t.year = k.year AND t.{keyColumn} = k.key
        """;

    public const string DeleteHistoryRange = "DELETE FROM readmodel.indicator_history WHERE seq BETWEEN @first AND @last";

    public const string DeletePkRange = "DELETE FROM readmodel.pk_versions WHERE seq BETWEEN @first AND @last";

    public const string CopyIndicatorState = """
        COPY readmodel.indicator_state (agency, year, indicator, name, unit, polarity, lower_formula, aggregation, level, kind,
            parent, renstra_period_start, target_renstra, target_renstra_revised, target_pk_murni, target_pk, target_source,
            target_in_force, realization_q1, realization_q2, realization_q3, realization_q4, realization_s1, realization_s2,
            realization_y, annual_value, capaian, capaian_display, capaian_method, capaian_not_computed_reason, capaian_policy,
            predikat, rating_scale, claimed_capaian) FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyLkjipRows = """
        COPY readmodel.lkjip_rows (agency, year, indicator, ordinal, name, unit, polarity, level, kind, parent, target,
            target_source, realization, capaian, capaian_display, capaian_method, capaian_not_computed_reason, predikat,
            prev_target, prev_target_source, prev_realization, prev_capaian, prev_capaian_display, prev_predikat,
            end_target, progress_to_end_target, progress_method) FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyBudgetLines = """
        COPY readmodel.budget_lines (agency, year, code, ordinal, name, parent, pagu_murni, pagu, spent_direct, spent,
            spending_entries, absorption, efficiency, exceeds_pagu) FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyPerformanceYears = """
        COPY readmodel.performance_years (agency, year, stream_version, closed, snapshot_hash, renstra_period_start,
            rating_scale, pk_versions, budget_revisions, pagu_murni, pagu, spent, absorption, efficiency) FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyHistory = """
        COPY readmodel.indicator_history (seq, item, event_id, event_type, stream_id, stream_version, agency, indicator,
            change, recorded_at, effective_year, effective_period, effective_on, actor, reason, ground, legal_basis, before,
            after, kind, effective, note, proposal_id, proposal_status) FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyPkVersions = """
        COPY readmodel.pk_versions (agency, year, number, kind, signed_on, signer, reason, ground, targets, changes, actor,
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
