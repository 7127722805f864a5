-- readmodels/0004 (issue 11, rebuild speed): the three SAKIP read models run as ONE Marten projection, 'sakip'
-- (shard 'sakip:All'), which loads each page of the log once for the six tables (docs/projections.md). Run after
-- Marten's schema.
--
-- The three old shards' progression rows are forgotten; 'sakip' starts from the beginning of the log on its own. Its
-- writes replace what they meet (history and PK delete each page's sequence range before they copy it; the state
-- tables are written whole, see below), so the tables need not be emptied: they keep the old rows until 'sakip' has
-- caught up.
DELETE FROM ledger.mt_event_progression WHERE name IN ('sakip-state:All', 'sakip-history:All', 'sakip-pk:All');

-- The state rows are written once when 'sakip' catches up from nothing (a rebuild, a new shard) instead of once per
-- page. While it does, its pages commit Marten's progression and this marker, in the same transaction: the four state
-- tables (indicator_state, lkjip_rows, budget_lines, performance_years) do not yet show the events up to the shard's
-- progression. The page that writes them deletes the marker, in its transaction. A page that finds the marker without
-- the projection's memory of those events (a crash, a failed commit, another node) re-folds every agency from the log
-- and writes every state row again. A rebuild's teardown empties it with the tables. Owned by the schema owner; the
-- service role gets DML (ReadModelSchema.GrantServiceRoleAsync).
CREATE TABLE readmodel.rows_pending (
    projection  text PRIMARY KEY,                       -- the shard, e.g. 'sakip:All'
    since       bigint NOT NULL,                        -- its committed progression when the marker was set
    recorded_at timestamptz NOT NULL DEFAULT now()
);
