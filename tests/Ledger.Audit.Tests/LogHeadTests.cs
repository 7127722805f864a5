using Npgsql;
using static Ledger.Audit.Tests.LedgerFixture;

namespace Ledger.Audit.Tests;

/// <summary>
/// The log head (format 4: the chain of heads in ledger_audit.log_heads, each hashing the events since the one before,
/// from their stored chain hashes, in SQL) against the verifier's digest recomputed from every event's content in C#:
/// equal on an intact log, also for older heads after more appends, never taken while a lower sequence number is still
/// uncommitted; the chain never forks and its rows are evidence the verifier checks.
/// </summary>
public sealed class LogHeadTests(LedgerFixture fx) : IClassFixture<LedgerFixture>
{
    private async Task SeedAsync(int streams = 4)
    {
        for (var s = 0; s < streams; s++)
        {
            var stream = NewStream();
            await fx.AppendAsync(stream, 0, Spending(1), Spending(2));
            await fx.AppendAsync(stream, 2, Spending(3));
        }
    }

    [Fact]
    public async Task ReadLogHead_IntactLog_EqualsTheVerifiersHeadAndDigest()
    {
        await SeedAsync();
        // A stream id with multi-byte UTF-8: the SQL and the verifier must agree on its byte length.
        var unicode = "year-tést-✓-" + Guid.NewGuid().ToString("N")[..6];
        await fx.AppendAsync(unicode, 0, Spending(1));
        var streams = await AllStreamsAsync();
        var head = await LogHeads.ReadAsync(fx.Service, streams);
        var verified = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest, "test")]);

        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.Equal(verified.HeadSequence, head.Sequence);
        Assert.Equal(verified.LogDigest, head.Digest);
        Assert.Matches("^[0-9a-f]{64}$", head.Digest);
        Assert.Equal("ledger-log-digest/4", head.Format);
        Assert.True(Assert.Single(verified.Heads).Matches);
        foreach (var stream in streams)
            Assert.Equal(await fx.Database.ScalarAsync<long>("SELECT version FROM ledger.mt_streams WHERE id = @s", ("s", stream)), head.VersionOf(stream));
        Assert.Equal(1, head.VersionOf(unicode));
        Assert.Throws<InvalidOperationException>(() => head.VersionOf("year-never-asked"));
    }

    [Fact]
    public async Task ReadLogHead_NothingNew_GivesTheSameHeadAndAddsNoRow_OtherwiseChainsToThePreviousHead()
    {
        await SeedAsync(1);
        var first = await LogHeads.ReadAsync(fx.Service);
        var rows = await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.log_heads");
        var again = await LogHeads.ReadAsync(fx.Service);
        Assert.Equal((first.Sequence, first.Digest), (again.Sequence, again.Digest));
        Assert.Equal(rows, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.log_heads"));

        await SeedAsync(1);
        var next = await LogHeads.ReadAsync(fx.Service);
        Assert.True(next.Sequence > first.Sequence);
        Assert.Equal(first.Sequence, await fx.Database.ScalarAsync<long>("SELECT previous_seq FROM ledger_audit.log_heads WHERE seq = @s", ("s", next.Sequence)));
        Assert.Equal(3, await fx.Database.ScalarAsync<long>("SELECT events FROM ledger_audit.log_heads WHERE seq = @s", ("s", next.Sequence)));
    }

    [Fact]
    public async Task ReadLogHead_ConcurrentCallers_TakeTurns_TheChainNeverForks()
    {
        await SeedAsync(2);
        var heads = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await fx.AppendAsync(NewStream(), 0, Spending(i));
            return await LogHeads.ReadAsync(fx.Service, TimeSpan.FromSeconds(30));
        }));
        // previous_seq is unique and every head's previous is the head before it.
        var broken = await fx.Database.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT previous_seq, lag(seq, 1, 0::bigint) OVER (ORDER BY seq) AS before FROM ledger_audit.log_heads) x
             WHERE previous_seq <> before
            """);
        Assert.Equal(0, broken);
        var verified = await ChainVerifier.VerifyAsync(fx.Service, heads.Select(h => new PublishedHead(h.Sequence, h.Digest)).ToList());
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.All(verified.Heads, h => Assert.True(h.Matches));
    }

    [Fact]
    public async Task TakeLogHead_ALongStretchOfEvents_IsChainedInHeadsOfAtMostMaxEvents_AndTheVerifierRecomputesEveryOne()
    {
        await SeedAsync(3); // 9 events after the last head
        var before = await fx.Database.ScalarAsync<long>("SELECT coalesce(max(seq), 0) FROM ledger_audit.log_heads");
        var settled = await SettledSequence.ReadAsync(fx.Service);
        await using (var cmd = fx.Service.CreateCommand("SELECT count(*) FROM ledger_audit.take_log_head(@s, 2)"))
        {
            cmd.Parameters.AddWithValue("s", settled);
            await cmd.ExecuteScalarAsync();
        }
        var added = await fx.Database.ScalarAsync<long[]>("SELECT array_agg(events ORDER BY seq) FROM ledger_audit.log_heads WHERE seq > @b", ("b", before));
        Assert.True(added.Length >= 5, $"{added.Length} heads for 9 events at most 2 each");
        Assert.All(added, n => Assert.InRange(n, 1, 2));
        var verified = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.Equal((await LogHeads.ReadAsync(fx.Service)).Digest, verified.LogDigest);
    }

    [Fact]
    public async Task CatchUp_InSmallSteps_ReachesTheLogsEnd_AndTheNextHeadIsTheSame()
    {
        await SeedAsync(4); // 12 events after the last head
        var end = await fx.Database.ScalarAsync<long>("SELECT max(seq_id) FROM ledger.mt_events");
        var before = await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.log_heads");

        var head = await LogHeads.CatchUpAsync(fx.Service, sequencesPerStep: 3);

        Assert.Equal(end, head);
        Assert.True(await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.log_heads") - before >= 4, "one head per step of 3 sequence numbers");
        var next = await LogHeads.ReadAsync(fx.Service);
        Assert.Equal(end, next.Sequence);
        Assert.Equal(head, await LogHeads.CatchUpAsync(fx.Service)); // nothing new: no step
        var verified = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(next.Sequence, next.Digest)]);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
    }

    [Fact]
    public async Task ReadLogHead_FarBehindTheLog_StepsOverTheStretchFirst_EmptyStepsIncluded()
    {
        await SeedAsync(1);
        await LogHeads.ReadAsync(fx.Service);
        // Sequence numbers 1.2 M further on (numbers that never became events: lost races, rolled-back appends) and one
        // event there: more than two steps behind, every step but the last over numbers without events.
        await fx.Database.ScalarAsync<long>("SELECT setval('ledger.mt_events_sequence', (SELECT last_value FROM ledger.mt_events_sequence) + 1200000)");
        var far = NewStream();
        await fx.AppendAsync(far, 0, Spending(1));
        var seq = (await fx.SequencesAsync(far))[0];

        var head = await LogHeads.ReadAsync(fx.Service, [far]);

        Assert.Equal(seq, head.Sequence);
        Assert.Equal(1, head.VersionOf(far));
        var verified = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest)]);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.Equal(head.Digest, verified.LogDigest);
    }

    [Fact]
    public async Task FormatThreeHeads_PublishedBeforeTheChainOfHeads_AreStillRecomputedAndCompared()
    {
        await SeedAsync(2);
        var at = await fx.Database.ScalarAsync<long>("SELECT max(seq_id) FROM ledger.mt_events");
        var heads = new List<(string, long, byte[])>();
        await using (var cmd = fx.Database.Owner.CreateCommand("""
            SELECT h.stream_id, h.version, h.hash FROM ledger_audit.event_hashes h
             WHERE h.seq_id <= @at AND h.version = (SELECT max(x.version) FROM ledger_audit.event_hashes x WHERE x.stream_id = h.stream_id AND x.seq_id <= @at)
            """))
        {
            cmd.Parameters.AddWithValue("at", at);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) heads.Add((r.GetString(0), r.GetInt64(1), r.GetFieldValue<byte[]>(2)));
        }
        var digest = LogDigest.FormatThree.Compute(at, heads);
        await SeedAsync(1); // the log moves on after the old close

        var verified = await ChainVerifier.VerifyAsync(fx.Service,
            [new PublishedHead(at, digest, "close 2024", LogDigest.FormatThree.Format), new PublishedHead(at, new string('0', 64), "forged", LogDigest.FormatThree.Format)]);
        Assert.True(verified.Heads.Single(h => h.PublishedIn == "close 2024").Matches);
        Assert.False(verified.Heads.Single(h => h.PublishedIn == "forged").Matches);
        Assert.Contains(verified.Problems, p => p.Stream == "forged");
        Assert.DoesNotContain(verified.Problems, p => p.Stream == "close 2024");
    }

    private async Task<string[]> AllStreamsAsync() =>
        await fx.Database.ScalarAsync<string[]>("SELECT array_agg(id) FROM ledger.mt_streams");

    [Fact]
    public async Task ReadLogHead_ThenMoreAppends_TheVerifierStillRecomputesTheOlderHead()
    {
        await SeedAsync();
        var moved = NewStream();
        var last = await fx.Database.ScalarAsync<string>("SELECT stream_id FROM ledger.mt_events ORDER BY seq_id DESC LIMIT 1");
        var head = await LogHeads.ReadAsync(fx.Service, [moved, last]);
        var old = await fx.Database.ScalarAsync<string>("SELECT stream_id FROM ledger.mt_events WHERE seq_id = @s", ("s", head.Sequence));
        Assert.Equal(last, old);
        await fx.AppendAsync(moved, 0, Spending(1));
        await fx.AppendAsync(old, head.VersionOf(old), Spending(9)); // a stream of the head moves on

        var later = await LogHeads.ReadAsync(fx.Service, [moved, old]);
        var verified = await ChainVerifier.VerifyAsync(fx.Service,
            [new PublishedHead(head.Sequence, head.Digest, "first"), new PublishedHead(later.Sequence, later.Digest, "second")]);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.All(verified.Heads, h => Assert.True(h.Matches, h.PublishedIn));
        Assert.NotEqual(head.Digest, later.Digest);
        Assert.Equal(0, head.VersionOf(moved));
        Assert.Equal(1, later.VersionOf(moved));
        Assert.Equal(later.Digest, verified.LogDigest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadLogHead_ALowerSequenceStillUncommitted_WaitsUntilItCommitsAndThenIncludesIt(bool existingStream)
    {
        await SeedAsync(1);
        var slow = NewStream();
        if (existingStream) await fx.AppendAsync(slow, 0, Spending(1));
        // Marten's own append function (with the expected version, as every Ledger append passes) in a transaction left
        // open, as a slow appender would: it has locked its stream row (a new row: INSERT; an existing one: SELECT … FOR
        // UPDATE, UseExclusiveLockOnConcurrentAppends) and taken its sequence number, but not committed.
        await using var conn = await fx.Service.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var append = new NpgsqlCommand("""
            SELECT ledger.mt_quick_append_events(@s, 'year', '*DEFAULT*', ARRAY[gen_random_uuid()], ARRAY['budget.spending-recorded.v1'],
                ARRAY['x'], ARRAY['{}'::jsonb], ARRAY[NULL::bytea], ARRAY[NULL::varchar], ARRAY[NULL::varchar], ARRAY[NULL::jsonb], @v)
            """, conn, tx))
        {
            append.Parameters.AddWithValue("s", slow);
            append.Parameters.AddWithValue("v", existingStream ? 1L : 0L);
            await append.ExecuteScalarAsync();
        }
        // A later append commits first: its sequence number is visible, the slow one's is not.
        var fast = NewStream();
        await fx.AppendAsync(fast, 0, Spending(1));

        await Assert.ThrowsAsync<TimeoutException>(() => LogHeads.ReadAsync(fx.Service, TimeSpan.FromMilliseconds(200)));
        var pending = LogHeads.ReadAsync(fx.Service, TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        Assert.False(pending.IsCompleted, "the head was taken while a lower sequence number was in flight");
        await tx.CommitAsync();
        await pending;
        var head = await LogHeads.ReadAsync(fx.Service, [slow, fast]); // the same head: nothing came after it

        Assert.Equal((await pending).Sequence, head.Sequence);
        Assert.Equal(existingStream ? 2 : 1, head.VersionOf(slow));
        Assert.Equal(1, head.VersionOf(fast));
        var verified = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest)]);
        Assert.True(Assert.Single(verified.Heads).Matches);
    }

    [Fact]
    public async Task SettledSequence_AnOlderTransactionRunning_CallsOnWaitWithABoundAboveItsId_AndSettlesOnceItEnds()
    {
        await SeedAsync(1);
        // A transaction holding a transaction id, left open: the settle waits for it and says so before every wait.
        await using var conn = await fx.Service.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        ulong holder;
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()::text", conn, tx))
            holder = ulong.Parse((string)(await xid.ExecuteScalarAsync())!);
        var bounds = new List<ulong>();
        var first = new TaskCompletionSource();
        var settling = SettledSequence.ReadAsync(fx.Service, TimeSpan.FromSeconds(30), onWait: bound =>
        {
            lock (bounds) bounds.Add(bound);
            first.TrySetResult();
            return Task.CompletedTask;
        });
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(settling.IsCompleted, "settled while an older transaction still ran");
        await tx.RollbackAsync();
        var settled = await settling;

        Assert.True(settled >= await fx.Database.ScalarAsync<long>("SELECT max(seq_id) FROM ledger.mt_events"));
        lock (bounds) Assert.All(bounds, b => Assert.True(b > holder, $"bound {b} not above the holder's id {holder}"));
    }

    [Fact]
    public async Task ReadLogHead_OnAPoolOfIdleConnections_RunsEveryRoundTripOnOneBackend()
    {
        await SeedAsync(1);
        // A pool of its own holding four idle backends, each having last run the same marker statement.
        var name = "log-head-one-backend-" + Guid.NewGuid().ToString("N")[..8];
        await using var pool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(fx.ServiceConnectionString) { ApplicationName = name }.ConnectionString);
        var idle = new List<NpgsqlConnection>();
        for (var i = 0; i < 4; i++)
        {
            var conn = await pool.OpenConnectionAsync();
            await using (var marker = new NpgsqlCommand("SELECT 'idle in the pool'", conn)) await marker.ExecuteScalarAsync();
            idle.Add(conn);
        }
        foreach (var conn in idle) await conn.DisposeAsync();

        var head = await LogHeads.ReadAsync(pool);

        // The settle's probes and transaction, the latest head and take_log_head all on the one backend taken; the other
        // three still show the marker as their last statement (taken from the pool for each round trip, they spread).
        Assert.True(head.Sequence > 0);
        // Asked as the service role: PostgreSQL shows a backend's statement to its own role (or a monitoring one).
        async Task<long> Backends(string where)
        {
            await using var cmd = fx.Service.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()" + where);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        Assert.Equal(4, await Backends(""));
        Assert.Equal(3, await Backends(" AND query = 'SELECT ''idle in the pool'''"));
    }

    [Fact]
    public async Task SettledSequence_OnAConnectionInATransaction_Refuses()
    {
        await using var conn = await fx.Service.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => SettledSequence.ReadAsync(conn, TimeSpan.FromSeconds(2)));
    }
}
