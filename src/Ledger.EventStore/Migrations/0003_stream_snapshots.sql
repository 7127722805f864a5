-- 0003: stream snapshots (issue 4, docs/snapshots.md "Stream snapshots").
-- A snapshot is DERIVED data: the state a reader folded from one stream's events 1..version, serialised as JSON,
-- so that a later read can start from it and replay only the events after it. It is never part of the audit
-- record: deleting every row changes no answer, only how fast it comes. Hence the service role may INSERT (and
-- DELETE, to prune) rows here, unlike eventstore.events, which it can only append to through eventstore.append.
--
-- A snapshot is only ever used together with the events after it, and only when
--   * state_type equals what the running code expects (the type AND its schema fingerprint, e.g.
--     'performance-year/v1+3f9a0c12d4e5'): a snapshot written by other code is never trusted blindly;
--   * recorded_at (the recorded time of the event at `version`) is at or before the read's as-of instant;
--   * event_hash equals the chain hash of the stream's event at `version` (checked by the reader against the
--     event it reads anyway), so a snapshot of a history that no longer exists (a restore, a rewound stream) is
--     ignored.

CREATE TABLE eventstore.stream_snapshots (
    stream_id    text        NOT NULL,
    state_type   text        NOT NULL CHECK (length(state_type) BETWEEN 1 AND 200),
    version      bigint      NOT NULL CHECK (version >= 1),
    recorded_at  timestamptz NOT NULL,          -- recorded_at of the stream's event at `version`
    event_hash   bytea       NOT NULL,          -- the chain hash of that event
    state        jsonb       NOT NULL,
    created      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (stream_id, state_type, version)
);

-- "The latest snapshot at or before an instant": one index range scan backwards from the instant.
CREATE INDEX stream_snapshots_as_of ON eventstore.stream_snapshots (stream_id, state_type, recorded_at DESC, version DESC);
