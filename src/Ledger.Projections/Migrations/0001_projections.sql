-- projections/0001: checkpoints of the projection engine and the schema read models live in.
-- Design notes: docs/projections.md.

CREATE SCHEMA IF NOT EXISTS projections;

-- One row per projection. position = the global sequence number of the last event this projection has committed
-- (0 = none). It only ever moves by compare-and-swap (UPDATE ... WHERE position = @expected) in the same
-- transaction as the projection's own writes, so a batch and its checkpoint commit together or not at all.
-- kind: a projection is either 'async' (the daemon) or 'inline' (the append's transaction), never both.
-- status: 'running', 'failed' (a poison event: error and error_event_seq say which; RetryAsync clears it) or
-- 'rebuilding' (a rebuild holds the projection's lock; if it dies, the daemon simply continues from position).
CREATE TABLE projections.projection_checkpoints (
    name            text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    kind            text        NOT NULL CHECK (kind IN ('async', 'inline')),
    position        bigint      NOT NULL DEFAULT 0 CHECK (position >= 0),
    updated         timestamptz NOT NULL DEFAULT clock_timestamp(),
    status          text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'failed', 'rebuilding')),
    error           text,
    error_event_seq bigint,
    CHECK ((status = 'failed') = (error IS NOT NULL))
);

-- Read models: tables created by their owners' migrations; the service role gets DML and TRUNCATE on all of them
-- (ProjectionSchema.GrantServiceRoleAsync, with default privileges for tables created later by the same owner).
CREATE SCHEMA IF NOT EXISTS readmodel;
