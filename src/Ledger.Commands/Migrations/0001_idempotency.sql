-- commands/0001: idempotency keys for commands (docs/commands.md, "Idempotency"). Moved from the old event store's
-- migration 0002 unchanged in meaning; it is not part of the audit record (remembered responses, not facts).
-- One row per (scope, key). A row with status NULL is a claim: a request is working on it right now, until
-- expires_at (a short lease, so a crashed request does not block the key for a day). A completed row holds the
-- first response (status, body, ETag) and is replayed until expires_at (24 h after completion by default).
-- An expired row is taken over by the next claim (INSERT ... ON CONFLICT DO UPDATE ... WHERE expired).

CREATE SCHEMA ledger_commands;

CREATE TABLE ledger_commands.idempotency (
    scope           text        NOT NULL,              -- tenant/actor the key belongs to ('' when neither is known)
    key             text        NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash    bytea       NOT NULL,              -- sha256(method \n path \n body)
    claim_token     uuid        NOT NULL,              -- whose claim this is; completion and release must match it
    status          int         CHECK (status BETWEEN 100 AND 499),   -- NULL while in flight; 5xx are never stored
    content_type    text,
    body            text,
    etag            text,
    created_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_expires_at ON ledger_commands.idempotency (expires_at);
