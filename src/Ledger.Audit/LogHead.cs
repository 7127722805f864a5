using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ledger.Audit;

/// <summary>
/// The head of the whole log at sequence <see cref="Sequence"/>: every event with a sequence number at or below it, and
/// no other. <see cref="Digest"/> (<see cref="LogDigest"/>) commits to each stream's version and chain hash at that point;
/// <see cref="StreamVersions"/> lists those versions (a stream not listed had no event at or below the head).
/// </summary>
public sealed record LogHead(long Sequence, string Digest, IReadOnlyDictionary<string, long> StreamVersions)
{
    public string Format => LogDigest.Format;

    /// <summary>The stream's version at the head, 0 when it had no event at or below it.</summary>
    public long VersionOf(string stream) => StreamVersions.GetValueOrDefault(stream);
}

/// <summary>
/// The log digest, format <c>ledger-log-digest/3</c>: lowercase hex SHA-256 over
/// <c>"ledger-log-digest/3" 0x00 · head (int64 BE) · n (int64 BE)</c> followed by, for each of the n streams with at least
/// one event at or below the head, sorted by the UTF-8 bytes of its id: <c>byte length of id (int32 BE) · id (UTF-8) ·
/// version (int64 BE) · chain hash (32 bytes)</c> of the stream's last event at or below the head. Each chain hash covers
/// every earlier event of its stream, so the digest covers every event at or below the head. Format 3 is format 2 over
/// the chain of Marten's rows (<c>ledger-event/2</c>); the layout is unchanged.
/// </summary>
public static class LogDigest
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

/// <summary>
/// The cheap head: the log's head and digest from the stream rows and one stored chain hash per stream, without reading
/// every event. Taken at a <see cref="SettledSequence"/>, so the verifier's recompute at the same head agrees on an intact
/// log even under concurrent appends. Runs as the service role (SELECT only).
/// </summary>
public static class LogHeads
{
    /// <exception cref="TimeoutException">a transaction that may hold a sequence number below the head kept running.</exception>
    public static async Task<LogHead> ReadAsync(NpgsqlDataSource dataSource, TimeSpan? settleTimeout = null, CancellationToken ct = default)
    {
        var settled = await SettledSequence.ReadAsync(dataSource, settleTimeout, ct);
        await using var cmd = dataSource.CreateCommand(AuditSql.LogHeadStreams);
        cmd.Parameters.Add(new NpgsqlParameter<long>("settled", settled));
        var head = 0L;
        var streams = new List<(string Stream, long Version, byte[] Hash)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                head = r.GetInt64(0);
                if (r.IsDBNull(1)) continue; // the head row
                var version = r.GetInt64(2);
                if (version <= 0) continue;
                // A stream whose hash at that version is missing is a broken log: the digest then simply cannot match the
                // verifier's, which reports the stream itself.
                var hash = r.IsDBNull(3) ? new byte[32] : r.GetFieldValue<byte[]>(3);
                streams.Add((r.GetString(1), version, hash));
            }
        }
        return new LogHead(head, LogDigest.Compute(head, streams), streams.ToDictionary(s => s.Stream, s => s.Version, StringComparer.Ordinal));
    }
}
