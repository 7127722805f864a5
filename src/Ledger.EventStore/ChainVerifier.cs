using System.Buffers.Binary;
using System.Security.Cryptography;
using Npgsql;

namespace Ledger.EventStore;

public sealed record ChainProblem(long? Sequence, string Stream, string Problem);

/// <summary>
/// The outcome of a verification. <see cref="LogDigest"/> is a rolling SHA-256 over (sequence, hash recomputed from the
/// event's content) of every event in global order: publish it with <see cref="HeadSequence"/> (e.g. at a year-end close) and anyone can later check that
/// the log up to that point is unchanged, even against someone able to rewrite a whole stream's chain.
/// </summary>
public sealed record ChainVerification(
    bool Ok, long EventsChecked, long? FirstBrokenSequence, IReadOnlyList<ChainProblem> Problems, long HeadSequence, string LogDigest);

/// <summary>
/// Walks every stream's hash chain (hash = sha256(prev_hash || canonical bytes), first prev_hash = 32 zero bytes),
/// checks versions are 1..n without holes, that each stream row's version and head hash match its last event, and
/// names the first broken event by global sequence.
/// </summary>
public static class ChainVerifier
{
    private const int Page = 5000;

    public static async Task<ChainVerification> VerifyAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        var heads = new Dictionary<string, (long Version, byte[] Hash, long Seq)>();
        var recomputedHeads = new Dictionary<string, byte[]>();
        var problems = new List<ChainProblem>();
        var digest = new byte[32];
        var buffer = new byte[8 + 32 + 32];
        long checkedCount = 0, after = 0;

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

                    var (lastVersion, lastHash, _) = heads.TryGetValue(stream, out var h) ? h : (0L, new byte[32], 0L);
                    // The digest follows the chain recomputed from content alone, so it changes when anything changes,
                    // even if someone rewrote the stored hashes consistently.
                    var recomputed = Sha256(recomputedHeads.TryGetValue(stream, out var rh) ? rh : new byte[32], canonical);
                    recomputedHeads[stream] = recomputed;
                    if (version != lastVersion + 1)
                        problems.Add(new(seq, stream, $"version {version} follows version {lastVersion}: an event is missing or moved"));
                    else if (!prev.AsSpan().SequenceEqual(lastHash))
                        problems.Add(new(seq, stream, "prev_hash does not match the previous event's hash"));
                    else if (!Sha256(lastHash, canonical).AsSpan().SequenceEqual(hash))
                        problems.Add(new(seq, stream, "content does not match its hash: the event was altered"));
                    // Continue the chain from the stored hash, so one altered event is reported once, not for every successor.
                    heads[stream] = (version, hash, seq);

                    BinaryPrimitives.WriteInt64BigEndian(buffer, seq);
                    digest.CopyTo(buffer, 8);
                    recomputed.CopyTo(buffer, 40);
                    digest = SHA256.HashData(buffer);
                    checkedCount++;
                    after = seq;
                }
            }
            if (rows < Page) break;
        }

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

        var first = problems.Where(p => p.Sequence is not null).Select(p => p.Sequence).Min();
        return new ChainVerification(problems.Count == 0, checkedCount, first, problems.OrderBy(p => p.Sequence ?? long.MaxValue).ToList(),
            after, Convert.ToHexString(digest).ToLowerInvariant());
    }

    private static byte[] Sha256(byte[] prev, byte[] canonical)
    {
        var all = new byte[prev.Length + canonical.Length];
        prev.CopyTo(all, 0);
        canonical.CopyTo(all, prev.Length);
        return SHA256.HashData(all);
    }
}
