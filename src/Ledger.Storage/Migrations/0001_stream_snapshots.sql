-- storage/0001: stream snapshots (docs/snapshots.md "Stream snapshots"), moved from the old event store's migration
-- 0003 onto Marten's streams. A snapshot is DERIVED data: the state a reader folded from one stream's events
-- 1..version, so that a later read replays only the events after it. Never part of the record: deleting every row
-- changes no answer, only how fast it comes. The service role may INSERT and DELETE rows (never UPDATE).
--
-- Because the service role (or a database superuser) can write here, a row is trusted by a reader only when
--   * state_type is what the running code writes (type name + schema fingerprint);
--   * mac is the HMAC-SHA256 of the row under the service's snapshot key, which is kept OUTSIDE the database (a forged
--     row, or one written under another key, is ignored and reported by /api/audit/verify);
--   * event_hash is still the chain hash of the stream's event at `version` (a snapshot of a history that no longer
--     exists is ignored).
-- state is text, not jsonb: the MAC covers the exact bytes written.

CREATE SCHEMA ledger_cache;

CREATE TABLE ledger_cache.stream_snapshots (
    stream_id    varchar     NOT NULL,
    state_type   text        NOT NULL CHECK (length(state_type) BETWEEN 1 AND 200),
    version      bigint      NOT NULL CHECK (version >= 1),
    recorded_at  timestamptz NOT NULL,          -- recorded time of the stream's event at `version`
    event_hash   bytea       NOT NULL CHECK (octet_length(event_hash) = 32),
    state        text        NOT NULL,
    mac          bytea       NOT NULL CHECK (octet_length(mac) = 32),
    created      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (stream_id, state_type, version)
);

-- "The latest snapshot at or before an instant": one index range scan backwards from the instant.
CREATE INDEX stream_snapshots_as_of ON ledger_cache.stream_snapshots (stream_id, state_type, recorded_at DESC, version DESC);
