using Npgsql;
using static Ledger.Audit.Tests.LedgerFixture;

namespace Ledger.Audit.Tests;

/// <summary>
/// The service role can append and nothing else that would change the record: every forbidden operation is refused by
/// PostgreSQL (privileges or the audit triggers), and the refused statement leaves the log as it was.
/// </summary>
public sealed class ServiceRoleTests(LedgerFixture fx) : IClassFixture<LedgerFixture>
{
    public static TheoryData<string, string> Forbidden => new()
    {
        { "UPDATE ledger.mt_events SET data = '{}' WHERE stream_id = @s", "42501" },
        { "DELETE FROM ledger.mt_events WHERE stream_id = @s", "42501" },
        { "TRUNCATE ledger.mt_events CASCADE", "42501" },
        // Rewriting the table in another physical order is the owner's yearly maintenance (EventTableClusterTests), not the service's.
        { "CLUSTER ledger.mt_events USING pk_mt_events_stream_and_version", "42501" },
        { "DELETE FROM ledger.mt_streams WHERE id = @s", "42501" },
        { "TRUNCATE ledger.mt_streams CASCADE", "42501" },
        { "INSERT INTO ledger_audit.event_hashes SELECT seq_id + 1000000, stream_id, version + 1000, hash FROM ledger_audit.event_hashes WHERE stream_id = @s", "42501" },
        { "UPDATE ledger_audit.event_hashes SET hash = sha256('x') WHERE stream_id = @s", "42501" },
        { "DELETE FROM ledger_audit.event_hashes WHERE stream_id = @s", "42501" },
        // The chain of heads (audit/0003): only ledger_audit.take_log_head writes it.
        { "INSERT INTO ledger_audit.log_heads (seq, previous_seq, digest, events) VALUES (9000000, 8999999, sha256('x'), 1)", "42501" },
        { "UPDATE ledger_audit.log_heads SET digest = sha256('x')", "42501" },
        { "DELETE FROM ledger_audit.log_heads", "42501" },
        { "TRUNCATE ledger_audit.log_heads", "42501" },
        { "SELECT ledger_audit.log_digest(0, sha256('x'), 1)", "42501" },
        { "ALTER TABLE ledger.mt_events DISABLE TRIGGER ledger_append_only", "42501" },
        { "ALTER TABLE ledger.mt_streams DISABLE TRIGGER ledger_seal", "42501" },
        { "DROP TRIGGER ledger_seal ON ledger.mt_streams", "42501" },
        { "SET session_replication_role = replica", "42501" },
        { "SELECT ledger.mt_archive_stream(@s)", "42501" },
        { "CREATE TABLE ledger.mine (x int)", "42501" },
        { "CREATE TABLE ledger_audit.mine (x int)", "42501" },
        // A function of its own in the audit schema could shadow what the seal calls, were the schema on its path.
        { "CREATE FUNCTION ledger_audit.canonical(e ledger.mt_events, x int) RETURNS bytea LANGUAGE sql AS 'SELECT NULL::bytea'", "42501" },
        { "ALTER FUNCTION ledger_audit.seal_stream() SECURITY INVOKER", "42501" },
        { "DROP TABLE ledger_audit.event_hashes", "42501" },
        // Allowed statements that the seal trigger refuses at commit: archiving, moving back, a version without events.
        { "UPDATE ledger.mt_streams SET is_archived = true WHERE id = @s", "42501" },
        { "UPDATE ledger.mt_streams SET version = 1 WHERE id = @s", "42501" },
        { "UPDATE ledger.mt_streams SET version = 5 WHERE id = @s", "23514" },
        { """
          INSERT INTO ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id)
          VALUES (nextval('ledger.mt_events_sequence'), gen_random_uuid(), @s, 4, '{}', 'budget.spending-recorded.v1', now(), '*DEFAULT*');
          UPDATE ledger.mt_streams SET version = 4 WHERE id = @s
          """, "23514" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public async Task ServiceRole_ForbiddenOperation_IsRefusedAndChangesNothing(string sql, string sqlState)
    {
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1), Spending(2));
        var before = await StateAsync(stream);

        await using var conn = await fx.Service.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"BEGIN; {sql}; COMMIT;", conn);
        cmd.Parameters.AddWithValue("s", stream);
        var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.True(e.SqlState == sqlState, $"{sql}: {e.SqlState} {e.MessageText}");

        Assert.Equal(before, await StateAsync(stream));
        Assert.True((await ChainVerifier.VerifyAsync(fx.Service)).Ok);
    }

    [Fact]
    public async Task ServiceRole_DeferringTheSealImmediately_CannotAppendUnsealedEvents()
    {
        // A session may make the deferred trigger fire early; it then fires before the events exist and refuses the append.
        var stream = NewStream();
        await using var conn = await fx.Service.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            BEGIN;
            SET CONSTRAINTS ALL IMMEDIATE;
            SELECT ledger.mt_quick_append_events(@s, 'year', '*DEFAULT*', ARRAY[gen_random_uuid()], ARRAY['budget.spending-recorded.v1'],
                ARRAY['x'], ARRAY['{}'::jsonb], ARRAY[NULL::bytea], ARRAY[NULL::varchar], ARRAY[NULL::varchar], ARRAY[NULL::jsonb], 0);
            COMMIT;
            """, conn);
        cmd.Parameters.AddWithValue("s", stream);
        var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal("23514", e.SqlState);
        Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE stream_id = @s", ("s", stream)));
    }

    [Fact]
    public async Task Owner_UpdateOrDeleteOfEventsAndHashes_IsRefusedByTheTriggers()
    {
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1));
        await LogHeads.ReadAsync(fx.Service); // a row in the chain of heads
        foreach (var sql in new[]
        {
            "UPDATE ledger.mt_events SET data = '{}' WHERE stream_id = @s",
            "DELETE FROM ledger.mt_events WHERE stream_id = @s",
            "DELETE FROM ledger.mt_streams WHERE id = @s",
            "UPDATE ledger_audit.event_hashes SET hash = sha256('x') WHERE stream_id = @s",
            "DELETE FROM ledger_audit.event_hashes WHERE stream_id = @s",
            "TRUNCATE ledger.mt_events CASCADE",
            "TRUNCATE ledger.mt_streams CASCADE",
            "TRUNCATE ledger_audit.event_hashes",
            "UPDATE ledger_audit.log_heads SET digest = sha256('x')",
            "DELETE FROM ledger_audit.log_heads",
            "TRUNCATE ledger_audit.log_heads",
        })
        {
            await using var cmd = fx.Database.Owner.CreateCommand(sql);
            cmd.Parameters.AddWithValue("s", stream);
            var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.True(e.SqlState == "42501" && e.MessageText.Contains("append-only"), $"{sql}: {e.SqlState} {e.MessageText}");
        }
    }

    /// <summary>
    /// The seal runs as the schema owner (SECURITY DEFINER) at the commit of the service role's own transaction. If its
    /// search_path let the caller's temporary schema come first, a temporary domain named like a type it uses would run
    /// the caller's check as the owner, who can disable the append-only triggers. The function pins
    /// <c>search_path = pg_catalog, pg_temp</c>; this tries the attack (ported from the old store's test of its append
    /// functions, which had exactly this hole until its migration 0005).
    /// </summary>
    [Fact]
    public async Task ServiceRole_CannotSlipATemporaryTypeIntoTheSealFunction()
    {
        var stream = NewStream();
        // A connection of its own (not pooled): its temporary objects end with it.
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fx.ServiceConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using (var setup = new NpgsqlCommand("""
            CREATE FUNCTION pg_temp.escalated() RETURNS boolean LANGUAGE plpgsql AS $$
            BEGIN
                IF current_user <> session_user THEN
                    RAISE EXCEPTION 'ran as %', current_user USING ERRCODE = 'P0001';
                END IF;
                RETURN true;
            END $$;
            CREATE DOMAIN pg_temp.timestamptz AS pg_catalog.timestamptz CHECK (pg_temp.escalated());
            CREATE DOMAIN pg_temp.bytea AS pg_catalog.bytea CHECK (pg_temp.escalated());
            CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.escalated());
            CREATE DOMAIN pg_temp.int4 AS pg_catalog.int4 CHECK (pg_temp.escalated());
            CREATE DOMAIN pg_temp.int8 AS pg_catalog.int8 CHECK (pg_temp.escalated());
            """, conn))
        {
            await setup.ExecuteNonQueryAsync();
        }
        // The temporary types are there, and the caller's own statements do pick them up (so the check can fire).
        await using (var probe = new NpgsqlCommand(
            "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = pg_typeof(''::bytea)", conn))
        {
            Assert.StartsWith("pg_temp", (string)(await probe.ExecuteScalarAsync())!);
        }

        await using (var append = new NpgsqlCommand("""
            BEGIN;
            SELECT ledger.mt_quick_append_events(@s, 'year', '*DEFAULT*', ARRAY[gen_random_uuid()], ARRAY['budget.spending-recorded.v1'],
                ARRAY['x'], ARRAY['{}'::jsonb], ARRAY[NULL::bytea], ARRAY[NULL::varchar], ARRAY[NULL::varchar], ARRAY[NULL::jsonb], 0);
            COMMIT;
            """, conn))
        {
            append.Parameters.AddWithValue("s", stream);
            await append.ExecuteNonQueryAsync(); // the seal ran as the owner at COMMIT without touching the caller's types
        }
        Assert.Equal(1L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.event_hashes WHERE stream_id = @s", ("s", stream)));
        Assert.True((await ChainVerifier.VerifyAsync(fx.Service)).Ok);
    }

    private async Task<string> StateAsync(string stream) => await fx.Database.ScalarAsync<string>("""
        SELECT (SELECT coalesce(string_agg(seq_id || ':' || version || ':' || md5(data::text), ',' ORDER BY seq_id), '') FROM ledger.mt_events WHERE stream_id = @s)
            || '|' || (SELECT coalesce(string_agg(seq_id || ':' || encode(hash, 'hex'), ',' ORDER BY seq_id), '') FROM ledger_audit.event_hashes WHERE stream_id = @s)
            || '|' || (SELECT version || ':' || is_archived FROM ledger.mt_streams WHERE id = @s)
        """, ("s", stream));
}
