using System.Security.Cryptography;
using Npgsql;

namespace Ledger.EventStore;

public sealed record ChainProblem(long? Sequence, string Stream, string Problem);

/// <summary>A head published earlier (e.g. at a year-end close): its sequence and digest, and where it was published.</summary>
public sealed record PublishedHead(long Sequence, string Digest, string? PublishedIn = null);

/// <summary>A published head compared with the digest recomputed from the events' content at the same sequence.</summary>
public sealed record HeadCheck(long Sequence, string Published, string Recomputed, string? PublishedIn)
{
    public bool Matches => string.Equals(Published, Recomputed, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The outcome of a verification. <see cref="LogDigest"/> is the <see cref="EventStore.LogDigest"/> (format
/// <c>ledger-log-digest/2</c>) of the log at <see cref="HeadSequence"/>, computed from hashes recomputed from the events'
/// content: publish it with <see cref="HeadSequence"/> (e.g. at a year-end close; <see cref="LogHeads"/> gives the same
/// value from the streams rows alone) and anyone can later check that the log up to that point is unchanged, even against
/// someone able to rewrite a whole stream's chain. <see cref="Heads"/> compares the heads passed in with their recomputed
/// digests; a mismatch makes <see cref="Ok"/> false.
/// </summary>
public sealed record ChainVerification(
    bool Ok, long EventsChecked, long? FirstBrokenSequence, IReadOnlyList<ChainProblem> Problems, long HeadSequence, string LogDigest)
{
    public IReadOnlyList<HeadCheck> Heads { get; init; } = [];
}

/// <summary>
/// Walks every stream's hash chain (hash = sha256(prev_hash || canonical bytes), first prev_hash = 32 zero bytes),
/// checks versions are 1..n without holes, that each stream row's version and head hash match its last event, and
/// names the first broken event by global sequence. Computes the log digest at the end and at every published head.
/// </summary>
public static class ChainVerifier
{
    private const int Page = 5000;

    public static Task<ChainVerification> VerifyAsync(NpgsqlDataSource dataSource, CancellationToken ct = default) =>
        VerifyAsync(dataSource, [], ct);

    public static async Task<ChainVerification> VerifyAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<PublishedHead> published, CancellationToken ct = default)
    {
        var heads = new Dictionary<string, (long Version, byte[] Hash, long Seq)>();
        // Per stream: the version of its last event read and the chain hash recomputed from content alone. The digest
        // follows these, so it changes when anything changes, even if someone rewrote the stored hashes consistently.
        var recomputedHeads = new Dictionary<string, (long Version, byte[] Hash)>(StringComparer.Ordinal);
        var problems = new List<ChainProblem>();
        var pending = new Queue<PublishedHead>(published.OrderBy(p => p.Sequence));
        var checks = new List<HeadCheck>();
        long checkedCount = 0, after = 0;

        void CheckHeadsBefore(long seq)
        {
            while (pending.Count > 0 && pending.Peek().Sequence < seq)
            {
                var p = pending.Dequeue();
                checks.Add(new HeadCheck(p.Sequence, p.Digest, Digest(p.Sequence, recomputedHeads), p.PublishedIn));
            }
        }

        while (true)
        {
            await using var cmd = dataSource.CreateCommand(Sql.VerifyEvents);
            cmd.Parameters.Add(new NpgsqlParameter<long>("after", after));
            cmd.Parameters.Add(new NpgsqlParameter<int>("max", Page));
            var rows = 0;
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    rows++;
                    var seq = r.GetInt64(0);
                    var stream = r.GetString(1);
                    var version = r.GetInt64(2);
                    var prev = r.GetFieldValue<byte[]>(3);
                    var hash = r.GetFieldValue<byte[]>(4);
                    var canonical = r.GetFieldValue<byte[]>(5);
                    CheckHeadsBefore(seq);

                    var (lastVersion, lastHash, _) = heads.TryGetValue(stream, out var h) ? h : (0L, new byte[32], 0L);
                    var recomputed = Sha256(recomputedHeads.TryGetValue(stream, out var rh) ? rh.Hash : new byte[32], canonical);
                    recomputedHeads[stream] = (version, recomputed);
                    if (version != lastVersion + 1)
                        problems.Add(new(seq, stream, $"version {version} follows version {lastVersion}: an event is missing or moved"));
                    else if (!prev.AsSpan().SequenceEqual(lastHash))
                        problems.Add(new(seq, stream, "prev_hash does not match the previous event's hash"));
                    else if (!Sha256(lastHash, canonical).AsSpan().SequenceEqual(hash))
                        problems.Add(new(seq, stream, "content does not match its hash: the event was altered"));
                    // Continue the chain from the stored hash, so one altered event is reported once, not for every successor.
                    heads[stream] = (version, hash, seq);
                    checkedCount++;
                    after = seq;
                }
            }
            if (rows < Page) break;
        }
        CheckHeadsBefore(long.MaxValue); // heads at or past the last event (e.g. its last events were deleted since)

        await using (var cmd = dataSource.CreateCommand(Sql.VerifyStreams))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            var seen = new HashSet<string>();
            while (await r.ReadAsync(ct))
            {
                var id = r.GetString(0);
                var version = r.GetInt64(1);
                var head = r.GetFieldValue<byte[]>(2);
                seen.Add(id);
                if (!heads.TryGetValue(id, out var last))
                {
                    problems.Add(new(null, id, "stream row without events"));
                    continue;
                }
                if (last.Version != version || !last.Hash.AsSpan().SequenceEqual(head))
                    problems.Add(new(last.Seq, id, $"stream row says version {version}, events end at {last.Version} (or its head hash differs)"));
            }
            foreach (var (id, last) in heads)
                if (!seen.Contains(id)) problems.Add(new(last.Seq, id, "events without a stream row"));
        }

        // A published head that no longer matches names no single event (the digest cannot say which stream changed), so
        // it is a problem without a sequence: FirstBrokenSequence still names the first event the chain checks caught.
        foreach (var c in checks.Where(c => !c.Matches))
            problems.Add(new(null, c.PublishedIn ?? "", $"the log up to sequence {c.Sequence} no longer has the published digest {c.Published} (recomputed {c.Recomputed}): an event at or below it was altered, removed or added"));

        var first = problems.Where(p => p.Sequence is not null).Select(p => p.Sequence).Min();
        return new ChainVerification(problems.Count == 0, checkedCount, first, problems.OrderBy(p => p.Sequence ?? long.MaxValue).ToList(),
            after, Digest(after, recomputedHeads)) { Heads = checks };
    }

    private static string Digest(long head, Dictionary<string, (long Version, byte[] Hash)> streams) =>
        EventStore.LogDigest.Compute(head, streams.Select(s => (s.Key, s.Value.Version, s.Value.Hash)));

    private static byte[] Sha256(byte[] prev, byte[] canonical)
    {
        var all = new byte[prev.Length + canonical.Length];
        prev.CopyTo(all, 0);
        canonical.CopyTo(all, prev.Length);
        return SHA256.HashData(all);
    }
}
