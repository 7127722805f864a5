using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ledger.Audit;

/// <summary>
/// The head of the whole log at sequence <see cref="Sequence"/>: every event with a sequence number at or below it, and
/// no other. <see cref="Digest"/> (<see cref="LogDigest"/>, format 4) commits to all of them through the chain of heads
/// (<c>ledger_audit.log_heads</c>). <see cref="StreamVersions"/> gives the version at the head of each stream the caller
/// asked about, and only of those.
/// </summary>
public sealed record LogHead(long Sequence, string Digest, IReadOnlyDictionary<string, long> StreamVersions)
{
    public string Format => LogDigest.Format;

    /// <summary>The stream's version at the head, 0 when it had no event at or below it.</summary>
    /// <exception cref="InvalidOperationException">the stream was not among those asked about when the head was read.</exception>
    public long VersionOf(string stream) => StreamVersions.TryGetValue(stream, out var v)
        ? v
        : throw new InvalidOperationException($"The log head was read without stream {stream}: pass it to LogHeads.ReadAsync.");
}

/// <summary>
/// The log digest, format <c>ledger-log-digest/4</c>: a chain of heads. The digest D(H) of a head H whose previous head
/// is P (0 for the first) is the lowercase hex SHA-256 of
/// <c>"ledger-log-digest/4" 0x00 · P (int64 BE) · D(P) (32 bytes, zeros when P = 0)</c>, then for each event with
/// P &lt; sequence ≤ H in sequence order <c>0x01 · sequence (int64 BE) · byte length of its stream id (int32 BE) · id (UTF-8)
/// · version (int64 BE) · its chain hash (32 bytes)</c>, then <c>0x00 · H (int64 BE)</c>. Each chain hash covers every
/// earlier event of its stream and D(P) every event at or below P, so D(H) commits to every event at or below H.
/// The same bytes are computed in SQL by <c>ledger_audit.log_digest</c> (audit/0003); <see cref="Builder"/> computes
/// them incrementally, event by event, for the verifier.
/// <para>Format 3 (<see cref="FormatThree"/>), published by closes before audit/0003, is still recomputed to compare
/// those heads.</para>
/// </summary>
public static class LogDigest
{
    public const string Format = "ledger-log-digest/4";

    private static readonly byte[] Zero = new byte[32];

    /// <summary>D(H) over the events after <paramref name="previous"/>, built as the verifier walks them in sequence order.</summary>
    public sealed class Builder : IDisposable
    {
        private readonly IncrementalHash _sha;
        private readonly byte[] _number = new byte[8];

        public Builder(long previous, byte[]? previousDigest)
        {
            _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Previous = previous;
            _sha.AppendData(Encoding.ASCII.GetBytes(Format));
            _sha.AppendData([0]);
            Int64(previous);
            var d = previousDigest ?? Zero;
            if (d.Length != 32) throw new ArgumentException("A digest is 32 bytes.", nameof(previousDigest));
            _sha.AppendData(d);
        }

        private Builder(Builder other)
        {
            _sha = other._sha.Clone();
            Previous = other.Previous;
            Events = other.Events;
        }

        public long Previous { get; }
        public long Events { get; private set; }

        /// <summary>A copy with the same events so far, to finish at one head while this one goes on.</summary>
        public Builder Clone() => new(this);

        public void Add(long sequence, string stream, long version, byte[]? chainHash)
        {
            var hash = chainHash ?? Zero;
            if (hash.Length != 32) throw new ArgumentException("A chain hash is 32 bytes.", nameof(chainHash));
            _sha.AppendData([1]);
            Int64(sequence);
            var length = Encoding.UTF8.GetByteCount(stream);
            Span<byte> id = length <= 256 ? stackalloc byte[length] : new byte[length];
            Encoding.UTF8.GetBytes(stream, id);
            BinaryPrimitives.WriteInt32BigEndian(_number, length);
            _sha.AppendData(_number.AsSpan(0, 4));
            _sha.AppendData(id);
            Int64(version);
            _sha.AppendData(hash);
            Events++;
        }

        /// <summary>D(<paramref name="head"/>); the builder can be used no further.</summary>
        public byte[] Finish(long head)
        {
            _sha.AppendData([0]);
            Int64(head);
            return _sha.GetHashAndReset();
        }

        private void Int64(long value)
        {
            BinaryPrimitives.WriteInt64BigEndian(_number, value);
            _sha.AppendData(_number);
        }

        public void Dispose() => _sha.Dispose();
    }

    /// <summary>
    /// Format 3 (closes before audit/0003): lowercase hex SHA-256 over <c>"ledger-log-digest/3" 0x00 · head (int64 BE) ·
    /// n (int64 BE)</c> and, for each of the n streams with an event at or below the head, sorted by the UTF-8 bytes of its
    /// id: <c>byte length of id (int32 BE) · id · version (int64 BE) · chain hash (32 bytes)</c> of its last event at or
    /// below the head.
    /// </summary>
    public static class FormatThree
    {
        public const string Format = "ledger-log-digest/3";

        public static string Compute(long head, IEnumerable<(string Stream, long Version, byte[] Hash)> streams)
        {
            var rows = streams.Select(s => (Id: Encoding.UTF8.GetBytes(s.Stream), s.Version, s.Hash)).ToList();
            rows.Sort((a, b) => a.Id.AsSpan().SequenceCompareTo(b.Id));
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(Encoding.ASCII.GetBytes(Format));
            sha.AppendData([0]);
            Span<byte> number = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(number, head);
            sha.AppendData(number);
            BinaryPrimitives.WriteInt64BigEndian(number, rows.Count);
            sha.AppendData(number);
            Span<byte> length = stackalloc byte[4];
            foreach (var (id, version, hash) in rows)
            {
                if (hash.Length != 32) throw new ArgumentException("A chain hash is 32 bytes.", nameof(streams));
                BinaryPrimitives.WriteInt32BigEndian(length, id.Length);
                sha.AppendData(length);
                sha.AppendData(id);
                BinaryPrimitives.WriteInt64BigEndian(number, version);
                sha.AppendData(number);
                sha.AppendData(hash);
            }
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
    }
}

/// <summary>
/// The log head a close publishes, at a <see cref="SettledSequence"/>: <c>ledger_audit.take_log_head</c> appends the
/// chain of heads from the previous head to the highest event at or below it (hashing only the events in between, from
/// their stored chain hashes) and returns that head; the verifier recomputes the same chain from content alone. Runs as
/// the service role (the function runs as the owner; the role can neither write the head table nor the hashes).
/// </summary>
public static class LogHeads
{
    /// <exception cref="TimeoutException">a transaction that may hold a sequence number below the head kept running.</exception>
    public static Task<LogHead> ReadAsync(NpgsqlDataSource dataSource, TimeSpan? settleTimeout = null, CancellationToken ct = default) =>
        ReadAsync(dataSource, [], settleTimeout, ct);

    /// <summary>The head, and the version at it of each of <paramref name="streams"/> (0 for one without events at or below it).</summary>
    /// <exception cref="TimeoutException">a transaction that may hold a sequence number below the head kept running.</exception>
    public static async Task<LogHead> ReadAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<string> streams, TimeSpan? settleTimeout = null,
        CancellationToken ct = default)
    {
        // Every round trip on one connection (eighteenth session): taken from the pool for each, the five or more of a head
        // went to as many idle backends in turn, each meeting the head's statements for the first time (national-scale
        // benchmark: heads on a pool of four idle backends p50 2.0–5.0 ms, on one new backend right after 1.8–2.9 ms).
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var settled = await SettledSequence.ReadAsync(conn, settleTimeout, ct);
        // Far behind (a catch-up after start still running, or none yet): chain the stretch in bounded steps first, so
        // that no statement of a close hashes millions of events.
        await CatchUpToAsync(conn, settled, StepSequences, ct);
        await using var cmd = new NpgsqlCommand(AuditSql.TakeLogHead, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("settled", settled));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", streams.Distinct(StringComparer.Ordinal).ToArray()));
        long head = 0;
        string? digest = null;
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                head = r.GetInt64(0);
                if (r.IsDBNull(2)) digest = Convert.ToHexStringLower(r.GetFieldValue<byte[]>(1));
                else versions[r.GetString(2)] = r.IsDBNull(3) ? 0 : r.GetInt64(3);
            }
        }
        return new LogHead(head, digest ?? throw new InvalidOperationException("ledger_audit.take_log_head returned no head."), versions);
    }

    /// <summary>Sequence numbers per step of a catch-up: at ≈ 360 000 events/s, about a second and a half per statement.</summary>
    public const long StepSequences = 500_000;

    /// <summary>
    /// Brings the chain of heads up to the settled sequence in steps of at most <paramref name="sequencesPerStep"/> sequence
    /// numbers, one short statement each, so that no single statement hashes a long stretch of the log (the service runs it
    /// in the background at start: a database upgraded from format 3, or filled in bulk, has no heads yet, and the first
    /// close would otherwise hash every event at once). Returns the latest head's sequence afterwards. Runs on one connection,
    /// held until the catch-up ends.
    /// </summary>
    /// <exception cref="TimeoutException">a transaction that may hold a sequence number below the head kept running.</exception>
    public static async Task<long> CatchUpAsync(NpgsqlDataSource dataSource, long sequencesPerStep = StepSequences, TimeSpan? settleTimeout = null,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequencesPerStep, 1);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var settled = await SettledSequence.ReadAsync(conn, settleTimeout, ct);
        return await CatchUpToAsync(conn, settled, sequencesPerStep, ct, always: true);
    }

    /// <summary>
    /// Steps up to <paramref name="settled"/>. Unless <paramref name="always"/>, only when the latest head is more than one
    /// step behind it, and only up to the last full step: the caller takes the rest.
    /// </summary>
    private static async Task<long> CatchUpToAsync(NpgsqlConnection conn, long settled, long sequencesPerStep, CancellationToken ct,
        bool always = false)
    {
        long latest, head;
        await using (var cmd = new NpgsqlCommand(AuditSql.LatestLogHead, conn))
            latest = head = (long)(await cmd.ExecuteScalarAsync(ct))!;
        var until = always ? settled : settled - sequencesPerStep;
        while (latest < until)
        {
            var target = Math.Min(until, latest + sequencesPerStep);
            await using var step = new NpgsqlCommand(AuditSql.TakeLogHeadUpTo, conn);
            step.Parameters.Add(new NpgsqlParameter<long>("target", target));
            head = (long)(await step.ExecuteScalarAsync(ct))!;
            latest = Math.Max(target, head); // no event between the head and the target: the next step starts above both
        }
        return head;
    }
}
