-- audit/0003 (issue 13, national scale): the log head as a chain of heads, so that taking one costs the events since
-- the previous head instead of one probe per stream (docs/architecture.md "The log head and its digest").
--
-- Format ledger-log-digest/3 hashed every stream's head, so a year close read every stream row and one chain hash per
-- stream: at 10 M events (66 796 streams) a close took a second, and it grew with the country. Format 4 chains each
-- head to the one before it:
--
--   D(H) = sha256( 'ledger-log-digest/4' · 0x00 · P (int8, big-endian) · D(P) (32 bytes; 32 zero bytes when P = 0)
--                  · for each event with P < seq ≤ H, in sequence order:
--                        0x01 · seq (int8) · octet length of the stream id (int4) · stream id (UTF-8) · version (int8)
--                        · the event's chain hash (32 bytes)
--                  · 0x00 · H (int8) )
--
-- where P is the previous head in ledger_audit.log_heads (0 for the first). Each event's chain hash covers its stream's
-- earlier events, and D(P) covers every event at or below P, so D(H) commits to every event at or below H: content,
-- stream, version and sequence. The verifier recomputes the same chain from content alone (ChainVerifier).
--
-- ledger_audit.log_heads is written only by ledger_audit.take_log_head(), SECURITY DEFINER, and is append-only for
-- everyone; the service role may read it and call the function. The caller passes a settled sequence
-- (SettledSequence): a head is never taken above a number that may still commit.

CREATE TABLE ledger_audit.log_heads (
    seq          bigint      PRIMARY KEY CHECK (seq > 0),
    previous_seq bigint      NOT NULL UNIQUE CHECK (previous_seq >= 0 AND previous_seq < seq),
    digest       bytea       NOT NULL CHECK (octet_length(digest) = 32),
    events       bigint      NOT NULL CHECK (events >= 0),
    taken_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger_audit.log_heads
    FOR EACH ROW EXECUTE FUNCTION ledger_audit.refuse_change();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_audit.log_heads
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit.refuse_change();

-- D(H) for the events in (previous, head], chained to D(previous). Read-only; the verifier's C# computes the same bytes.
CREATE FUNCTION ledger_audit.log_digest(previous bigint, previous_digest bytea, head bigint) RETURNS bytea
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT sha256(
        convert_to('ledger-log-digest/4', 'UTF8') || '\x00'::bytea || int8send(previous) || previous_digest
        || coalesce((
            SELECT string_agg('\x01'::bytea || int8send(e.seq_id) || int4send(octet_length(convert_to(e.stream_id, 'UTF8')))
                              || convert_to(e.stream_id, 'UTF8') || int8send(e.version)
                              || coalesce(h.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
                              ''::bytea ORDER BY e.seq_id)
              FROM ledger.mt_events e
              LEFT JOIN ledger_audit.event_hashes h ON h.seq_id = e.seq_id AND h.seq_id > previous AND h.seq_id <= head
             WHERE e.seq_id > previous AND e.seq_id <= head), ''::bytea)
        || '\x00'::bytea || int8send(head))
$$;

-- The head at the highest event at or below `settled`: returns the latest head when no event came after it, otherwise
-- appends heads up to it (at most max_events events each, so a first head over a long log never builds one huge value),
-- under a lock that makes concurrent callers take turns (the chain never forks).
CREATE FUNCTION ledger_audit.take_log_head(settled bigint, max_events integer DEFAULT 100000) RETURNS TABLE (seq bigint, digest bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    zero      constant bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    last_seq  bigint;
    last_d    bytea;
    target    bigint;
    upto      bigint;
    n         bigint;
    d         bytea;
BEGIN
    IF max_events IS NULL OR max_events < 1 THEN
        RAISE EXCEPTION 'max_events must be at least 1' USING ERRCODE = '22023';
    END IF;
    LOCK TABLE ledger_audit.log_heads IN SHARE ROW EXCLUSIVE MODE;
    SELECT h.seq, h.digest INTO last_seq, last_d FROM ledger_audit.log_heads h ORDER BY h.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_d := zero;
    END IF;
    SELECT coalesce(max(e.seq_id), 0) INTO target FROM ledger.mt_events e WHERE e.seq_id <= settled;
    IF target <= last_seq THEN
        IF last_seq = 0 THEN
            RETURN QUERY SELECT 0::bigint, ledger_audit.log_digest(0, zero, 0); -- an empty log
        ELSE
            RETURN QUERY SELECT last_seq, last_d;
        END IF;
        RETURN;
    END IF;
    LOOP
        SELECT max(x.s), count(*) INTO upto, n
          FROM (SELECT e.seq_id AS s FROM ledger.mt_events e
                 WHERE e.seq_id > last_seq AND e.seq_id <= target ORDER BY e.seq_id LIMIT max_events) x;
        d := ledger_audit.log_digest(last_seq, last_d, upto);
        INSERT INTO ledger_audit.log_heads (seq, previous_seq, digest, events) VALUES (upto, last_seq, d, n);
        last_seq := upto;
        last_d := d;
        EXIT WHEN upto >= target;
    END LOOP;
    RETURN QUERY SELECT last_seq, last_d;
END
$$;

REVOKE ALL ON FUNCTION ledger_audit.take_log_head(bigint, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION ledger_audit.log_digest(bigint, bytea, bigint) FROM PUBLIC;
