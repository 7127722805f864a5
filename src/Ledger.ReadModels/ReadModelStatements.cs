namespace Ledger.ReadModels;

/// <summary>
/// Every SQL statement of the read models (style #9): nothing else in this project builds SQL. Batches are written as
/// "delete the keys the batch touched, then COPY the new rows", so re-applying a batch gives the same rows (idempotent)
/// and a batch costs a few round trips whatever its size.
/// </summary>
internal static class ReadModelStatements
{
    /// <summary>The projection's committed checkpoint, read inside its batch transaction (validates the state cache).</summary>
    public const string CheckpointPosition =
        "SELECT position FROM projections.projection_checkpoints WHERE name = @name";

    /// <summary>
    /// Every SAKIP event of some agencies up to a position (a cold cache, after a restart or a rolled-back batch). The
    /// streams' tenant is the agency (PerformanceYearHandler, RenstraEndpoints, AgencyEndpoints).
    /// </summary>
    public const string AgencyEvents = """
        SELECT e.seq, e.stream_id, e.version, e.type, e.data::text, s.tenant
          FROM eventstore.streams s
          JOIN eventstore.events e ON e.stream_id = s.id
         WHERE s.tenant = ANY(@agencies) AND e.seq <= @upto
         ORDER BY e.seq
        """;

    /// <summary>The highest committed sequence number (the head a projection's lag is measured against).</summary>
    public const string Head = "SELECT coalesce(max(seq), 0) FROM eventstore.events";

    public const string ResetState =
        "TRUNCATE readmodel.indicator_state, readmodel.lkjip_rows, readmodel.budget_lines, readmodel.performance_years";

    public const string ResetHistory = "TRUNCATE readmodel.indicator_history";

    public const string ResetPk = "TRUNCATE readmodel.pk_versions";

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

    /// <summary>
    /// sakip-history: the earlier events (before the batch) of some streams, of the types the history mapping remembers
    /// (proposals, the Renstra's creation, what a year stream committed or reported). Served by (stream_id, version).
    /// </summary>
    public const string HistoryEarlierEvents = """
        SELECT seq, id, stream_id, type, data::text, recorded_at, tenant, reason
          FROM eventstore.events
         WHERE stream_id = ANY(@streams) AND seq < @before AND type = ANY(@types)
         ORDER BY seq
        """;

    public const string CopyPkVersions = """
        COPY readmodel.pk_versions (agency, year, number, kind, signed_on, signer, reason, ground, targets, changes, actor,
            recorded_at, event_id, seq) FROM STDIN (FORMAT BINARY)
        """;
}
