using Ledger.Storage;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// Copies the template agency's streams (<see cref="NationalTemplate"/>) to other agencies in SQL, as the service role,
/// in the same tables and through the same audit layer as every append (issue 13 item 2): each copied event is the
/// template's event with the template's agency code replaced by the new agency's in its stream id, its payload and its
/// headers (so it is a real, decodable domain event of its own agency, with its own stream, versions and agency header),
/// a new time-ordered event id (<c>Guid.CreateVersion7()</c>, which JasperFx names as the replacement of its comb guids:
/// the ids Marten gave the template's events rise with the sequence too, so the unique index on event ids grows at its
/// right edge as in service, not at random places), a new sequence number and the
/// database clock of its transaction as recorded time (<c>now()</c>, as Marten's Quick append writes). Nothing bypasses
/// the seal: every copied stream row is inserted or moved, so the deferred <c>ledger_seal</c> trigger checks the copied
/// events at commit (versions continue the chain without a hole, recorded at <c>now()</c>, never backwards) and hashes
/// them exactly as for a normal append. The verifier can then check every copied event.
/// <para>
/// A batch of agencies is copied in <see cref="Phases"/> transactions, one after another, so that a copied stream has
/// several recorded instants as the template's had (as-of reads between them are meaningful): the agency and Renstra
/// streams first, then each year stream in four slices of its versions, then the evaluations. Within a transaction the
/// stream rows are written first (that takes the transaction's xid before any sequence number, which
/// <c>SettledSequence</c> relies on), then the events, whose sequence numbers are drawn from Marten's sequence and
/// assigned, and the rows inserted, in (agency, stream, version) order or, scattered, in (template sequence, agency)
/// order: either way every stream's versions rise with its sequence numbers.
/// </para>
/// </summary>
/// <para>
/// Then the template's stream snapshots (twenty-first session): the service writes a year stream's snapshot once a
/// command's append crosses a multiple of its interval (<c>ReadLoaderOptions.DefaultSnapshotEvery</c> versions), and a
/// Renstra stream's at its own (<c>DefaultRenstraSnapshotEvery</c>, since the twenty-third session), so every agency of a
/// real ledger has them.
/// Each row of the template's streams is copied for each copy with the agency code replaced in its state, at the same
/// version, with the copied event's recorded time and chain hash, under the service's key (<see cref="StreamSnapshots.SaveAsync"/>).
/// </para>
/// <remarks>
/// <paramref name="scattered"/> (twentieth session, <c>--layout scattered</c>): the batch's events are inserted in the
/// template's order of sequence numbers, each template event once per agency of the batch in turn, instead of agency by
/// agency. A real ledger's agencies write side by side for years, so one agency's events lie on as many heap pages as it
/// has events; the grouped copy puts them on a few dozen. Each stream's versions still rise with its sequence numbers.
/// </remarks>
internal sealed class NationalCloner(NpgsqlDataSource service, string templateCode, string folder, bool scattered, StreamSnapshots snapshots)
{
    /// <summary>The template's stream snapshots (stream, state type, version, state), read once.</summary>
    private List<(string Stream, string StateType, long Version, string State)>? _snapshots;

    /// <summary>Snapshot rows written for copies so far.</summary>
    public long SnapshotsCopied => Interlocked.Read(ref _snapshotsCopied);
    private long _snapshotsCopied;

    /// <summary>The template's snapshot rows (what each copy gets).</summary>
    public int SnapshotsPerCopy => _snapshots?.Count ?? 0;

    /// <summary>The copy's INSERT of events, in the layout asked for.</summary>
    private readonly string _events = Events(scattered);

    /// <summary>The cluster's folder (for the free-disk check while copying).</summary>
    public string Folder => folder;

    public const int Phases = 6;

    /// <summary>The template's events in each phase (the same on every connection).</summary>
    private readonly long[] _perPhase = new long[Phases];

    /// <summary>The template's events and stream slices, kept in temporary tables of one connection (text payloads, replaced per copy).</summary>
    private static string Prepare => """
        DROP TABLE IF EXISTS pg_temp.tpl, pg_temp.tpl_streams;
        CREATE TEMP TABLE tpl AS
        SELECT e.seq_id AS tseq, e.stream_id, e.version, e.data::text AS data, e.type, e.tenant_id, e.mt_dotnet_type, e.correlation_id,
               e.causation_id, e.headers::text AS headers,
               CASE WHEN e.stream_id LIKE 'year-%' THEN 1 + (e.version - 1) * 4 / s.version
                    WHEN e.stream_id LIKE 'evaluation-%' THEN 5 ELSE 0 END AS phase
          FROM ledger.mt_events e JOIN ledger.mt_streams s ON s.id = e.stream_id
         WHERE e.stream_id = ANY($1);
        CREATE TEMP TABLE tpl_streams AS
        SELECT t.stream_id AS id, s.type, s.tenant_id, t.phase, max(t.version) AS to_version, min(t.version) = 1 AS first
          FROM tpl t JOIN ledger.mt_streams s ON s.id = t.stream_id
         GROUP BY t.stream_id, s.type, s.tenant_id, t.phase;
        ANALYZE pg_temp.tpl;
        ANALYZE pg_temp.tpl_streams;
        """;

    private const string NewStreams = """
        INSERT INTO ledger.mt_streams (id, type, version, timestamp, tenant_id)
        SELECT replace(s.id, $1, c.code), s.type, s.to_version, now(), s.tenant_id
          FROM pg_temp.tpl_streams s CROSS JOIN unnest($2::text[]) AS c(code)
         WHERE s.phase = $3 AND s.first
        """;

    private const string MovedStreams = """
        UPDATE ledger.mt_streams m SET version = x.to_version, timestamp = now()
          FROM (SELECT replace(s.id, $1, c.code) AS id, s.to_version
                  FROM pg_temp.tpl_streams s CROSS JOIN unnest($2::text[]) AS c(code)
                 WHERE s.phase = $3 AND NOT s.first) x
         WHERE m.id = x.id
        """;

    private static string Events(bool scattered) => $"""
        WITH copied AS MATERIALIZED (
            SELECT row_number() OVER (ORDER BY {(scattered ? "t.tseq, c.n" : "c.n, t.stream_id, t.version")}) AS rn, c.code, t.*
              FROM pg_temp.tpl t CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS c(code, n)
             WHERE t.phase = $3
        ), ids AS MATERIALIZED (
            SELECT u.ord AS rn, u.id FROM unnest($4::uuid[]) WITH ORDINALITY AS u(id, ord)
        ), seqs AS MATERIALIZED (
            SELECT row_number() OVER (ORDER BY q.seq) AS rn, q.seq
              FROM (SELECT nextval('ledger.mt_events_sequence') AS seq FROM generate_series(1, (SELECT count(*) FROM copied))) q
        )
        INSERT INTO ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived,
                                      correlation_id, causation_id, headers)
        SELECT s.seq, i.id, replace(c.stream_id, $1, c.code), c.version, replace(c.data, $1, c.code)::jsonb, c.type, now(),
               c.tenant_id, c.mt_dotnet_type, false, c.code || ':' || c.correlation_id, c.causation_id, replace(c.headers, $1, c.code)::jsonb
          FROM copied c JOIN seqs s ON s.rn = c.rn JOIN ids i ON i.rn = c.rn
         ORDER BY c.rn
        """;

    /// <summary>The template's events, per copy (what <see cref="CloneAsync"/> adds per agency).</summary>
    public long EventsPerCopy { get; private set; }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = await service.OpenConnectionAsync(ct);
        foreach (var statement in Prepare.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var cmd = new NpgsqlCommand(statement, conn);
            if (statement.Contains("$1", StringComparison.Ordinal))
                cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = NationalTemplate.Streams(templateCode).ToArray() });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_temp.tpl", conn);
        var events = (long)(await count.ExecuteScalarAsync(ct))!;
        if (events == 0) throw new InvalidOperationException($"The template agency '{templateCode}' has no events.");
        // Every copy must be the same template: the measurements never write to it.
        if (EventsPerCopy != 0 && events != EventsPerCopy)
            throw new InvalidOperationException($"The template agency '{templateCode}' changed: {events} events, {EventsPerCopy} before.");
        EventsPerCopy = events;
        await using var phases = new NpgsqlCommand("SELECT phase::int, count(*) FROM pg_temp.tpl GROUP BY phase", conn);
        await using (var r = await phases.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) _perPhase[r.GetInt32(0)] = r.GetInt64(1);
        if (_snapshots is null)
        {
            var rows = new List<(string, string, long, string)>();
            await using var cmd = new NpgsqlCommand(
                "SELECT stream_id, state_type, version, state FROM ledger_cache.stream_snapshots WHERE stream_id = ANY($1) ORDER BY stream_id, version", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = NationalTemplate.Streams(templateCode).ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) rows.Add((r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3)));
            _snapshots = rows;
        }
        return conn;
    }

    /// <summary>Copies the template to <paramref name="codes"/> on <paramref name="conn"/> (opened by <see cref="OpenAsync"/>), one transaction per phase.</summary>
    public async Task CloneAsync(NpgsqlConnection conn, IReadOnlyList<string> codes, CancellationToken ct)
    {
        var array = codes.ToArray();
        for (var phase = 0; phase < Phases; phase++)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            foreach (var sql in new[] { NewStreams, MovedStreams, _events })
            {
                await using var cmd = new NpgsqlCommand(sql, conn, tx);
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = templateCode });
                cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = array });
                cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = phase });
                if (ReferenceEquals(sql, _events))
                    cmd.Parameters.Add(new NpgsqlParameter<Guid[]>
                    {
                        TypedValue = Enumerable.Range(0, (int)(array.Length * _perPhase[phase])).Select(_ => Guid.CreateVersion7()).ToArray(),
                    });
                cmd.CommandTimeout = 0;
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct); // the seal checks and hashes every copied stream here
        }
        await CopySnapshotsAsync(conn, array, ct);
    }

    /// <summary>The template's snapshot rows for each copy: its events' recorded times and chain hashes, then one row each under the service's key.</summary>
    private async Task CopySnapshotsAsync(NpgsqlConnection conn, string[] codes, CancellationToken ct)
    {
        if (_snapshots is not { Count: > 0 } template) return;
        var copies = codes.SelectMany(code => template.Select(row => (Code: code, Stream: row.Stream.Replace(templateCode, code, StringComparison.Ordinal), Row: row))).ToList();
        var sealedEvents = new Dictionary<(string, long), (DateTimeOffset At, byte[] Hash)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT e.stream_id, e.version, e.timestamp, h.hash
              FROM unnest($1::text[], $2::bigint[]) AS q(stream_id, version)
              JOIN ledger.mt_events e ON e.stream_id = q.stream_id AND e.version = q.version
              JOIN ledger_audit.event_hashes h ON h.stream_id = q.stream_id AND h.version = q.version
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. copies.Select(c => c.Stream)] });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. copies.Select(c => c.Row.Version)] });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) sealedEvents[(r.GetString(0), r.GetInt64(1))] = (r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<byte[]>(3));
        }
        foreach (var (code, stream, row) in copies)
        {
            if (!sealedEvents.TryGetValue((stream, row.Version), out var e))
                throw new InvalidOperationException($"The copy {stream} has no sealed event at version {row.Version}, where the template has a snapshot.");
            await snapshots.SaveAsync(stream, row.Version, e.At, e.Hash, row.StateType, row.State.Replace(templateCode, code, StringComparison.Ordinal), ct);
            Interlocked.Increment(ref _snapshotsCopied);
        }
    }
}
