using Ledger.Testing.Postgres;
using static Ledger.Audit.Tests.LedgerFixture;

namespace Ledger.Audit.Tests;

/// <summary>
/// What a database superuser can do behind the triggers' back (session_replication_role = replica), and that the
/// verifier names exactly what was changed. Each test seeds its own streams; the verifier is run as the service role,
/// as /api/audit/verify does.
/// </summary>
public sealed class TamperTests
{
    private static async Task<(LedgerFixture Fx, string[] Streams)> SeedAsync()
    {
        var fx = new LedgerFixture();
        await fx.InitializeAsync();
        var streams = new[] { NewStream(), NewStream(), NewStream() };
        foreach (var s in streams)
        {
            await fx.AppendAsync(s, 0, Spending(1), Spending(2));
            await fx.AppendAsync(s, 2, Spending(3));
        }
        var intact = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(intact.Ok, string.Join("; ", intact.Problems));
        Assert.Equal(9, intact.EventsChecked);
        return (fx, streams);
    }

    private static Task Superuser(LedgerFixture fx, string sql, params (string, object)[] ps) =>
        fx.Database.AsSuperuserBypassingTriggersAsync(sql, ps);

    [Fact]
    public async Task Verify_AlteredPayload_NamesThatEventOnly()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var intact = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.Matches("^[0-9a-f]{64}$", intact.LogDigest);
        Assert.Equal(intact.LogDigest, (await ChainVerifier.VerifyAsync(fx.Service)).LogDigest); // deterministic
        var victim = (await fx.SequencesAsync(streams[1]))[1];
        await Superuser(fx, "UPDATE ledger.mt_events SET data = jsonb_set(data, '{amount}', '9.99') WHERE seq_id = @s", ("s", victim));

        var result = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.False(result.Ok);
        Assert.Equal(victim, result.FirstBrokenSequence);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("altered", problem.Problem);
        Assert.Equal(streams[1], problem.Stream);
        Assert.NotEqual(intact.LogDigest, result.LogDigest); // the digest is recomputed from content, not from stored hashes
    }

    [Fact]
    public async Task Verify_AlteredMetadata_ActorReasonOrTime_NamesThatEvent()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var seqs = await fx.SequencesAsync(streams[0]);
        await Superuser(fx, "UPDATE ledger.mt_events SET headers = jsonb_set(headers, '{actor,name}', '\"Budi\"') WHERE seq_id = @s", ("s", seqs[0]));
        await Superuser(fx, "UPDATE ledger.mt_events SET timestamp = timestamp - interval '1 day' WHERE seq_id = @s", ("s", seqs[2]));

        var result = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.Equal([seqs[0], seqs[2]], result.Problems.Select(p => p.Sequence!.Value).Order().ToArray());
    }

    [Fact]
    public async Task Verify_DeletedMiddleEvent_NamesItsSequenceAndTheGap()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var seqs = await fx.SequencesAsync(streams[2]);
        await Superuser(fx, "DELETE FROM ledger.mt_events WHERE seq_id = @s", ("s", seqs[1]));

        var result = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.Contains(result.Problems, p => p.Sequence == seqs[1] && p.Problem.Contains("deleted"));
        Assert.Contains(result.Problems, p => p.Sequence == seqs[2] && p.Problem.Contains("missing"));
        Assert.Equal(seqs[1], result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_TwoEventsSwapped_NamesBoth()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var seqs = await fx.SequencesAsync(streams[0]);
        // Reorder: the first two events of the stream exchange their payloads (each keeps its position and hash row).
        await Superuser(fx, """
            UPDATE ledger.mt_events e SET data = o.data
              FROM ledger.mt_events o
             WHERE (e.seq_id, o.seq_id) IN ((@a, @b), (@b, @a))
            """, ("a", seqs[0]), ("b", seqs[1]));

        var result = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.Equal([seqs[0], seqs[1]], result.Problems.Select(p => p.Sequence!.Value).Order().ToArray());
    }

    [Fact]
    public async Task Verify_StreamRowRewound_NamesTheStream()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var head = await LogHeads.ReadAsync(fx.Service);
        await Superuser(fx, "UPDATE ledger.mt_streams SET version = 2 WHERE id = @id", ("id", streams[1]));

        var result = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest, "close")]);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(streams[1], problem.Stream);
        Assert.Equal((await fx.SequencesAsync(streams[1]))[2], problem.Sequence);
        Assert.Equal(problem.Sequence, result.FirstBrokenSequence);
        Assert.True(Assert.Single(result.Heads).Matches); // the events themselves are intact
        // The head does not read stream rows (format 4 chains events): the same head as before, which the verifier recomputes.
        Assert.Equal(head.Digest, (await LogHeads.ReadAsync(fx.Service)).Digest);
    }

    [Fact]
    public async Task Verify_EventInsertedWithoutTheAppendPath_IsReportedAsUnsealed()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var seq = await fx.Database.AsSuperuserBypassingTriggersAsync("""
            INSERT INTO ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id)
            VALUES (nextval('ledger.mt_events_sequence'), gen_random_uuid(), @s, 4, '{}', 'budget.spending-recorded.v1', now(), '*DEFAULT*')
            RETURNING seq_id
            """, ("s", streams[0]));
        await Superuser(fx, "UPDATE ledger.mt_streams SET version = 4 WHERE id = @s", ("s", streams[0]));

        var result = await ChainVerifier.VerifyAsync(fx.Service);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((long)seq!, problem.Sequence);
        Assert.Contains("never sealed", problem.Problem);
    }

    [Fact]
    public async Task Verify_LastEventDeletedWithItsHashAndStreamRow_OnlyThePublishedHeadCatchesIt()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var head = await LogHeads.ReadAsync(fx.Service);
        var published = new PublishedHead(head.Sequence, head.Digest, "close 2025");

        var last = (await fx.SequencesAsync(streams[0]))[2];
        await Superuser(fx, """
            DELETE FROM ledger.mt_events WHERE seq_id = @s;
            DELETE FROM ledger_audit.event_hashes WHERE seq_id = @s;
            UPDATE ledger.mt_streams SET version = 2 WHERE id = @id;
            """, ("s", last), ("id", streams[0]));

        // Every chain check passes; only the heads catch it: the head recorded in the chain of heads, and the published one.
        var unpublished = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.Null(unpublished.FirstBrokenSequence);
        Assert.Contains($"up to sequence {head.Sequence}", Assert.Single(unpublished.Problems, p => p.Stream == "ledger_audit.log_heads").Problem);
        var result = await ChainVerifier.VerifyAsync(fx.Service, [published]);
        Assert.False(result.Ok);
        Assert.Null(result.FirstBrokenSequence);
        Assert.False(Assert.Single(result.Heads).Matches);
        Assert.Contains(result.Problems, p => p.Stream == "close 2025" && p.Problem.Contains("published digest"));
    }

    [Fact]
    public async Task Verify_LastEventOfTheLogDeletedWithItsHashAndStreamRow_TheHeadMovesBack_OnlyThePublishedHeadCatchesIt()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var seqs = await fx.SequencesAsync(streams[2]); // the last stream seeded: its last event is the log's last
        var head = await LogHeads.ReadAsync(fx.Service);
        Assert.Equal(seqs[2], head.Sequence);

        await Superuser(fx, """
            DELETE FROM ledger.mt_events WHERE seq_id = @s;
            DELETE FROM ledger_audit.event_hashes WHERE seq_id = @s;
            UPDATE ledger.mt_streams SET version = 2 WHERE id = @id;
            """, ("s", seqs[2]), ("id", streams[2]));

        var result = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest, "close")]);
        Assert.False(result.Ok);
        Assert.Null(result.FirstBrokenSequence);
        Assert.Equal(seqs[1], result.HeadSequence); // the log now ends one event earlier
        Assert.False(Assert.Single(result.Heads).Matches);
    }

    [Fact]
    public async Task Verify_LastEventDeletedWithoutItsHashOrStreamRow_NamesTheDeletedEventAndTheStreamsLastOne_AndThePublishedHeadMismatch()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var seqs = await fx.SequencesAsync(streams[1]);
        var head = await LogHeads.ReadAsync(fx.Service);
        await Superuser(fx, "DELETE FROM ledger.mt_events WHERE seq_id = @s", ("s", seqs[2]));

        var result = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest)]);
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Stream == streams[1] && p.Sequence == seqs[2] && p.Problem.Contains("deleted"));
        Assert.Contains(result.Problems, p => p.Stream == streams[1] && p.Sequence == seqs[1] && p.Problem.Contains("says version 3"));
        Assert.Equal(seqs[1], result.FirstBrokenSequence);
        Assert.False(Assert.Single(result.Heads).Matches);
    }

    [Fact]
    public async Task Verify_LastEventRewrittenWithConsistentHashes_OnlyThePublishedHeadCatchesIt()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var head = await LogHeads.ReadAsync(fx.Service);
        var last = (await fx.SequencesAsync(streams[2]))[2];
        // Rewrite the payload and recompute the chain hash exactly as the seal would.
        await Superuser(fx, """
            UPDATE ledger.mt_events SET data = jsonb_set(data, '{amount}', '9.99') WHERE seq_id = @s;
            UPDATE ledger_audit.event_hashes h
               SET hash = sha256(p.hash || sha256(ledger_audit.canonical(e)))
              FROM ledger.mt_events e, ledger_audit.event_hashes p
             WHERE h.seq_id = @s AND e.seq_id = @s AND p.stream_id = h.stream_id AND p.version = h.version - 1;
            """, ("s", last));

        var result = await ChainVerifier.VerifyAsync(fx.Service, [new PublishedHead(head.Sequence, head.Digest, "close")]);
        Assert.False(result.Ok);
        Assert.Null(result.FirstBrokenSequence); // every chain check passes: the rewrite is consistent
        var check = Assert.Single(result.Heads);
        Assert.False(check.Matches);
        Assert.Equal(head.Digest, check.Published);
        Assert.Equal(2, result.Problems.Count); // the published head and the head recorded in the chain of heads
        Assert.All(result.Problems, p => Assert.Contains($"up to sequence {head.Sequence}", p.Problem));
        // A new head continues the chain from the recorded one: nothing new, the same (published) digest.
        Assert.Equal(head.Digest, (await LogHeads.ReadAsync(fx.Service)).Digest);
    }

    [Fact]
    public async Task Verify_HeadRowRemovedOrForged_IsReported()
    {
        var (fx, streams) = await SeedAsync();
        await using var _ = fx.AsDisposable();
        var first = await LogHeads.ReadAsync(fx.Service);
        await fx.AppendAsync(streams[0], 3, Spending(4));
        var second = await LogHeads.ReadAsync(fx.Service);
        await fx.AppendAsync(streams[1], 3, Spending(4));
        var third = await LogHeads.ReadAsync(fx.Service);
        IReadOnlyCollection<PublishedHead> published =
            [new(first.Sequence, first.Digest, "close 1"), new(second.Sequence, second.Digest, "close 2"), new(third.Sequence, third.Digest, "close 3")];
        Assert.True((await ChainVerifier.VerifyAsync(fx.Service, published)).Ok);

        await Superuser(fx, "UPDATE ledger_audit.log_heads SET digest = sha256('forged') WHERE seq = @s", ("s", third.Sequence));
        var forged = await ChainVerifier.VerifyAsync(fx.Service, published);
        Assert.Contains($"up to sequence {third.Sequence}", Assert.Single(forged.Problems).Problem); // the row; the published head still matches
        Assert.All(forged.Heads, h => Assert.True(h.Matches));

        await Superuser(fx, "DELETE FROM ledger_audit.log_heads WHERE seq = @s", ("s", second.Sequence));
        var removed = await ChainVerifier.VerifyAsync(fx.Service, published);
        Assert.False(removed.Ok);
        Assert.Contains(removed.Problems, p => p.Stream == "close 2" && p.Problem.Contains("not in the chain of heads"));
        Assert.Contains(removed.Problems, p => p.Stream == "ledger_audit.log_heads" && p.Problem.Contains("a head was removed"));
        Assert.Null(removed.FirstBrokenSequence); // the events are intact
    }
}
