using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ledger.EventStore;

/// <summary>
/// The head of the whole log at sequence <see cref="Sequence"/>: every event with a sequence number at or below it, and
/// no other. <see cref="Digest"/> (<see cref="LogDigest"/>) commits to each stream's version and head hash at that point;
/// <see cref="StreamVersions"/> lists those versions (a stream not listed had no event at or below the head).
/// </summary>
public sealed record LogHead(long Sequence, string Digest, IReadOnlyDictionary<string, long> StreamVersions)
{
    public string Format => LogDigest.Format;

    /// <summary>The stream's version at the head, 0 when it had no event at or below it.</summary>
    public long VersionOf(string stream) => StreamVersions.GetValueOrDefault(stream);
}

/// <summary>
/// The log digest, format <c>ledger-log-digest/2</c>: lowercase hex SHA-256 over
/// <c>"ledger-log-digest/2" 0x00 · head (int64 BE) · n (int64 BE)</c> followed by, for each of the n streams with at least
/// one event at or below the head, sorted by the UTF-8 bytes of its id: <c>byte length of id (int32 BE) · id (UTF-8) ·
/// version (int64 BE) · head hash (32 bytes)</c>, where version and head hash are those of the stream's last event at or
/// below the head. Each head hash chains every earlier event of its stream, so the digest covers every event at or below
/// the head, yet it is computable from the <c>streams</c> rows alone (<see cref="LogHeads"/>), and the verifier computes
/// it from hashes it recomputes from the events' content (<see cref="ChainVerifier"/>).
/// </summary>
public static class LogDigest
{
    public const string Format = "ledger-log-digest/2";

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
            if (hash.Length != 32) throw new ArgumentException("A head hash is 32 bytes.", nameof(streams));
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

/// <summary>
/// The cheap head query: the log's head and digest from the <c>streams</c> rows, without reading every event (a scan of the
/// streams table plus the few events appended after the head).
/// <para>
/// Consistent under concurrent appends. Sequence numbers are handed out before commit, so "the events up to the highest
/// visible sequence number" can miss a slower transaction holding a lower number that commits a moment later; a digest
/// taken then would not match the one the verifier recomputes for that head. So the head is taken only at a settled
/// sequence number, as <see cref="AllStreamReader"/> does: read L, the last value handed out, take a fresh xid N, and wait
/// until no transaction older than N runs. Then every number ≤ L has committed or never will, and one statement reads, in
/// one snapshot, the stream rows and the first event after the head of each stream that moved since (the head is the
/// highest existing sequence ≤ L): a stream that moved is taken at the event before (its version − 1, its prev_hash).
/// </para>
/// </summary>
public static class LogHeads
{
    /// <summary>How long to wait for the transactions holding sequence numbers up to the head to end.</summary>
    public static TimeSpan DefaultSettleTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <exception cref="TimeoutException">a transaction that may hold a sequence number below the head kept running.</exception>
    public static async Task<LogHead> ReadAsync(NpgsqlDataSource dataSource, TimeSpan? settleTimeout = null, CancellationToken ct = default)
    {
        var settled = await SettledSequenceAsync(dataSource, settleTimeout ?? DefaultSettleTimeout, ct);
        await using var cmd = dataSource.CreateCommand(Sql.LogHeadStreams);
        cmd.Parameters.Add(new NpgsqlParameter<long>("settled", settled));
        var head = 0L;
        var streams = new List<(string Stream, long Version, byte[] Hash)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                head = r.GetInt64(0);
                if (r.IsDBNull(1)) continue; // the head row of an empty log
                var version = r.GetInt64(2);
                if (version > 0) streams.Add((r.GetString(1), version, r.GetFieldValue<byte[]>(3)));
            }
        }
        return new LogHead(head, LogDigest.Compute(head, streams), streams.ToDictionary(s => s.Stream, s => s.Version, StringComparer.Ordinal));
    }

    private static async Task<long> SettledSequenceAsync(NpgsqlDataSource dataSource, TimeSpan timeout, CancellationToken ct)
    {
        var (last, _) = await ProbeAsync(dataSource, ct);
        ulong bound;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await using var cmd = new NpgsqlCommand(Sql.NewXidBound, conn, tx);
            bound = ulong.Parse((string)(await cmd.ExecuteScalarAsync(ct))!);
            await tx.RollbackAsync(ct);
        }
        var until = DateTime.UtcNow + timeout;
        var delay = 1;
        while (true)
        {
            var (_, xmin) = await ProbeAsync(dataSource, ct);
            if (xmin >= bound) return last;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"The log head at sequence {last} did not settle within {timeout.TotalSeconds:0.#} s: a transaction older than it is still running.");
            await Task.Delay(delay, ct);
            delay = Math.Min(delay * 2, 50);
        }
    }

    private static async Task<(long Last, ulong XMin)> ProbeAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(Sql.HighWaterMarkProbe);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), ulong.Parse(r.GetString(1)));
    }
}
