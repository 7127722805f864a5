using Ledger.EventStore;
using Npgsql;
using static Ledger.EventStore.Tests.Events;

namespace Ledger.EventStore.Tests;

/// <summary>
/// The cheap head query (LogHeads: streams rows + the events after the head) against the verifier's digest, recomputed
/// from every event's content: equal on an intact log, also for a head taken while appends go on, and never taken while
/// a lower sequence number is still uncommitted.
/// </summary>
public sealed class LogHeadTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    private async Task SeedAsync(int streams = 4)
    {
        for (var s = 0; s < streams; s++)
        {
            var stream = NewStream();
            await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2)));
            await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(2), Counter(3)));
        }
    }

    [Fact]
    public async Task ReadLogHead_IntactLog_EqualsTheVerifiersHeadAndDigest()
    {
        await SeedAsync();
        var head = await fx.Store.ReadLogHeadAsync(); // as the service role, like the close
        var verified = await ChainVerifier.VerifyAsync(fx.Database.Owner, [new PublishedHead(head.Sequence, head.Digest, "test")]);

        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.Equal(verified.HeadSequence, head.Sequence);
        Assert.Equal(verified.LogDigest, head.Digest);
        Assert.Matches("^[0-9a-f]{64}$", head.Digest);
        Assert.Equal("ledger-log-digest/2", head.Format);
        Assert.True(Assert.Single(verified.Heads).Matches);
        Assert.Equal((long)await ScalarAsync("SELECT count(*) FROM eventstore.streams"), head.StreamVersions.Count);
    }

    [Fact]
    public async Task ReadLogHead_ThenMoreAppends_VerifierStillRecomputesThePublishedHeadAtItsSequence()
    {
        await SeedAsync();
        var head = await fx.Store.ReadLogHeadAsync();
        var moved = NewStream();
        await fx.Store.AppendAsync(Request(moved, ExpectedVersion.NoStream, Counter(1)));
        var old = await ScalarAsync("SELECT stream_id FROM eventstore.events WHERE seq = @s", ("s", head.Sequence));
        await fx.Store.AppendAsync(Request((string)old, ExpectedVersion.Any, Counter(9))); // a stream of the head moves on

        var later = await fx.Store.ReadLogHeadAsync();
        var verified = await ChainVerifier.VerifyAsync(fx.Database.Owner,
            [new PublishedHead(head.Sequence, head.Digest, "first"), new PublishedHead(later.Sequence, later.Digest, "second")]);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.All(verified.Heads, h => Assert.True(h.Matches, h.PublishedIn));
        Assert.NotEqual(head.Digest, later.Digest);
        Assert.Equal(0, head.VersionOf(moved));
        Assert.Equal(1, later.VersionOf(moved));
        Assert.Equal(later.Digest, verified.LogDigest);
    }

    [Fact]
    public async Task ReadLogHead_ALowerSequenceStillUncommitted_WaitsUntilItCommitsAndThenIncludesIt()
    {
        await SeedAsync(1);
        // An append that has taken its sequence number but not committed (as a slow appender would).
        await using var conn = await fx.Database.Owner.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var slow = NewStream();
        await using (var append = new NpgsqlCommand("""
            SELECT seqs[1] FROM eventstore.append(@s, 'counter', 'agency-a', NULL, ARRAY[gen_random_uuid()], ARRAY['counter.incremented.v1'],
                ARRAY['{"n":1}'::jsonb], NULL, NULL, NULL, NULL, NULL, NULL)
            """, conn, tx))
        {
            append.Parameters.AddWithValue("s", slow);
            await append.ExecuteScalarAsync();
        }
        // A later append commits first: its sequence number is visible, the slow one's is not.
        var fast = NewStream();
        await fx.Store.AppendAsync(Request(fast, ExpectedVersion.NoStream, Counter(1)));

        await Assert.ThrowsAsync<TimeoutException>(() => LogHeads.ReadAsync(fx.Service, TimeSpan.FromMilliseconds(200)));
        var pending = LogHeads.ReadAsync(fx.Service, TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        Assert.False(pending.IsCompleted, "the head was taken while a lower sequence number was in flight");
        await tx.CommitAsync();
        var head = await pending;

        Assert.Equal(1, head.VersionOf(slow));
        Assert.Equal(1, head.VersionOf(fast));
        var verified = await ChainVerifier.VerifyAsync(fx.Database.Owner, [new PublishedHead(head.Sequence, head.Digest)]);
        Assert.True(Assert.Single(verified.Heads).Matches);
    }

    private async Task<object> ScalarAsync(string sql, params (string Name, object Value)[] ps)
    {
        await using var cmd = fx.Database.Owner.CreateCommand(sql);
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
        return (await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// After a head is published, a superuser rewrites a stream's last event AND its hash AND the stream row, so every chain
/// check passes: only the published head catches it. Its own database (the log stays broken).
/// </summary>
public sealed class PublishedHeadConsistentRewriteTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task Verify_LastEventOfAStreamRewrittenWithConsistentHashes_ReportsThePublishedHeadMismatch()
    {
        var stream = NewStream();
        var r = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2)));
        await fx.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(1)));
        var head = await fx.Store.ReadLogHeadAsync();
        var published = new PublishedHead(head.Sequence, head.Digest, "close");
        Assert.True((await ChainVerifier.VerifyAsync(fx.Database.Owner, [published])).Ok);

        var last = r.Sequences[1];
        await Superuser.BypassingTriggers(fx, """
            UPDATE eventstore.events SET data = jsonb_set(data, '{amount}', '9.99'),
                   hash = sha256(prev_hash || eventstore.canonical(id, stream_id, version, type, recorded_at, tenant,
                                 jsonb_set(data, '{amount}', '9.99'), actor, reason, correlation_id, causation_id, idempotency_key, headers))
             WHERE seq = @s;
            UPDATE eventstore.streams SET head_hash = (SELECT hash FROM eventstore.events WHERE seq = @s) WHERE id = @id;
            """, ("s", last), ("id", stream));

        var result = await ChainVerifier.VerifyAsync(fx.Database.Owner, [published]);
        Assert.False(result.Ok);
        Assert.Null(result.FirstBrokenSequence); // every chain check passes: the rewrite is consistent
        var check = Assert.Single(result.Heads);
        Assert.False(check.Matches);
        Assert.Equal(head.Digest, check.Published);
        var problem = Assert.Single(result.Problems);
        Assert.Contains($"up to sequence {head.Sequence}", problem.Problem);
        // The cheap head of the rewritten rows no longer gives the published digest either.
        Assert.NotEqual(head.Digest, (await fx.Store.ReadLogHeadAsync()).Digest);
    }
}

/// <summary>A superuser deletes a stream's last event and rewinds its row to match: only the published head catches it.</summary>
public sealed class PublishedHeadDeletedTailTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task Verify_TailEventDeletedAndStreamRowRewound_ReportsThePublishedHeadMismatch()
    {
        var stream = NewStream();
        var r = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2), Counter(3)));
        var head = await fx.Store.ReadLogHeadAsync();
        Assert.Equal(r.Sequences[2], head.Sequence);
        var published = new PublishedHead(head.Sequence, head.Digest, "close");

        await Superuser.BypassingTriggers(fx, """
            UPDATE eventstore.streams SET version = 2, head_hash = (SELECT prev_hash FROM eventstore.events WHERE seq = @s) WHERE id = @id;
            DELETE FROM eventstore.events WHERE seq = @s;
            """, ("s", r.Sequences[2]), ("id", stream));

        var result = await ChainVerifier.VerifyAsync(fx.Database.Owner, [published]);
        Assert.False(result.Ok);
        Assert.Null(result.FirstBrokenSequence);
        Assert.False(Assert.Single(result.Heads).Matches);
        Assert.Equal(r.Sequences[1], result.HeadSequence);
    }

    [Fact]
    public async Task Verify_TailEventDeletedWithoutRewindingTheRow_NamesTheStreamsLastEventAndTheHeadMismatch()
    {
        var stream = NewStream();
        var r = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2)));
        var head = await fx.Store.ReadLogHeadAsync();
        await Superuser.BypassingTriggers(fx, "DELETE FROM eventstore.events WHERE seq = @s", ("s", r.Sequences[1]));

        var result = await ChainVerifier.VerifyAsync(fx.Database.Owner, [new PublishedHead(head.Sequence, head.Digest)]);
        Assert.Contains(result.Problems, p => p.Stream == stream && p.Sequence == r.Sequences[0]); // the row says 2, events end at 1
        Assert.False(Assert.Single(result.Heads).Matches);
    }
}

/// <summary>A superuser rewrites a stream row's head hash: the stream check names it, and the cheap head changes.</summary>
public sealed class PublishedHeadStreamRowTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task Verify_StreamRowHeadHashTampered_NamesTheStreamsLastEventAndTheCheapHeadDiffers()
    {
        var stream = NewStream();
        var r = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2)));
        var head = await fx.Store.ReadLogHeadAsync();
        await Superuser.BypassingTriggers(fx, "UPDATE eventstore.streams SET head_hash = sha256('forged') WHERE id = @id", ("id", stream));

        var result = await ChainVerifier.VerifyAsync(fx.Database.Owner, [new PublishedHead(head.Sequence, head.Digest)]);
        Assert.False(result.Ok);
        Assert.Equal(r.Sequences[1], result.FirstBrokenSequence);
        Assert.True(Assert.Single(result.Heads).Matches); // the events themselves are intact
        Assert.NotEqual(head.Digest, (await fx.Store.ReadLogHeadAsync()).Digest);
    }
}
