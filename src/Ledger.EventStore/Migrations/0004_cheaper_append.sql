-- 0004: the same append and the same hashes, with less work per call (measured: docs/performance.md).
--  * canonical() builds the identical bytes by concatenation instead of jsonb_build_array(...)::text, which copied the
--    whole event body into a new jsonb array and serialised it again. The bytes are the same for every input (jsonb and
--    json escape strings with the same routine and render a nested value exactly as on its own); a test compares both
--    forms, so the hashes of events appended before this migration still verify. It is declared STABLE, which is what
--    its body is (to_json, to_char and convert_to are stable): 0001 declared it IMMUTABLE, and PostgreSQL never inlines
--    an IMMUTABLE SQL function whose body is only stable, so every call went through the SQL-function executor.
--  * append() takes the stream lock and the transaction id in one statement, has a one-event path without arrays
--    or generate_series, and returns its row with RETURN NEXT instead of a second query.

CREATE OR REPLACE FUNCTION eventstore.canonical(
    p_id uuid, p_stream text, p_version bigint, p_type text, p_recorded timestamptz, p_tenant text,
    p_data jsonb, p_actor jsonb, p_reason text, p_correlation text, p_causation text, p_idem text, p_headers jsonb)
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT convert_to(
        '["ledger-event-v1", ' || coalesce(to_json(p_id)::text, 'null')
        || ', ' || coalesce(to_json(p_stream)::text, 'null')
        || ', ' || coalesce(p_version::text, 'null')
        || ', ' || coalesce(to_json(p_type)::text, 'null')
        || ', ' || coalesce(to_json(to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'null')
        || ', ' || coalesce(to_json(p_tenant)::text, 'null')
        || ', ' || coalesce(p_data::text, 'null')
        || ', ' || coalesce(p_actor::text, 'null')
        || ', ' || coalesce(to_json(p_reason)::text, 'null')
        || ', ' || coalesce(to_json(p_correlation)::text, 'null')
        || ', ' || coalesce(to_json(p_causation)::text, 'null')
        || ', ' || coalesce(to_json(p_idem)::text, 'null')
        || ', ' || coalesce(p_headers::text, 'null')
        || ']', 'UTF8')
$$;

-- The 0001 definition, kept under another name so that a test can prove the two give the same bytes.
CREATE FUNCTION eventstore.canonical_v1(
    p_id uuid, p_stream text, p_version bigint, p_type text, p_recorded timestamptz, p_tenant text,
    p_data jsonb, p_actor jsonb, p_reason text, p_correlation text, p_causation text, p_idem text, p_headers jsonb)
RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT convert_to(jsonb_build_array(
        'ledger-event-v1', p_id, p_stream, p_version, p_type,
        to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        p_tenant, p_data, p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers)::text, 'UTF8')
$$;

CREATE OR REPLACE FUNCTION eventstore.append(
    p_stream text, p_stream_type text, p_tenant text, p_expected bigint,
    p_ids uuid[], p_types text[], p_data jsonb[],
    p_actor jsonb, p_reason text, p_correlation text, p_causation text, p_idem text, p_headers jsonb)
RETURNS TABLE (conflict boolean, version bigint, seqs bigint[], hashes bytea[], recorded_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eventstore AS $$
#variable_conflict use_column
DECLARE
    n           int := coalesce(array_length(p_ids, 1), 0);
    v_version   bigint;
    v_hash      bytea;
    v_updated   timestamptz;
    v_tenant    text;
    v_now       timestamptz;
    v_seq       bigint;
    v_seqs      bigint[];
    v_prev      bytea[];
    v_hashes    bytea[];
    i           int;
BEGIN
    IF n = 0 THEN
        RAISE EXCEPTION 'append needs at least one event' USING ERRCODE = '22023';
    END IF;
    IF array_length(p_types, 1) IS DISTINCT FROM n OR array_length(p_data, 1) IS DISTINCT FROM n THEN
        RAISE EXCEPTION 'ids, types and data must have the same length' USING ERRCODE = '22023';
    END IF;

    -- The transaction must own an xid before any sequence value is taken (the global reader's high-water mark
    -- relies on it). Locking the row assigns one; pg_current_xact_id() states it, in the same statement. When the
    -- stream does not exist yet, the INSERT below assigns it.
    SELECT s.version, s.head_hash, s.updated, s.tenant INTO v_version, v_hash, v_updated, v_tenant
    FROM eventstore.streams s WHERE s.id = p_stream AND pg_current_xact_id() IS NOT NULL FOR UPDATE;

    IF NOT FOUND THEN
        IF p_expected IS NOT NULL AND p_expected <> 0 THEN
            conflict := true; version := 0;
            RETURN NEXT;
            RETURN;
        END IF;
        INSERT INTO eventstore.streams AS s (id, type, tenant, version, head_hash, created, updated)
        VALUES (p_stream, p_stream_type, p_tenant, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
                clock_timestamp(), '-infinity')
        ON CONFLICT (id) DO NOTHING;
        -- Lost a creation race: the winner has committed (ON CONFLICT waited for it); lock its row.
        SELECT s.version, s.head_hash, s.updated, s.tenant INTO v_version, v_hash, v_updated, v_tenant
        FROM eventstore.streams s WHERE s.id = p_stream AND pg_current_xact_id() IS NOT NULL FOR UPDATE;
    END IF;

    IF p_expected IS NOT NULL AND p_expected <> v_version THEN
        conflict := true; version := v_version;
        RETURN NEXT;
        RETURN;
    END IF;

    -- Recorded time comes from the database clock, taken under the stream lock, and never goes backwards
    -- within a stream, so "as of T" reads of one stream always see a prefix of it.
    v_now := greatest(clock_timestamp(), v_updated);

    IF n = 1 THEN
        v_prev := ARRAY[v_hash];
        v_hash := sha256(v_hash || eventstore.canonical(p_ids[1], p_stream, v_version + 1, p_types[1], v_now, v_tenant,
                                                       p_data[1], p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers));
        INSERT INTO eventstore.events (seq, id, stream_id, version, type, data, recorded_at, tenant, actor, reason,
                                       correlation_id, causation_id, idempotency_key, headers, prev_hash, hash)
        VALUES (nextval('eventstore.event_seq'), p_ids[1], p_stream, v_version + 1, p_types[1], p_data[1], v_now, v_tenant,
                p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers, v_prev[1], v_hash)
        RETURNING seq INTO v_seq;
        v_seqs := ARRAY[v_seq];
        v_hashes := ARRAY[v_hash];
    ELSE
        v_prev := '{}';
        v_hashes := '{}';
        FOR i IN 1..n LOOP
            v_prev := v_prev || v_hash;
            v_hash := sha256(v_hash || eventstore.canonical(p_ids[i], p_stream, v_version + i, p_types[i], v_now, v_tenant,
                                                           p_data[i], p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers));
            v_hashes := v_hashes || v_hash;
        END LOOP;

        -- Global positions, increasing with the stream version inside this append. Concurrent appenders may
        -- interleave, so a block need not be contiguous; readers rely on order only, never on contiguity.
        SELECT array_agg(nextval('eventstore.event_seq') ORDER BY g) INTO v_seqs FROM generate_series(1, n) AS g;

        -- One pass over the arrays (unnest), not a subscript per row and column.
        INSERT INTO eventstore.events (seq, id, stream_id, version, type, data, recorded_at, tenant, actor, reason,
                                       correlation_id, causation_id, idempotency_key, headers, prev_hash, hash)
        SELECT u.seq, u.id, p_stream, v_version + u.k, u.type, u.data, v_now, v_tenant,
               p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers, u.prev, u.hash
        FROM unnest(v_seqs, p_ids, p_types, p_data, v_prev, v_hashes) WITH ORDINALITY AS u(seq, id, type, data, prev, hash, k);
    END IF;

    UPDATE eventstore.streams SET version = v_version + n, head_hash = v_hash, updated = v_now WHERE id = p_stream;

    conflict := false; version := v_version + n; seqs := v_seqs; hashes := v_hashes; recorded_at := v_now;
    RETURN NEXT;
    RETURN;
END
$$;
