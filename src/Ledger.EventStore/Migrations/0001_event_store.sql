-- 0001: streams, events, the append function and the append-only guard.
-- Design notes: docs/architecture.md ("Event store").

CREATE SCHEMA IF NOT EXISTS eventstore;

CREATE TABLE eventstore.streams (
    id          text        PRIMARY KEY,
    type        text        NOT NULL,
    tenant      text,
    version     bigint      NOT NULL CHECK (version >= 0),
    head_hash   bytea       NOT NULL,
    created     timestamptz NOT NULL,
    updated     timestamptz NOT NULL
);
CREATE INDEX streams_tenant ON eventstore.streams (tenant, type);

-- Global positions. Values are taken only inside eventstore.append, after the transaction has an xid
-- (see the high-water mark in PostgresEventStore.ReadAll / docs/architecture.md).
CREATE SEQUENCE eventstore.event_seq AS bigint;

CREATE TABLE eventstore.events (
    seq             bigint      PRIMARY KEY,
    id              uuid        NOT NULL,
    -- No foreign key to streams: eventstore.append holds the stream row's lock while it inserts, so the check could
    -- never fail and would cost a lookup per event (measured: docs/performance.md). The verifier checks the pairing.
    stream_id       text        NOT NULL,
    version         bigint      NOT NULL CHECK (version >= 1),
    type            text        NOT NULL,
    data            jsonb       NOT NULL,
    recorded_at     timestamptz NOT NULL,
    tenant          text,
    actor           jsonb,
    reason          text,
    correlation_id  text,
    causation_id    text,
    idempotency_key text,
    headers         jsonb,
    prev_hash       bytea       NOT NULL,
    hash            bytea       NOT NULL,
    CONSTRAINT events_id_key UNIQUE (id),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);
-- recorded_at rises with seq, so a BRIN index serves global time ranges at almost no insert cost; per-stream as-of
-- reads go through (stream_id, version).
CREATE INDEX events_recorded_at ON eventstore.events USING brin (recorded_at);
CREATE INDEX events_idempotency_key ON eventstore.events (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The canonical form an event's hash covers: a JSON array of its fields, in jsonb's deterministic text output.
-- A JSON array is unambiguous (no separator games) and can be recomputed by anyone from the columns.
CREATE FUNCTION eventstore.canonical(
    p_id uuid, p_stream text, p_version bigint, p_type text, p_recorded timestamptz, p_tenant text,
    p_data jsonb, p_actor jsonb, p_reason text, p_correlation text, p_causation text, p_idem text, p_headers jsonb)
RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT convert_to(jsonb_build_array(
        'ledger-event-v1', p_id, p_stream, p_version, p_type,
        to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        p_tenant, p_data, p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers)::text, 'UTF8')
$$;

-- Appends events to one stream in one call (one round trip).
--   p_expected: NULL = any version; 0 = the stream must not exist; N = the stream must be exactly at version N.
-- Returns conflict = true with the actual version (and writes nothing) when the expectation fails.
-- Versions start at 1. The hash chain is per stream: hash = sha256(prev_hash || canonical(event)), the first
-- prev_hash is 32 zero bytes, and streams.head_hash holds the last hash.
CREATE FUNCTION eventstore.append(
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
    v_seqs      bigint[];
    v_prev      bytea[] := '{}';
    v_hashes    bytea[] := '{}';
    i           int;
BEGIN
    IF n = 0 THEN
        RAISE EXCEPTION 'append needs at least one event' USING ERRCODE = '22023';
    END IF;
    IF array_length(p_types, 1) IS DISTINCT FROM n OR array_length(p_data, 1) IS DISTINCT FROM n THEN
        RAISE EXCEPTION 'ids, types and data must have the same length' USING ERRCODE = '22023';
    END IF;

    -- Give the transaction its xid before any sequence value is taken: the global reader's high-water mark
    -- relies on every allocated sequence value belonging to a transaction that is visible in snapshots.
    PERFORM pg_current_xact_id();

    SELECT s.version, s.head_hash, s.updated, s.tenant INTO v_version, v_hash, v_updated, v_tenant
    FROM eventstore.streams s WHERE s.id = p_stream FOR UPDATE;

    IF NOT FOUND THEN
        IF p_expected IS NOT NULL AND p_expected <> 0 THEN
            RETURN QUERY SELECT true, 0::bigint, NULL::bigint[], NULL::bytea[], NULL::timestamptz;
            RETURN;
        END IF;
        INSERT INTO eventstore.streams AS s (id, type, tenant, version, head_hash, created, updated)
        VALUES (p_stream, p_stream_type, p_tenant, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
                clock_timestamp(), '-infinity')
        ON CONFLICT (id) DO NOTHING;
        -- Lost a creation race: the winner has committed (ON CONFLICT waited for it); lock its row.
        SELECT s.version, s.head_hash, s.updated, s.tenant INTO v_version, v_hash, v_updated, v_tenant
        FROM eventstore.streams s WHERE s.id = p_stream FOR UPDATE;
    END IF;

    IF p_expected IS NOT NULL AND p_expected <> v_version THEN
        RETURN QUERY SELECT true, v_version, NULL::bigint[], NULL::bytea[], NULL::timestamptz;
        RETURN;
    END IF;

    -- Recorded time comes from the database clock, taken under the stream lock, and never goes backwards
    -- within a stream, so "as of T" reads of one stream always see a prefix of it.
    v_now := greatest(clock_timestamp(), v_updated);

    FOR i IN 1..n LOOP
        v_prev := v_prev || v_hash;
        v_hash := sha256(v_hash || eventstore.canonical(p_ids[i], p_stream, v_version + i, p_types[i], v_now, v_tenant,
                                                       p_data[i], p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers));
        v_hashes := v_hashes || v_hash;
    END LOOP;

    -- Global positions, increasing with the stream version inside this append. Concurrent appenders may
    -- interleave, so a block need not be contiguous; readers rely on order only, never on contiguity.
    SELECT array_agg(nextval('eventstore.event_seq') ORDER BY g) INTO v_seqs FROM generate_series(1, n) AS g;

    INSERT INTO eventstore.events (seq, id, stream_id, version, type, data, recorded_at, tenant, actor, reason,
                                   correlation_id, causation_id, idempotency_key, headers, prev_hash, hash)
    SELECT v_seqs[k], p_ids[k], p_stream, v_version + k, p_types[k], p_data[k], v_now, v_tenant,
           p_actor, p_reason, p_correlation, p_causation, p_idem, p_headers, v_prev[k], v_hashes[k]
    FROM generate_series(1, n) AS k;

    UPDATE eventstore.streams SET version = v_version + n, head_hash = v_hash, updated = v_now WHERE id = p_stream;

    RETURN QUERY SELECT false, v_version + n, v_seqs, v_hashes, v_now;
    RETURN;
END
$$;

-- Append-only for real: no UPDATE, DELETE or TRUNCATE of events, whoever asks. (Only a superuser can get
-- around a trigger, e.g. with session_replication_role = replica; the tamper tests do exactly that, and the
-- hash chain is what catches it.) The service role is additionally granted nothing but SELECT and EXECUTE
-- on append (see EventStoreSchema.GrantServiceRoleAsync), so it cannot touch the rows or the trigger.
CREATE FUNCTION eventstore.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'eventstore.events is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON eventstore.events
    FOR EACH ROW EXECUTE FUNCTION eventstore.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON eventstore.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventstore.refuse_change();
