-- 0005: group commit. eventstore.append_many writes several appends, to one stream or many, in one call and one
-- transaction: what PostgresEventStore sends when appends arrive while others are on their way (AppendCoalescer).
-- Each append keeps exactly the meaning of one eventstore.append call made in the order given: its own expectation
-- (a stream that is not at the expected version is a result row, conflict = true, and fails only that append), its
-- own recorded time (database clock under the stream lock, never backwards within a stream), its own metadata, and
-- the same per-stream hash chain over the same canonical form. Only the cost is shared: three statements for the
-- whole group (lock every stream, insert every event, update every stream touched) instead of three per append, and
-- one commit. Design and measurements: docs/architecture.md ("Group commit"), docs/performance.md.
--
-- Stream creation: a stream that does not exist is created by the group's first append to it that may create it
-- (any version or no stream), with that append's type and tenant, as the appends one after the other would.
--
-- Locks: every existing stream of the group is locked with one SELECT ... ORDER BY id FOR UPDATE, so two groups take
-- their rows in the same order (a single append takes one). Streams that do not exist yet are then created (in name
-- order) and locked. Two groups that both create the same new stream while each holds a row the other wants can
-- deadlock; PostgreSQL aborts one with an ERROR, and the client sends that group's appends one by one.

CREATE FUNCTION eventstore.append_many(
    p_streams text[], p_stream_types text[], p_tenants text[], p_expected bigint[], p_counts int[],
    p_ids uuid[], p_types text[], p_data jsonb[],
    p_actors jsonb[], p_reasons text[], p_correlations text[], p_causations text[], p_idems text[], p_headers jsonb[])
RETURNS TABLE (conflict boolean, version bigint, seqs bigint[], hashes bytea[], recorded_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER
-- pg_temp last: otherwise PostgreSQL searches the caller's temporary schema FIRST for types, and a caller could make
-- this function (which runs as the schema owner) use a domain of its own with a check that runs its code.
SET search_path = pg_catalog, eventstore, pg_temp
-- The statements below take arrays whose sizes vary per call; without this PostgreSQL plans them anew for every call
-- (custom plans), which costs more than the group saves.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    m           int := coalesce(array_length(p_streams, 1), 0);
    total       int := coalesce(array_length(p_ids, 1), 0);
    -- The group's streams, sorted, and their state as the appends go; touched = has new events to write.
    s_ids       text[];
    s_version   bigint[];
    s_hash      bytea[];
    s_updated   timestamptz[];
    s_tenant    text[];
    s_touched   boolean[];
    missing     text[];
    -- Per append: its first event in p_ids, the stream version before it, its recorded time and tenant (NULL when
    -- it is not written).
    a_first     int[] := '{}';
    a_base      bigint[] := '{}';
    a_at        timestamptz[] := '{}';
    a_tenant    text[] := '{}';
    -- Per event, aligned with p_ids. An event whose append failed its expectation gets seq 0 and empty hashes; no
    -- array here ever holds a NULL, because a slice of such an array keeps a null bitmap, which clients read as "may
    -- contain nulls".
    e_seq       bigint[] := '{}';
    e_prev      bytea[] := '{}';
    e_hash      bytea[] := '{}';
    e_append    int[] := '{}';
    a           int;
    k           int;
    j           int;
    first       int := 1;           -- the current append's first event in p_ids
    n           int;
    v           bigint;
    t           timestamptz;
    h           bytea;
    written     boolean := false;
BEGIN
    IF m = 0 THEN
        RAISE EXCEPTION 'append_many needs at least one append' USING ERRCODE = '22023';
    END IF;
    IF array_length(p_stream_types, 1) IS DISTINCT FROM m OR array_length(p_tenants, 1) IS DISTINCT FROM m
       OR array_length(p_expected, 1) IS DISTINCT FROM m OR array_length(p_counts, 1) IS DISTINCT FROM m
       OR array_length(p_actors, 1) IS DISTINCT FROM m OR array_length(p_reasons, 1) IS DISTINCT FROM m
       OR array_length(p_correlations, 1) IS DISTINCT FROM m OR array_length(p_causations, 1) IS DISTINCT FROM m
       OR array_length(p_idems, 1) IS DISTINCT FROM m OR array_length(p_headers, 1) IS DISTINCT FROM m THEN
        RAISE EXCEPTION 'every per-append array must have one entry per append' USING ERRCODE = '22023';
    END IF;
    IF array_length(p_types, 1) IS DISTINCT FROM total OR array_length(p_data, 1) IS DISTINCT FROM total THEN
        RAISE EXCEPTION 'ids, types and data must have the same length' USING ERRCODE = '22023';
    END IF;

    -- Lock the streams that exist, in name order. The transaction must own an xid before any sequence value is taken
    -- (see eventstore.append): a row lock assigns one (pg_current_xact_id() states it, as in eventstore.append), and
    -- for a stream created below, the INSERT does. No sequence value is taken for an append that is not written.
    SELECT array_agg(x.id ORDER BY x.id), array_agg(x.version ORDER BY x.id), array_agg(x.head_hash ORDER BY x.id),
           array_agg(x.updated ORDER BY x.id), array_agg(x.tenant ORDER BY x.id)
      INTO s_ids, s_version, s_hash, s_updated, s_tenant
      FROM (SELECT s.id, s.version, s.head_hash, s.updated, s.tenant FROM eventstore.streams s
             WHERE s.id = ANY (p_streams) AND pg_current_xact_id() IS NOT NULL ORDER BY s.id FOR UPDATE) AS x;

    -- Streams an append may create (expecting any version or no stream) that do not exist: create them in name order
    -- (the first such append of a stream gives its type and tenant), then lock them like the others.
    FOR a IN 1..m LOOP
        IF (p_expected[a] IS NULL OR p_expected[a] = 0) AND array_position(s_ids, p_streams[a]) IS NULL THEN
            missing := '{}';
            EXIT;
        END IF;
    END LOOP;
    IF missing IS NOT NULL THEN
        SELECT array_agg(DISTINCT u.id) INTO missing
          FROM unnest(p_streams, p_expected) AS u(id, expected)
         WHERE (u.expected IS NULL OR u.expected = 0) AND array_position(coalesce(s_ids, '{}'), u.id) IS NULL;
        INSERT INTO eventstore.streams AS s (id, type, tenant, version, head_hash, created, updated)
        SELECT DISTINCT ON (u.id) u.id, u.type, u.tenant, 0,
               '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea, clock_timestamp(), '-infinity'
          FROM unnest(p_streams, p_stream_types, p_tenants, p_expected) WITH ORDINALITY AS u(id, type, tenant, expected, a)
         WHERE u.id = ANY (missing) AND (u.expected IS NULL OR u.expected = 0)
         ORDER BY u.id, u.a
        ON CONFLICT (id) DO NOTHING;
        SELECT array_agg(x.id ORDER BY x.id), array_agg(x.version ORDER BY x.id), array_agg(x.head_hash ORDER BY x.id),
               array_agg(x.updated ORDER BY x.id), array_agg(x.tenant ORDER BY x.id)
          INTO s_ids, s_version, s_hash, s_updated, s_tenant
          FROM (SELECT s.id, s.version, s.head_hash, s.updated, s.tenant FROM eventstore.streams s
                 WHERE s.id = ANY (p_streams) ORDER BY s.id FOR UPDATE) AS x;
    END IF;

    s_touched := array_fill(false, ARRAY[coalesce(array_length(s_ids, 1), 0)]);

    -- The appends in the order given, each against its stream as the earlier ones left it.
    FOR a IN 1..m LOOP
        n := p_counts[a];
        IF n IS NULL OR n < 1 OR first + n - 1 > total THEN
            RAISE EXCEPTION 'every append needs at least one event, and the counts must add up to the events given'
                USING ERRCODE = '22023';
        END IF;
        a_first[a] := first;
        k := array_position(s_ids, p_streams[a]);
        IF k IS NULL OR (p_expected[a] IS NOT NULL AND p_expected[a] <> s_version[k]) THEN
            -- Not written: no such stream (the append expects exactly version N >= 1), or another version.
            a_base[a] := 0; a_at[a] := NULL; a_tenant[a] := NULL;
            FOR j IN first..first + n - 1 LOOP
                e_seq[j] := 0; e_prev[j] := '\x'; e_hash[j] := '\x'; e_append[j] := a;
            END LOOP;
            conflict := true; version := coalesce(s_version[k], 0); seqs := NULL; hashes := NULL; recorded_at := NULL;
        ELSE
            v := s_version[k];
            h := s_hash[k];
            t := greatest(clock_timestamp(), s_updated[k]);
            a_base[a] := v; a_at[a] := t; a_tenant[a] := s_tenant[k];
            FOR j IN first..first + n - 1 LOOP
                e_prev[j] := h;
                h := sha256(h || eventstore.canonical(p_ids[j], p_streams[a], v + 1 + j - first, p_types[j], t, s_tenant[k],
                                                      p_data[j], p_actors[a], p_reasons[a], p_correlations[a], p_causations[a],
                                                      p_idems[a], p_headers[a]));
                e_hash[j] := h;
                -- Global positions in the order written: increasing with the version within every stream.
                e_seq[j] := nextval('eventstore.event_seq');
                e_append[j] := a;
            END LOOP;
            s_version[k] := v + n;
            s_hash[k] := h;
            s_updated[k] := t;
            s_touched[k] := true;
            written := true;
            conflict := false; version := v + n; seqs := e_seq[first:first + n - 1]; hashes := e_hash[first:first + n - 1];
            recorded_at := t;
        END IF;
        RETURN NEXT;
        first := first + n;
    END LOOP;
    IF first - 1 <> total THEN
        RAISE EXCEPTION 'every append needs at least one event, and the counts must add up to the events given'
            USING ERRCODE = '22023';
    END IF;

    IF written THEN
        INSERT INTO eventstore.events (seq, id, stream_id, version, type, data, recorded_at, tenant, actor, reason,
                                       correlation_id, causation_id, idempotency_key, headers, prev_hash, hash)
        SELECT e.seq, e.id, p_streams[e.a], a_base[e.a] + 1 + e.j - a_first[e.a],
               e.type, e.data, a_at[e.a], a_tenant[e.a], p_actors[e.a], p_reasons[e.a], p_correlations[e.a],
               p_causations[e.a], p_idems[e.a], p_headers[e.a], e.prev, e.hash
          FROM unnest(e_seq, p_ids, p_types, p_data, e_prev, e_hash, e_append) WITH ORDINALITY
               AS e(seq, id, type, data, prev, hash, a, j)
         WHERE e.seq > 0;

        UPDATE eventstore.streams AS s SET version = u.version, head_hash = u.hash, updated = u.at
          FROM unnest(s_ids, s_version, s_hash, s_updated, s_touched) AS u(id, version, hash, at, touched)
         WHERE u.touched AND s.id = u.id;
    END IF;
    RETURN;
END
$$;

REVOKE EXECUTE ON FUNCTION eventstore.append_many FROM PUBLIC;

-- The same fix for eventstore.append (0001 and 0004 set search_path = pg_catalog, eventstore): with pg_temp unlisted,
-- the caller's temporary schema is searched first for the types of its declarations, so the service role could run
-- code as the owner through a temporary domain (found in review; GroupCommitTests / TamperAndAppendOnlyTests pin it).
ALTER FUNCTION eventstore.append(text, text, text, bigint, uuid[], text[], jsonb[], jsonb, text, text, text, text, jsonb)
    SET search_path = pg_catalog, eventstore, pg_temp;
