-- audit/0004: the seal's fast path (issue 11, appends' cost: docs/performance.md "Appends on Marten (issue 11)").
--
-- A profile of PostgreSQL (perf, 16 writers of single events) put the seal at ~225 µs of server CPU per append, most of
-- it the executor's per-statement set-up and run of its four statements (sealed head, previous event's time, the new
-- events, the INSERT of their hashes). Most appends add one event to a stream: for those, one INSERT … SELECT now
-- checks and hashes the event. It inserts only when every check of the general path passes; otherwise it inserts
-- nothing and the general path (unchanged from audit/0001) runs and raises exactly as before. What is hashed, the
-- chain's rule and every refusal are unchanged: the verifier and every published log head are unaffected.

CREATE OR REPLACE FUNCTION ledger_audit.seal_stream() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    zero         constant bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    head_version bigint;
    prev         bytea;
    prev_at      timestamptz;
    seqs         bigint[];
    versions     bigint[];
    stamps       timestamptz[];
    contents     bytea[];
    hashes       bytea[];
    n            int;
BEGIN
    IF NEW.is_archived THEN
        RAISE EXCEPTION 'stream % cannot be archived: the ledger keeps every stream', NEW.id USING ERRCODE = '42501';
    END IF;

    -- Fast path, one statement: an append of one event that continues the sealed chain (Marten moved the row one
    -- version up, or created it at version 1) is checked and hashed by one INSERT. It inserts only when every check
    -- of the general path below passes (the stream's sealed head is the version just before; recorded time is this
    -- transaction's clock and not before the previous event's); anything else inserts nothing and goes on to the
    -- general path, which raises the same errors as before. OLD is only a hint (the service role may move the row):
    -- the statement reads the head itself.
    IF (TG_OP = 'INSERT' AND NEW.version = 1) OR (TG_OP = 'UPDATE' AND NEW.version = OLD.version + 1) THEN
        INSERT INTO ledger_audit.event_hashes (seq_id, stream_id, version, hash)
        SELECT m.seq_id, NEW.id, m.version, sha256(coalesce(h.hash, zero) || sha256(ledger_audit.canonical(m)))
          FROM ledger.mt_events m
          LEFT JOIN LATERAL (SELECT hh.version, hh.hash FROM ledger_audit.event_hashes hh
                              WHERE hh.stream_id = NEW.id ORDER BY hh.version DESC LIMIT 1) h ON true
          LEFT JOIN ledger.mt_events p ON p.stream_id = NEW.id AND p.version = h.version
         WHERE m.stream_id = NEW.id AND m.version = NEW.version
           AND coalesce(h.version, 0) = NEW.version - 1
           AND m.timestamp = now()
           AND (p.timestamp IS NULL OR m.timestamp >= p.timestamp);
        IF FOUND THEN
            RETURN NULL;
        END IF;
    END IF;

    SELECT h.version, h.hash INTO head_version, prev
      FROM ledger_audit.event_hashes h WHERE h.stream_id = NEW.id ORDER BY h.version DESC LIMIT 1;
    IF NOT FOUND THEN
        head_version := 0;
        prev := zero;
    END IF;
    IF NEW.version IS NULL OR NEW.version < head_version THEN
        RAISE EXCEPTION 'stream % cannot move back from version % to %', NEW.id, head_version, NEW.version USING ERRCODE = '42501';
    END IF;
    IF NEW.version = head_version THEN
        RETURN NULL; -- nothing new (a second row event of the same append, or a touch of the row)
    END IF;
    IF head_version > 0 THEN
        SELECT m.timestamp INTO prev_at FROM ledger.mt_events m WHERE m.stream_id = NEW.id AND m.version = head_version;
    END IF;

    SELECT array_agg(m.seq_id ORDER BY m.version), array_agg(m.version ORDER BY m.version),
           array_agg(m.timestamp ORDER BY m.version), array_agg(sha256(ledger_audit.canonical(m)) ORDER BY m.version)
      INTO seqs, versions, stamps, contents
      FROM ledger.mt_events m
     WHERE m.stream_id = NEW.id AND m.version > head_version AND m.version <= NEW.version;
    n := coalesce(array_length(seqs, 1), 0);
    IF n = 0 OR versions[1] <> head_version + 1 OR versions[n] <> NEW.version OR versions[n] - versions[1] + 1 <> n THEN
        RAISE EXCEPTION 'stream % is at version % but its new events are %: versions must continue % without a hole',
            NEW.id, NEW.version, versions, head_version USING ERRCODE = '23514';
    END IF;

    hashes := array_fill(zero, ARRAY[n]);
    FOR i IN 1..n LOOP
        -- Recorded time is the database clock of the appending transaction (Marten's quick append writes now()), and
        -- never goes backwards within a stream: an as-of read of a stream is then always a prefix of it.
        IF stamps[i] IS DISTINCT FROM now() THEN
            RAISE EXCEPTION 'event % of stream % was recorded at %, not at the database clock of its transaction (%): append with Marten''s Quick mode on a UTC session',
                versions[i], NEW.id, stamps[i], now() USING ERRCODE = '23514';
        END IF;
        IF stamps[i] < prev_at THEN
            RAISE EXCEPTION 'recorded time would go backwards in stream % (version % at %, after %)', NEW.id, versions[i], stamps[i], prev_at
                USING ERRCODE = '40001';
        END IF;
        prev_at := stamps[i];
        prev := sha256(prev || contents[i]);
        hashes[i] := prev;
    END LOOP;

    INSERT INTO ledger_audit.event_hashes (seq_id, stream_id, version, hash)
    SELECT s, NEW.id, v, h FROM unnest(seqs, versions, hashes) AS u(s, v, h);
    RETURN NULL;
END
$$;
