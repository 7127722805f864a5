using Npgsql;
using static Ledger.Audit.Tests.LedgerFixture;

namespace Ledger.Audit.Tests;

/// <summary>
/// The cheap head (stream rows + one stored hash per stream) against the verifier's digest recomputed from every event's
/// content: equal on an intact log, also for an older head after more appends, and never taken while a lower sequence
/// number is still uncommitted.
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
        var head = await LogHeads.ReadAsync(fx.Service);
        var verified = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest, "test")]);

        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
        Assert.Equal(verified.HeadSequence, head.Sequence);
        Assert.Equal(verified.LogDigest, head.Digest);
        Assert.Matches("^[0-9a-f]{64}$", head.Digest);
        Assert.Equal("ledger-log-digest/3", head.Format);
        Assert.True(Assert.Single(verified.Heads).Matches);
        Assert.Equal(await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_streams"), head.StreamVersions.Count);
    }

    [Fact]
    public async Task ReadLogHead_ThenMoreAppends_TheVerifierStillRecomputesTheOlderHead()
    {
        await SeedAsync();
        var head = await LogHeads.ReadAsync(fx.Service);
        var moved = NewStream();
        await fx.AppendAsync(moved, 0, Spending(1));
        var old = await fx.Database.ScalarAsync<string>("SELECT stream_id FROM ledger.mt_events WHERE seq_id = @s", ("s", head.Sequence));
        await fx.AppendAsync(old, head.VersionOf(old), Spending(9)); // a stream of the head moves on

        var later = await LogHeads.ReadAsync(fx.Service);
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
        var head = await pending;

        Assert.Equal(existingStream ? 2 : 1, head.VersionOf(slow));
        Assert.Equal(1, head.VersionOf(fast));
        var verified = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest)]);
        Assert.True(Assert.Single(verified.Heads).Matches);
    }
}
