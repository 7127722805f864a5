-- audit/0002 (issue 13 item 3, found by the crash tests, docs/reliability.md): no Marten tombstones in the ledger.
--
-- When a save fails after Marten's append function has handed out the events' sequence numbers (the connection lost
-- while committing, e.g. PostgreSQL restarting; any refusal at commit), Marten writes "tombstone" events carrying
-- those numbers into a stream 'mt_tombstone', in a transaction of its own, so that its daemon meets no gap. There is
-- no setting to turn that off. Those rows bypass the seal (their stream row stays at version 0 and each event's version
-- is its sequence number), and the log is append-only, so each one stayed in the log unsealed and GET /api/audit/verify
-- reported an intact ledger as broken from then on. Ledger's daemon does not need them: it skips a gap once no
-- transaction can still fill it (Marten's high-water detection), as it does for every lost race.
--
-- Two CHECK constraints refuse the tombstone stream row and tombstone events, for every role (a constraint is checked
-- per row in C, far cheaper than a trigger; Weasel leaves CHECK constraints it did not make alone). Marten's tombstone
-- write then fails (Marten logs it and gives up after its retries) and nothing of it is written. NOT VALID: a database
-- that already holds tombstones from before keeps them (verify names them; they carry no ledger data), and the
-- migration never fails because of them. AuditSchema.CheckAsync reports a missing constraint.
ALTER TABLE ledger.mt_streams ADD CONSTRAINT ledger_no_tombstone_stream CHECK (id <> 'mt_tombstone') NOT VALID;
ALTER TABLE ledger.mt_events ADD CONSTRAINT ledger_no_tombstone_events CHECK (stream_id <> 'mt_tombstone') NOT VALID;
