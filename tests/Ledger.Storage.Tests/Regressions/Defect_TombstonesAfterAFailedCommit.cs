using Ledger.Audit;
using Marten;
using Npgsql;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests.Regressions;

/// <summary>
/// Issue 13 item 3, found by the crash tests (<c>ops/chaos</c>, docs/reliability.md): when a save fails after Marten's
/// append function has handed out the events' sequence numbers (the connection lost while committing, as when
/// PostgreSQL restarts; any refusal at commit), Marten writes "tombstone" events with those numbers into stream
/// <c>mt_tombstone</c>, in a transaction of its own, to fill the gap for its daemon. Those rows went into the ledger's
/// log unsealed (version = sequence number, the stream row at version 0), and since the log is append-only they stayed:
/// from then on <c>GET /api/audit/verify</c> reported an intact ledger as broken, for good. The audit layer now refuses
/// tombstone rows (audit/0002); the gap they were meant to fill is skipped by the daemon as any other.
/// Here a commit is made to fail deterministically by a deferred trigger that refuses one stream at commit, after the
/// append function ran, as a lost connection does.
/// </summary>
public sealed class Defect_TombstonesAfterAFailedCommit(StorageFixture fx) : IClassFixture<StorageFixture>
{
    private const string FailingPrefix = "year-fail-at-commit-";

    [Fact]
    public async Task Bug_FailedCommit_MartenTombstonesAreRefused_TheLogStaysSealedAndVerifies()
    {
        await using (var cmd = fx.Database.Owner.CreateCommand($"""
            CREATE FUNCTION public.fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.id LIKE '{FailingPrefix}%' THEN RAISE EXCEPTION 'commit refused (a lost connection while committing)'; END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER zz_fail_at_commit AFTER INSERT OR UPDATE ON ledger.mt_streams
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.fail_at_commit();
            """))
            await cmd.ExecuteNonQueryAsync();

        var kept = NewStream();
        var failing = FailingPrefix + Guid.NewGuid().ToString("N")[..8];
        // A store of its own: disposing it waits for the tombstone write Marten queues off the failed save's path.
        await using (var store = DocumentStore.For(o => LedgerMarten.Configure(o, fx.ServiceConnectionString)))
        {
            await AppendAsync(store, kept, 0, Spending(1));
            var failed = await Assert.ThrowsAnyAsync<Exception>(() => AppendAsync(store, failing, 0, Spending(2), Spending(3)));
            Assert.Contains("commit refused", failed.ToString());
            await AppendAsync(store, kept, 1, Spending(4));
        }

        Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE stream_id = 'mt_tombstone' OR stream_id = @s", ("s", failing)));
        Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_streams WHERE id = 'mt_tombstone'"));
        var verified = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.Equal(2, verified.EventsChecked);
    }

    [Theory]
    [InlineData("INSERT INTO ledger.mt_streams (id, type, version, timestamp, created, tenant_id, is_archived) VALUES ('mt_tombstone', null, 0, now(), now(), '*DEFAULT*', false)")]
    [InlineData("INSERT INTO ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) VALUES (nextval('ledger.mt_events_sequence'), gen_random_uuid(), 'mt_tombstone', 999, '{}', 'tombstone', now(), '*DEFAULT*', 'Marten.Events.Tombstone, Marten', false)")]
    public async Task Bug_TombstoneRows_AreRefusedToTheServiceRole(string sql)
    {
        await using var cmd = fx.Service.CreateCommand(sql);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
    }
}
