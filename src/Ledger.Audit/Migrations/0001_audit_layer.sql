-- audit/0001: Ledger's audit layer on Marten's event tables (issue 11; design and proofs: docs/security.md,
-- docs/architecture.md "The audit layer"). Applied by the schema owner AFTER Marten has created its own schema
-- ("ledger"), never registered with Marten's schema tool (Weasel drops registered functions with CASCADE, which would
-- silently remove our triggers). The service refuses to serve when any object made here is missing or disabled
-- (AuditSchema.CheckAsync).
--
-- What it adds, and what it costs on the append path:
--  * ledger_audit.event_hashes: one row per event, its chain hash. Written only by ledger_audit.seal_stream(), a
--    SECURITY DEFINER trigger function; the service role can read it, never write it.
--  * ledger_seal: a DEFERRED constraint trigger on ledger.mt_streams. Marten moves a stream's row once per append
--    (INSERT for a new stream, UPDATE of its version otherwise), so the trigger fires once per append, at commit, when
--    all of the append's events are in the table. It checks them (versions continue the sealed chain without a hole;
--    recorded time is this transaction's database clock and never goes backwards within the stream; the stream is not
--    archived and never moves back) and hashes them in one statement. No per-row trigger runs on INSERT.
--  * append-only: UPDATE, DELETE and TRUNCATE of events and hashes are refused for everyone (a superuser can still
--    disable triggers: the chain and the published log heads are what catch that); stream rows cannot be deleted.

CREATE SCHEMA ledger_audit;

-- The canonical bytes of one event row: every column of ledger.mt_events, as a JSON array, UTF-8:
--   ["ledger-event/2", seq_id, id, stream_id, version, type, timestamp (UTC, microseconds, "Z"), tenant_id, data,
--    mt_dotnet_type, correlation_id, causation_id, headers, bdata (hex or null), is_archived]
-- Strings are JSON-escaped by PostgreSQL's own routine, jsonb values (data, headers) in jsonb's deterministic text form,
-- so anyone can recompute them from the row. Built by concatenation (no copy of the body into a new jsonb) and STABLE,
-- so PostgreSQL inlines it.
CREATE FUNCTION ledger_audit.canonical(e ledger.mt_events) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT convert_to(
        '["ledger-event/2", ' || e.seq_id::text
        || ', ' || coalesce(to_json(e.id)::text, 'null')
        || ', ' || coalesce(to_json(e.stream_id)::text, 'null')
        || ', ' || coalesce(e.version::text, 'null')
        || ', ' || coalesce(to_json(e.type)::text, 'null')
        || ', ' || coalesce(to_json(to_char(e.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'null')
        || ', ' || coalesce(to_json(e.tenant_id)::text, 'null')
        || ', ' || coalesce(e.data::text, 'null')
        || ', ' || coalesce(to_json(e.mt_dotnet_type)::text, 'null')
        || ', ' || coalesce(to_json(e.correlation_id)::text, 'null')
        || ', ' || coalesce(to_json(e.causation_id)::text, 'null')
        || ', ' || coalesce(e.headers::text, 'null')
        || ', ' || coalesce(to_json(encode(e.bdata, 'hex'))::text, 'null')
        || ', ' || coalesce(e.is_archived::text, 'null')
        || ']', 'UTF8')
$$;

-- hash(v) = sha256(hash(v-1) || sha256(canonical(v))), hash(0) = 32 zero bytes: a chain per stream, so appends to
-- different streams never wait for each other. (stream_id, version) is unique: the head of a stream is one index probe.
CREATE TABLE ledger_audit.event_hashes (
    seq_id    bigint  PRIMARY KEY,
    stream_id varchar NOT NULL,
    version   bigint  NOT NULL CHECK (version >= 1),
    hash      bytea   NOT NULL CHECK (octet_length(hash) = 32),
    UNIQUE (stream_id, version)
);

CREATE FUNCTION ledger_audit.seal_stream() RETURNS trigger
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

CREATE CONSTRAINT TRIGGER ledger_seal AFTER INSERT OR UPDATE ON ledger.mt_streams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_audit.seal_stream();

CREATE FUNCTION ledger_audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% of % is refused: the ledger is append-only', TG_OP, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME
        USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger.mt_events
    FOR EACH ROW EXECUTE FUNCTION ledger_audit.refuse_change();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger.mt_events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit.refuse_change();
CREATE TRIGGER ledger_keep_streams BEFORE DELETE ON ledger.mt_streams
    FOR EACH ROW EXECUTE FUNCTION ledger_audit.refuse_change();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger.mt_streams
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit.refuse_change();
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger_audit.event_hashes
    FOR EACH ROW EXECUTE FUNCTION ledger_audit.refuse_change();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_audit.event_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit.refuse_change();

REVOKE ALL ON FUNCTION ledger_audit.seal_stream() FROM PUBLIC;
REVOKE ALL ON FUNCTION ledger_audit.refuse_change() FROM PUBLIC;
