-- readmodels/0002 (issue 4): readmodel.indicator_history holds every entry the HTTP history shows
-- (GET /api/agencies/{agency}/indicators/{code}/history), not only target and realization changes: revision
-- proposals (Renstra and PK) with their approval or rejection, year closes, and an indicator added without yearly
-- targets. Design notes: docs/read-models.md ("readmodel.indicator_history").
--
-- New columns mirror the HTTP entry: kind (its word), effective (its text), note; proposal_id and proposal_status
-- (pending | approved | rejected: what THIS entry records) link a proposal to its decision. A year close and an
-- indicator added without targets have no "after"; the latter is a Renstra-wide fact with no year.
ALTER TABLE readmodel.indicator_history
    ALTER COLUMN effective_year DROP NOT NULL,
    ALTER COLUMN after DROP NOT NULL,
    ADD COLUMN kind            text,
    ADD COLUMN effective       text,
    ADD COLUMN note            text,
    ADD COLUMN proposal_id     uuid,
    ADD COLUMN proposal_status text CHECK (proposal_status IN ('pending', 'approved', 'rejected'));

CREATE INDEX indicator_history_proposal ON readmodel.indicator_history (proposal_id) WHERE proposal_id IS NOT NULL;

-- The rows written so far lack the new entries and columns: empty the table and move sakip-history's checkpoint back
-- to the start, so the daemon replays it from the log (the same as a rebuild; the log is the source of truth).
TRUNCATE readmodel.indicator_history;
UPDATE projections.projection_checkpoints SET position = 0, updated = clock_timestamp() WHERE name = 'sakip-history';
