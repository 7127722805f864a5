-- readmodels/0003: the read models run on Marten's async daemon (docs/projections.md). Their progress is Marten's
-- (ledger.mt_event_progression, shards 'sakip-state:All', 'sakip-history:All', 'sakip-pk:All'), committed in the same
-- transaction as their rows; the home-made engine's checkpoints are gone with it. Run after Marten's schema.
--
-- Rows written by the home-made engine were numbered by the old log's sequence: empty the tables and forget Marten's
-- progress for the three shards (there is none unless someone ran the daemon before this migration), so the daemon
-- fills them again from the log, as a rebuild would. The tables, their owner and their grants are unchanged: the
-- owner keeps them; the service role gets DML (ReadModelSchema.GrantServiceRoleAsync; a rebuild's teardown DELETEs).
TRUNCATE readmodel.indicator_state, readmodel.lkjip_rows, readmodel.budget_lines, readmodel.performance_years,
    readmodel.indicator_history, readmodel.pk_versions;
DELETE FROM ledger.mt_event_progression WHERE name IN ('sakip-state:All', 'sakip-history:All', 'sakip-pk:All');
DROP SCHEMA IF EXISTS projections CASCADE;
