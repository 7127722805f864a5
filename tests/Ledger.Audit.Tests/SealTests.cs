using System.Security.Cryptography;
using System.Text;
using Npgsql;
using static Ledger.Audit.Tests.LedgerFixture;

namespace Ledger.Audit.Tests;

/// <summary>Appends through Marten are sealed at commit by the audit layer, with the chain anyone can recompute.</summary>
public sealed class SealTests(LedgerFixture fx) : IClassFixture<LedgerFixture>
{
    [Fact]
    public async Task Append_ThroughMarten_EveryEventIsSealedWithTheChainRecomputedFromItsRow()
    {
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1), Spending(2));
        await fx.AppendAsync(stream, 2, Spending(3));

        // Recompute the chain here, from the documented canonical form (ledger-event/2) of each row as read back.
        var previous = new byte[32];
        await using var cmd = fx.Database.Owner.CreateCommand("""
            SELECT e.seq_id, e.id, e.stream_id, e.version, e.type,
                   to_char(e.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.tenant_id, e.data::text,
                   e.mt_dotnet_type, e.correlation_id, e.causation_id, e.headers::text, e.is_archived, h.hash
              FROM ledger.mt_events e JOIN ledger_audit.event_hashes h USING (seq_id)
             WHERE e.stream_id = @s ORDER BY e.version
            """);
        cmd.Parameters.AddWithValue("s", stream);
        var versions = new List<long>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                string J(int i) => r.IsDBNull(i) ? "null" : System.Text.Json.JsonSerializer.Serialize(r.GetString(i));
                var canonical = $"[\"ledger-event/2\", {r.GetInt64(0)}, \"{r.GetGuid(1)}\", {J(2)}, {r.GetInt64(3)}, {J(4)}, \"{r.GetString(5)}\", {J(6)}, {r.GetString(7)}, {J(8)}, {J(9)}, {J(10)}, {(r.IsDBNull(11) ? "null" : r.GetString(11))}, null, {(r.GetBoolean(12) ? "true" : "false")}]";
                var expected = SHA256.HashData([.. previous, .. SHA256.HashData(Encoding.UTF8.GetBytes(canonical))]);
                Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(r.GetFieldValue<byte[]>(13)));
                previous = expected;
                versions.Add(r.GetInt64(3));
            }
        }
        Assert.Equal([1, 2, 3], versions);
        var verified = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
    }

    [Fact]
    public async Task Append_Headers_CarryActorReasonAgencyAndTheCorrelationId()
    {
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1));
        var row = await fx.Database.ScalarAsync<string>(
            "SELECT headers->'actor'->>'name' || '|' || (headers->>'reason') || '|' || (headers->>'agency') || '|' || correlation_id FROM ledger.mt_events WHERE stream_id = @s",
            ("s", stream));
        Assert.Equal($"Siti|test|bkpsdm-test|corr-{stream}", row);
    }

    [Fact]
    public async Task Append_RecordedTime_IsTheTransactionsDatabaseClock()
    {
        var stream = NewStream();
        var before = await fx.Database.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        await fx.AppendAsync(stream, 0, Spending(1), Spending(2));
        var after = await fx.Database.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        var stamps = await fx.Database.ScalarAsync<DateTime[]>("SELECT array_agg(timestamp ORDER BY version) FROM ledger.mt_events WHERE stream_id = @s", ("s", stream));
        Assert.Equal(2, stamps.Length);
        Assert.All(stamps, t => Assert.InRange(t, before, after));
        Assert.Equal(stamps[0], stamps[1]); // one append, one transaction, one clock reading
    }

    [Fact]
    public async Task Append_WithATimestampThatIsNotTheDatabaseClock_IsRefusedAtCommit()
    {
        // What Marten's QuickWithServerTimestamps mode (client clock) or a skewed node would write: refused, nothing kept.
        var stream = NewStream();
        await using var conn = await fx.Service.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            BEGIN;
            SELECT ledger.mt_quick_append_events(@s, 'year', '*DEFAULT*', ARRAY[gen_random_uuid()], ARRAY['budget.spending-recorded.v1'],
                ARRAY['x'], ARRAY['{}'::jsonb], ARRAY[NULL::bytea], ARRAY[NULL::varchar], ARRAY[NULL::varchar], ARRAY[NULL::jsonb], 0);
            COMMIT;
            """, conn);
        cmd.Parameters.AddWithValue("s", stream);
        await cmd.ExecuteNonQueryAsync(); // the quick function stamps now(): accepted
        Assert.Equal(1L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.event_hashes WHERE stream_id = @s", ("s", stream)));

        await using var forged = new NpgsqlCommand("""
            BEGIN;
            INSERT INTO ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id)
            VALUES (nextval('ledger.mt_events_sequence'), gen_random_uuid(), @s, 2, '{}', 'budget.spending-recorded.v1', now() - interval '1 hour', '*DEFAULT*');
            UPDATE ledger.mt_streams SET version = 2 WHERE id = @s;
            COMMIT;
            """, conn);
        forged.Parameters.AddWithValue("s", stream);
        var e = await Assert.ThrowsAsync<PostgresException>(() => forged.ExecuteNonQueryAsync());
        Assert.Equal("23514", e.SqlState);
        Assert.Contains("database clock", e.MessageText);
        Assert.Equal(1L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE stream_id = @s", ("s", stream)));
    }

    [Fact]
    public async Task Append_OfOneEvent_WhoseTransactionBeganBeforeThePreviousEventsWasRecorded_IsRefusedAtCommit()
    {
        // A transaction that began earlier (its now() is earlier) appends after another one committed to the same
        // stream: its event would be recorded before the previous one, so an as-of read would no longer see a prefix
        // of the stream. One event continuing the chain: the seal's one-statement path (audit/0004) must refuse it too.
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1));

        await using var early = await fx.Service.OpenConnectionAsync();
        await using var tx = await early.BeginTransactionAsync();
        await using (var clock = new NpgsqlCommand("SELECT now()", early, tx)) await clock.ExecuteScalarAsync(); // fixes this transaction's clock

        await Task.Delay(20);
        await fx.AppendAsync(stream, 1, Spending(2)); // later clock, committed first: version 2

        await using (var append = new NpgsqlCommand("""
            SELECT ledger.mt_quick_append_events(@s, 'year', '*DEFAULT*', ARRAY[gen_random_uuid()], ARRAY['budget.spending-recorded.v1'],
                ARRAY['x'], ARRAY['{}'::jsonb], ARRAY[NULL::bytea], ARRAY[NULL::varchar], ARRAY[NULL::varchar], ARRAY[NULL::jsonb], 2)
            """, early, tx))
        {
            append.Parameters.AddWithValue("s", stream);
            await append.ExecuteNonQueryAsync(); // stamps the early clock; version 3
        }
        var e = await Assert.ThrowsAsync<PostgresException>(() => tx.CommitAsync());
        Assert.Equal("40001", e.SqlState);
        Assert.Contains("backwards", e.MessageText);
        Assert.Equal(2L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE stream_id = @s", ("s", stream)));
        Assert.Equal(2L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.event_hashes WHERE stream_id = @s", ("s", stream)));
    }

    [Fact]
    public async Task Append_ConcurrentWritersOfTheSameStreams_EachVersionOnceAndEveryEventSealed()
    {
        var streams = Enumerable.Range(0, 4).Select(_ => NewStream()).ToArray();
        var accepted = 0;
        var tasks = Enumerable.Range(0, 24).Select(async w =>
        {
            for (var round = 0; round < 5; round++)
            {
                var stream = streams[(w + round) % streams.Length];
                var version = await fx.Database.ScalarAsync<long>("SELECT coalesce((SELECT version FROM ledger.mt_streams WHERE id = @s), 0)", ("s", stream));
                try
                {
                    await fx.AppendAsync(stream, version, Spending(w));
                    Interlocked.Increment(ref accepted);
                }
                catch (Exception e) when (Ledger.Storage.AppendRace.IsLost(e))
                {
                    // lost the race: typed, nothing written
                }
            }
        });
        await Task.WhenAll(tasks);

        var total = await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE stream_id = ANY(@s)", ("s", streams));
        var sealedCount = await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.event_hashes WHERE stream_id = ANY(@s)", ("s", streams));
        Assert.Equal(accepted, total);
        Assert.Equal(total, sealedCount);
        Assert.True(accepted >= streams.Length);
        var verified = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
    }
}
