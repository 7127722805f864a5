using System.Security.Cryptography;
using Npgsql;

namespace Ledger.Audit;

public sealed record ChainProblem(long? Sequence, string Stream, string Problem);

/// <summary>
/// A head published earlier (e.g. at a year-end close): its sequence and digest, where it was published, and its digest
/// format (<see cref="LogDigest.Format"/>, or <see cref="LogDigest.FormatThree"/> for closes before audit/0003).
/// </summary>
public sealed record PublishedHead(long Sequence, string Digest, string? PublishedIn = null, string Format = LogDigest.Format);

/// <summary>A published head compared with the digest recomputed from the events' content at the same sequence.</summary>
public sealed record HeadCheck(long Sequence, string Published, string Recomputed, string? PublishedIn)
{
    public bool Matches => string.Equals(Published, Recomputed, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The outcome of a verification. <see cref="LogDigest"/> is the digest (<see cref="Audit.LogDigest"/>) of the log at
/// <see cref="HeadSequence"/>, computed from hashes recomputed from the events' content alone. <see cref="Heads"/> compares
/// the published heads passed in with their recomputed digests; a mismatch makes <see cref="Ok"/> false.
/// </summary>
public sealed record ChainVerification(
    bool Ok, long EventsChecked, long? FirstBrokenSequence, IReadOnlyList<ChainProblem> Problems, long HeadSequence, string LogDigest)
{
    public IReadOnlyList<HeadCheck> Heads { get; init; } = [];
}

/// <summary>
/// Walks Marten's event table in sequence order and checks every stream's chain: versions 1..n without holes, every event
/// sealed, each stored hash = sha256(previous stored hash || sha256(canonical bytes recomputed from the row now)), hash rows
/// pointing at their own event, no hash row without its event, each stream row at its last event's version and not
/// archived. Names each broken event by its global sequence. Computes the log digest at the end and at every published
/// head, from recomputed hashes only (never the stored ones), so a consistently rewritten chain is caught by a head
/// published before the rewrite.
/// </summary>
public static class ChainVerifier
{
    private const int Page = 5000;
    private static readonly byte[] Zero = new byte[32];

    public static Task<ChainVerification> VerifyAsync(NpgsqlDataSource dataSource, CancellationToken ct = default) =>
        VerifyAsync(dataSource, [], ct);

    public static async Task<ChainVerification> VerifyAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<PublishedHead> published, CancellationToken ct = default)
    {
        // Per stream: the last event read (version, stored hash, sequence) and the chain recomputed from content alone.
        var stored = new Dictionary<string, (long Version, byte[] Hash, long Seq)>(StringComparer.Ordinal);
        var recomputed = new Dictionary<string, (long Version, byte[] Hash)>(StringComparer.Ordinal);
        var problems = new List<ChainProblem>();
        var formatThree = new Queue<PublishedHead>(published.Where(p => p.Format == LogDigest.FormatThree.Format).OrderBy(p => p.Sequence));
        var checks = new List<HeadCheck>();
        long checkedCount = 0, after = 0;

        // The chain of heads (audit/0003), read before the walk: each of its heads is settled, so the walk sees all of
        // its events. Its digests are recomputed from content as the walk passes each head.
        var chain = new List<(long Seq, long Previous, byte[] Digest)>();
        await using (var cmd = dataSource.CreateCommand(AuditSql.LogHeadChain))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct)) chain.Add((r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<byte[]>(2)));
        }
        var headDigests = new Dictionary<long, string>();
        var next = 0;
        var builder = new LogDigest.Builder(0, null);

        void FinishHead()
        {
            var (seq, previous, digest) = chain[next++];
            var d = builder.Finish(seq);
            builder.Dispose();
            if (previous != builder.Previous)
                problems.Add(new(null, "ledger_audit.log_heads", $"the head at sequence {seq} follows head {previous}, but the chain of heads has {builder.Previous} before it: a head was removed or inserted"));
            else if (!d.AsSpan().SequenceEqual(digest))
                problems.Add(new(null, "ledger_audit.log_heads", $"the log up to sequence {seq} no longer has the digest its head recorded ({Convert.ToHexStringLower(digest)}, recomputed {Convert.ToHexStringLower(d)}): an event at or below it was altered, removed or added"));
            headDigests[seq] = Convert.ToHexStringLower(d);
            builder = new LogDigest.Builder(seq, d);
        }

        void CheckFormatThreeBefore(long seq)
        {
            while (formatThree.Count > 0 && formatThree.Peek().Sequence < seq)
            {
                var p = formatThree.Dequeue();
                checks.Add(new HeadCheck(p.Sequence, p.Digest, FormatThreeDigest(p.Sequence, recomputed), p.PublishedIn));
            }
        }

        while (true)
        {
            await using var cmd = dataSource.CreateCommand(AuditSql.VerifyEvents);
            cmd.Parameters.Add(new NpgsqlParameter<long>("after", after));
            cmd.Parameters.Add(new NpgsqlParameter<int>("max", Page));
            var rows = 0;
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    rows++;
                    var seq = r.GetInt64(0);
                    var stream = r.IsDBNull(1) ? "" : r.GetString(1);
                    var version = r.GetInt64(2);
                    var hash = r.IsDBNull(3) ? null : r.GetFieldValue<byte[]>(3);
                    var content = r.GetFieldValue<byte[]>(4);
                    CheckFormatThreeBefore(seq);
                    while (next < chain.Count && chain[next].Seq < seq) FinishHead();

                    var (lastVersion, lastHash, _) = stored.TryGetValue(stream, out var s) ? s : (0L, Zero, 0L);
                    var chained = Chain(recomputed.TryGetValue(stream, out var rc) ? rc.Hash : Zero, content);
                    recomputed[stream] = (version, chained);
                    builder.Add(seq, stream, version, chained);
                    if (version != lastVersion + 1)
                        problems.Add(new(seq, stream, $"version {version} follows version {lastVersion}: an event is missing or was moved"));
                    else if (hash is null)
                        problems.Add(new(seq, stream, "the event was never sealed: it was not appended through the audited path"));
                    else if (r.GetString(5) != stream || r.GetInt64(6) != version)
                        problems.Add(new(seq, stream, "the chain hash of this sequence belongs to another stream or version: events were moved"));
                    else if (!Chain(lastHash, content).AsSpan().SequenceEqual(hash))
                        problems.Add(new(seq, stream, "the content does not match its chain hash: the event was altered"));
                    // Continue from the stored hash, so one altered event is reported once, not for every successor.
                    stored[stream] = (version, hash ?? chained, seq);
                    checkedCount++;
                    after = seq;
                }
            }
            if (rows < Page) break;
        }
        CheckFormatThreeBefore(long.MaxValue);
        while (next < chain.Count && chain[next].Seq <= after) FinishHead();
        // The digest at the walk's last event: the head there, or what a head taken now would be (chained to the last one).
        string logDigest;
        if (after == builder.Previous && after > 0) logDigest = headDigests[after];
        else
        {
            using var clone = builder.Clone();
            logDigest = Convert.ToHexStringLower(clone.Finish(after));
        }
        // Heads above the log's last event: events at their end were removed.
        while (next < chain.Count) FinishHead();
        builder.Dispose();

        foreach (var p in published.Where(p => p.Format != LogDigest.FormatThree.Format).OrderBy(p => p.Sequence))
        {
            if (p.Format != LogDigest.Format)
                problems.Add(new(null, p.PublishedIn ?? "", $"the head published at sequence {p.Sequence} has digest format {p.Format}, which this verifier does not know"));
            else if (headDigests.TryGetValue(p.Sequence, out var d)) checks.Add(new HeadCheck(p.Sequence, p.Digest, d, p.PublishedIn));
            else
                problems.Add(new(null, p.PublishedIn ?? "", $"the head published at sequence {p.Sequence} is not in the chain of heads (ledger_audit.log_heads): a head was removed, so its digest cannot be recomputed"));
        }

        await using (var cmd = dataSource.CreateCommand(AuditSql.VerifyOrphanHashes))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                problems.Add(new(r.GetInt64(0), r.GetString(1), $"version {r.GetInt64(2)} was sealed but its event is gone: the event was deleted"));
        }

        await using (var cmd = dataSource.CreateCommand(AuditSql.VerifyStreams))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (await r.ReadAsync(ct))
            {
                var id = r.GetString(0);
                var version = r.GetInt64(1);
                seen.Add(id);
                if (!stored.TryGetValue(id, out var last))
                {
                    if (version != 0) problems.Add(new(null, id, $"stream row at version {version} without events"));
                    continue;
                }
                if (last.Version != version)
                    problems.Add(new(last.Seq, id, $"the stream row says version {version} but its events end at {last.Version}"));
                if (r.GetBoolean(2))
                    problems.Add(new(last.Seq, id, "the stream row is archived: Ledger never archives a stream"));
            }
            foreach (var (id, last) in stored)
                if (!seen.Contains(id)) problems.Add(new(last.Seq, id, "events without a stream row"));
        }

        // A published head that no longer matches names no single event (the digest cannot say which stream changed).
        foreach (var c in checks.Where(c => !c.Matches))
            problems.Add(new(null, c.PublishedIn ?? "", $"the log up to sequence {c.Sequence} no longer has the published digest {c.Published} (recomputed {c.Recomputed}): an event at or below it was altered, removed or added"));

        var first = problems.Where(p => p.Sequence is not null).Select(p => p.Sequence).Min();
        return new ChainVerification(problems.Count == 0, checkedCount, first, problems.OrderBy(p => p.Sequence ?? long.MaxValue).ToList(),
            after, logDigest) { Heads = checks.OrderBy(c => c.Sequence).ToList() };
    }

    private static string FormatThreeDigest(long head, Dictionary<string, (long Version, byte[] Hash)> streams) =>
        LogDigest.FormatThree.Compute(head, streams.Select(s => (s.Key, s.Value.Version, s.Value.Hash)));

    /// <summary>hash(v) = sha256(hash(v-1) || content(v)), content = sha256(canonical bytes).</summary>
    public static byte[] Chain(byte[] previous, byte[] content)
    {
        Span<byte> both = stackalloc byte[64];
        previous.CopyTo(both);
        content.CopyTo(both[32..]);
        return SHA256.HashData(both);
    }
}
