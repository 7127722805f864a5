using JasperFx.Events;
using Ledger.Domain;
using Marten;

namespace Ledger.Storage;

/// <summary>How far to read one stream: all of it, up to a version, from a version, or as it stood at an instant (recorded time).</summary>
public sealed record StreamBound
{
    public DateTimeOffset? AsOf { get; init; }
    public long? UpToVersion { get; init; }
    public long? FromVersion { get; init; }

    public static StreamBound Whole { get; } = new();
    public static StreamBound At(DateTimeOffset? asOf) => asOf is null ? Whole : new() { AsOf = asOf };
}

/// <summary>
/// Which events of a read to fetch (a filter the store applies in its query, so the others are never sent or decoded):
/// every event of <see cref="Types"/>, and of <see cref="TypesWhereField"/> only those whose payload has
/// <see cref="Field"/> (a top-level property, as stored) equal to <see cref="Value"/>. Type names as stored
/// (<see cref="DomainEventTypes"/>).
/// </summary>
public sealed record EventFilter(IReadOnlyCollection<string> Types, IReadOnlyCollection<string> TypesWhereField, string Field, string Value);

/// <summary>
/// The one stream loader of Ledger: every read of a stream (commands' contexts, the HTTP reads, the audit reads, the
/// snapshot recompute) goes through here, and through Marten, except the bounded read of several streams, which is one
/// statement of its own whose rows decode as Marten's do (<see cref="EventRow"/>). Recorded time never goes backwards within a stream (the
/// seal refuses it), so an as-of read of a stream is always a prefix of it.
/// </summary>
/// <remarks>
/// With a <see cref="StreamEventCache"/>, the bounded reads (<see cref="ReadAsync"/> and the bounded
/// <see cref="ReadManyAsync(IReadOnlyList{ValueTuple{string, StreamBound}}, CancellationToken)"/>) keep the runs of events
/// they read and ask the log only for what lies beyond them; the answers are the same events.
/// </remarks>
public sealed class StreamLoader(IDocumentStore store, Npgsql.NpgsqlDataSource dataSource, StreamEventCache? events = null)
{
    private readonly Npgsql.NpgsqlTransaction? _pinned;

    private StreamLoader(IDocumentStore store, Npgsql.NpgsqlDataSource dataSource, Npgsql.NpgsqlTransaction pinned) : this(store, dataSource) =>
        _pinned = pinned;

    /// <summary>The runs of events this loader keeps between reads; none on a pinned transaction (a standby's snapshot may be behind them).</summary>
    private StreamEventCache? Cache => _pinned is null && events is { Enabled: true } ? events : null;

    /// <summary>Whether this loader keeps the events it reads (<see cref="StreamEventCache"/>), so that reading a stream whole again costs only its new events.</summary>
    public bool KeepsEvents => Cache is not null;

    /// <summary>
    /// The same loader reading every event from the table, for the verifier: what it compares with must be the log as it
    /// is stored now, never events this process kept from an earlier read.
    /// </summary>
    public StreamLoader FromTheTable() => Cache is null ? this : new(store, dataSource);

    /// <summary>
    /// The same loader on one open transaction (a standby's REPEATABLE READ snapshot, docs/replication.md): every read
    /// below, Marten's included, runs in it, so one HTTP read sees one consistent state of the log. Not thread-safe (one
    /// connection): for one request's sequential loads. The caller owns the transaction and its connection.
    /// </summary>
    public StreamLoader On(Npgsql.NpgsqlTransaction transaction) => new(store, dataSource, transaction);

    /// <summary>Whether this loader reads in a pinned transaction (<see cref="On"/>).</summary>
    public bool Pinned => _pinned is not null;

    private IQuerySession Session() =>
        _pinned is null ? store.QuerySession() : store.QuerySession(Marten.Services.SessionOptions.ForTransaction(_pinned));

    private Npgsql.NpgsqlCommand Command(string sql) =>
        _pinned is null ? dataSource.CreateCommand(sql) : new Npgsql.NpgsqlCommand(sql, _pinned.Connection, _pinned);

    /// <summary>
    /// The log's head and digest at a settled sequence (<see cref="Ledger.Audit.LogHeads"/>), as the service role, with the
    /// version at the head of each of <paramref name="streams"/>.
    /// </summary>
    public Task<Ledger.Audit.LogHead> ReadLogHeadAsync(IReadOnlyCollection<string> streams, CancellationToken ct = default) =>
        Ledger.Audit.LogHeads.ReadAsync(dataSource, streams, null, ct);

    /// <summary>The stream's events in version order; empty when it does not exist (or did not yet, as of the instant).</summary>
    public async Task<IReadOnlyList<IEvent>> ReadAsync(string stream, StreamBound? bound = null, CancellationToken ct = default)
    {
        bound ??= StreamBound.Whole;
        IReadOnlyList<IEvent> known = [];
        if (Cache is { } cache && cache.TrySplit(stream, bound, out known, out var rest))
        {
            if (rest is null) return known;
            bound = rest;
        }
        await using var session = Session();
        var read = await session.Events.FetchStreamAsync(stream, bound.UpToVersion ?? 0, bound.AsOf?.ToUniversalTime(), bound.FromVersion ?? 0, ct);
        Cache?.Put(stream, read);
        return known.Count == 0 ? read : read.Count == 0 ? known : [.. known, .. read];
    }

    /// <summary>
    /// The events of each of <paramref name="streams"/> as of the instant (null: now), each stream's in version order, in
    /// one query: the same events as one <see cref="ReadAsync"/> per stream (an as-of read of a stream is a prefix of it).
    /// A stream with no events by then has no entry.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<IEvent>>> ReadManyAsync(IReadOnlyCollection<string> streams,
        DateTimeOffset? asOf, CancellationToken ct = default) => await ReadManyAsync(streams, asOf, null, ct);

    /// <summary>
    /// <see cref="ReadManyAsync(IReadOnlyCollection{string}, DateTimeOffset?, CancellationToken)"/>, keeping only the events
    /// <paramref name="filter"/> selects (null: all): each stream's are then the ones of its full read that match, in
    /// version order. A stream with no matching event by then has no entry.
    /// </summary>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<IEvent>>> ReadManyAsync(IReadOnlyCollection<string> streams,
        DateTimeOffset? asOf, EventFilter? filter, CancellationToken ct = default) =>
        filter is null ? ReadManyAsync(streams, [], asOf, null, ct) : ReadManyAsync([], streams, asOf, filter, ct);

    /// <summary>
    /// In one query: every event of <paramref name="streams"/> and of <paramref name="filtered"/> those
    /// <paramref name="filter"/> selects, as of the instant, each stream's in version order (what the two reads above
    /// give, one for each list). A stream with no event by then has no entry.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<IEvent>>> ReadManyAsync(IReadOnlyCollection<string> streams,
        IReadOnlyCollection<string> filtered, DateTimeOffset? asOf, EventFilter? filter, CancellationToken ct = default)
    {
        var found = new Dictionary<string, IReadOnlyList<IEvent>>(StringComparer.Ordinal);
        if (filter is null && filtered.Count > 0) throw new ArgumentException("Filtered streams need a filter.", nameof(filter));
        if (streams.Count + filtered.Count == 0) return found;
        await using var session = Session();
        var ids = streams.Distinct(StringComparer.Ordinal).ToArray();
        var some = filtered.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Intersect(some, StringComparer.Ordinal).Any()) throw new ArgumentException("A stream is read whole or filtered, not both.", nameof(filtered));
        IQueryable<IEvent> query = session.Events.QueryAllRawEvents();
        if (some.Length == 0) query = query.Where(e => e.StreamKey!.IsOneOf(ids));
        else
        {
            // Marten's raw event query reads ledger.mt_events as d; ->> gives the property's text (null when absent).
            var types = filter!.Types.ToArray();
            var typesWhere = filter.TypesWhereField.ToArray();
            var (field, value) = (filter.Field, filter.Value);
            // Streams read whole, if any (an empty list matches nothing), or the filtered streams' selected events.
            query = query.Where(e => e.StreamKey!.IsOneOf(ids)
                    || (e.StreamKey!.IsOneOf(some)
                        && (e.EventTypeName.IsOneOf(types)
                            || (e.EventTypeName.IsOneOf(typesWhere) && Marten.Linq.MatchesSql.MatchesSqlExtensions.MatchesSql(e, "d.data ->> ? = ?", field, value)))));
        }
        if (asOf is { } instant)
        {
            var at = instant.ToUniversalTime();
            query = query.Where(e => e.Timestamp <= at);
        }
        // No ORDER BY: each stream is put in version order here, which leaves PostgreSQL free to fetch the rows by the
        // (stream_id, version) index rather than walk the sequence order of a large log.
        var events = await Marten.QueryableExtensions.ToListAsync(query, ct);
        foreach (var stream in events.GroupBy(e => e.StreamKey!, StringComparer.Ordinal))
            found[stream.Key] = stream.OrderBy(e => e.Version).ToList();
        return found;
    }

    /// <summary>
    /// Several streams, each read within its own bound, in one query: the result at index i is exactly what
    /// <c>ReadAsync(reads[i].Stream, reads[i].Bound)</c> gives (the same conditions on version and recorded time, each
    /// stream's events in version order). The query is one disjunction of each stream's conditions, so PostgreSQL can
    /// serve every part from the (stream_id, version) index. Each stream at most once.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<IEvent>>> ReadManyAsync(IReadOnlyList<(string Stream, StreamBound Bound)> reads,
        CancellationToken ct = default)
    {
        if (reads.Count == 0) return [];
        if (reads.Select(r => r.Stream).Distinct(StringComparer.Ordinal).Count() != reads.Count)
            throw new ArgumentException("Each stream at most once.", nameof(reads));
        // What the cache knows of each bound, and what is left to ask the log for.
        var known = new IReadOnlyList<IEvent>[reads.Count];
        var ask = new List<(string Stream, StreamBound Bound)>(reads.Count);
        for (var i = 0; i < reads.Count; i++)
        {
            known[i] = [];
            var (stream, bound) = reads[i];
            if (Cache is { } cache && cache.TrySplit(stream, bound, out known[i], out var rest))
            {
                if (rest is not null) ask.Add((stream, rest));
            }
            else ask.Add((stream, bound));
        }
        var asked = ask.Count == 0 ? new Dictionary<string, IReadOnlyList<IEvent>>(StringComparer.Ordinal) : await QueryManyAsync(ask, ct);
        var found = new IReadOnlyList<IEvent>[reads.Count];
        for (var i = 0; i < reads.Count; i++)
        {
            var read = asked.GetValueOrDefault(reads[i].Stream) ?? [];
            Cache?.Put(reads[i].Stream, read);
            found[i] = known[i].Count == 0 ? read : read.Count == 0 ? known[i] : [.. known[i], .. read];
        }
        return found;
    }

    /// <summary>
    /// The log's events of each bound (each stream at most once), by stream, each in version order: one statement, the
    /// conditions of <c>FetchStreamAsync</c> (version from and up to, recorded time up to, not archived) for each stream
    /// read through the <c>(stream_id, version)</c> index. Hand-written rather than Marten's LINQ, whose query (a
    /// disjunction with a parameter per condition) PostgreSQL planned on every call and Marten built from an expression
    /// tree (docs/performance.md "A stream's events kept between reads"); its shape is fixed, so outside a pinned
    /// transaction it runs prepared, as <see cref="VersionsAsync"/> does. Rows decode as Marten's own event reads do
    /// (<see cref="EventRow"/>); tested field by field against Marten's (StreamLoaderTests).
    /// </summary>
    private async Task<Dictionary<string, IReadOnlyList<IEvent>>> QueryManyAsync(IReadOnlyList<(string Stream, StreamBound Bound)> reads, CancellationToken ct)
    {
        var (streams, from, upTo, asOf) = (new string[reads.Count], new long[reads.Count], new long[reads.Count], new DateTime?[reads.Count]);
        for (var i = 0; i < reads.Count; i++)
        {
            var (stream, bound) = reads[i];
            streams[i] = stream;
            from[i] = bound.FromVersion is > 0 and var f ? f : 0;
            upTo[i] = bound.UpToVersion is > 0 and var u ? u : long.MaxValue;
            asOf[i] = bound.AsOf?.UtcDateTime;
        }
        var serializer = store.Options.Serializer();
        var found = new Dictionary<string, List<IEvent>>(StringComparer.Ordinal);
        await PreparedAsync(BoundedReadSql, p =>
        {
            p.Add(new Npgsql.NpgsqlParameter<string[]> { TypedValue = streams });
            p.Add(new Npgsql.NpgsqlParameter<long[]> { TypedValue = from });
            p.Add(new Npgsql.NpgsqlParameter<long[]> { TypedValue = upTo });
            p.Add(new Npgsql.NpgsqlParameter<DateTime?[]> { TypedValue = asOf, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz });
        }, r =>
        {
            var e = EventRow.Read(r, serializer);
            if (!found.TryGetValue(e.StreamKey!, out var list)) found[e.StreamKey!] = list = [];
            list.Add(e);
        }, ct);
        // Each stream's rows come in version order from its index scan; sorted again rather than relied upon.
        return found.ToDictionary(p => p.Key, p => (IReadOnlyList<IEvent>)p.Value.OrderBy(x => x.Version).ToList(), StringComparer.Ordinal);
    }

    // Each stream's events by one range of the (stream_id, version) index, whatever PostgreSQL knows of the arrays or the
    // table: `OFFSET 0` keeps the lateral subquery a subquery, run once per stream, so the planner cannot turn it into a
    // join of the whole table (the same statement without it, planned generically for the mixed load's arrays of about
    // 18 streams, took 4.4–6 ms per call against 0.3 ms; docs/performance.md "A stream's events kept between reads").
    // The arrays come through one-row subqueries, as VersionsSql's (below), so that a connection plans it once.
    private static readonly string BoundedReadSql =
        $"""
        SELECT {EventRow.Columns}
          FROM unnest((SELECT $1::text[]), (SELECT $2::bigint[]), (SELECT $3::bigint[]), (SELECT $4::timestamptz[]))
               AS b(stream_id, from_version, up_to_version, as_of)
         CROSS JOIN LATERAL (
               SELECT * FROM {LedgerMarten.Schema}.mt_events e
                WHERE e.stream_id = b.stream_id AND e.version >= b.from_version AND e.version <= b.up_to_version
                  AND (b.as_of IS NULL OR e.timestamp <= b.as_of) AND e.is_archived = false
               OFFSET 0) d
        """;

    /// <summary>The stream's domain events, in order.</summary>
    public async Task<IReadOnlyList<IDomainEvent>> ReadDomainAsync(string stream, StreamBound? bound = null, CancellationToken ct = default) =>
        (await ReadAsync(stream, bound, ct)).Select(Decode).ToList();

    /// <summary>
    /// The ids of the streams that exist now and start with one of <paramref name="prefixes"/>, sorted (ordinal): what
    /// agencies, plans and years there are, for the discovery reads. One query over the stream rows.
    /// </summary>
    public async Task<IReadOnlyList<string>> StreamsStartingWithAsync(IReadOnlyCollection<string> prefixes, CancellationToken ct = default)
    {
        if (prefixes.Count == 0) return [];
        await using var cmd = Command(
            $"SELECT id FROM {LedgerMarten.Schema}.mt_streams WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE starts_with(id, p))");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter<string[]> { TypedValue = prefixes.ToArray() });
        var found = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) found.Add(r.GetString(0));
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>
    /// Whether all of <paramref name="eventIds"/> are in the log and as durable as a commit made now: one transaction that
    /// counts them and writes WAL of its own (a transactional logical message, which takes a transaction id and writes
    /// nothing to any table), so that its COMMIT is a real commit and, with synchronous replication, waits until the
    /// synchronous standby has flushed it — and with it everything committed before, those events included
    /// (docs/replication.md, "A replayed answer"). (A transaction id alone is not enough: PostgreSQL waits for the standby
    /// only for a transaction that wrote WAL before its commit record.) For answers that are given without committing
    /// anything: a replayed Idempotency-Key. False when one of the events is not on this server (it was lost in a
    /// failover): the answer must not be given.
    /// </summary>
    public async Task<bool> DurableAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand(
            $"SELECT (SELECT count(*) FROM {LedgerMarten.Schema}.mt_events WHERE id = ANY($1)), pg_logical_emit_message(true, 'ledger', 'replayed answer')",
            connection, tx);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
        var found = (long)(await cmd.ExecuteScalarAsync(ct))!;
        await tx.CommitAsync(ct);
        return found == eventIds.Count;
    }

    /// <summary>The stream's current version, 0 when it does not exist (one indexed lookup).</summary>
    public async Task<long> VersionAsync(string stream, CancellationToken ct = default) =>
        (await VersionsAsync([stream], ct)).GetValueOrDefault(stream);

    /// <summary>
    /// The current version of each of <paramref name="streams"/> that exists (a missing one has no entry), in one query:
    /// the highest version among the stream's events, one backward step of the (stream_id, version) index per stream.
    /// Read from the events, not from Marten's stream row: the service role may update <c>mt_streams</c> (Marten needs
    /// to), but never an event, so a forged stream row cannot make a cached state look current (StreamStateCache).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> VersionsAsync(IReadOnlyCollection<string> streams, CancellationToken ct = default)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        if (streams.Count == 0) return found;
        // Every request asks this (its caller's authentication, a read's heads, a command's heads), so outside a pinned
        // transaction it runs prepared on its own pooled connection (docs/performance.md "The heads' statement prepared"):
        // PostgreSQL then parses and plans it once per connection instead of on every request. Only here: it is
        // read-only and never runs inside a transaction that could roll back, which keeps it clear of Npgsql's open issue
        // with auto-prepared statements after a rollback (npgsql#6391), the reason automatic preparation stays off.
        await PreparedAsync(VersionsSql, p => p.Add(new Npgsql.NpgsqlParameter<string[]> { TypedValue = streams.ToArray() }), r =>
        {
            if (!r.IsDBNull(1)) found[r.GetString(0)] = r.GetInt64(1);
        }, ct);
        return found;
    }

    /// <summary>
    /// <see cref="VersionsAsync"/>, and in the same query whether <paramref name="claimsTable"/> (Wolverine's deduplicated
    /// responses, schema-qualified) holds a row whose <c>deduplication_id</c> is <paramref name="claimId"/>: existence
    /// only, as Wolverine's own lookup asks it (it does not consult the expiry either). An Idempotency-Key command asks it
    /// with its caller's token (docs/commands.md step 2).
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, long> Versions, bool ClaimExists)> VersionsAndClaimAsync(
        IReadOnlyCollection<string> streams, string claimsTable, string claimId, CancellationToken ct = default)
    {
        if (streams.Count == 0) throw new ArgumentException("At least one stream: the claim's answer comes with the streams' rows.", nameof(streams));
        var sql = _claimSql is { } built && built.Table == claimsTable ? built.Sql : BuildClaimSql(claimsTable); // a reference: read whole
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        var exists = false;
        // The EXISTS is uncorrelated, so PostgreSQL runs it once (an InitPlan), not once per stream row.
        await PreparedAsync(sql, p =>
        {
            p.Add(new Npgsql.NpgsqlParameter<string[]> { TypedValue = streams.ToArray() });
            p.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = claimId });
        }, r =>
        {
            if (!r.IsDBNull(1)) found[r.GetString(0)] = r.GetInt64(1);
            exists = r.GetBoolean(2);
        }, ct);
        return (found, exists);
    }

    private sealed record ClaimSql(string Table, string Sql);

    private ClaimSql? _claimSql;

    /// <summary>The heads' statement with the claim's <c>EXISTS</c>, built once per table (the caller's is a constant).</summary>
    private string BuildClaimSql(string claimsTable)
    {
        if (claimsTable.Split('.') is not [{ Length: > 0 } schema, { Length: > 0 } table] || !(schema + table).All(c => c is '_' or (>= 'a' and <= 'z') or (>= '0' and <= '9')))
            throw new ArgumentException($"'{claimsTable}' is not a schema-qualified table name.", nameof(claimsTable));
        var sql = VersionsSqlWith($", EXISTS (SELECT 1 FROM {claimsTable} c WHERE c.deduplication_id = $2)");
        _claimSql = new ClaimSql(claimsTable, sql);
        return sql;
    }

    /// <summary>
    /// Runs one of the loader's fixed statements and hands each row to <paramref name="row"/>: prepared on a pooled
    /// connection of its own, or unprepared on the pinned transaction's connection (nothing is prepared inside it).
    /// </summary>
    private async Task PreparedAsync(string sql, Action<Npgsql.NpgsqlParameterCollection> bind, Action<Npgsql.NpgsqlDataReader> row, CancellationToken ct)
    {
        await using var own = _pinned is null ? await dataSource.OpenConnectionAsync(ct) : null;
        await using var cmd = new Npgsql.NpgsqlCommand(sql, own ?? _pinned!.Connection, _pinned);
        bind(cmd.Parameters);
        if (own is not null) await cmd.PrepareAsync(ct);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) row(r);
    }

    // The array comes through a one-row subquery, `unnest((SELECT $1::text[]))`, not `unnest($1::text[])`. PostgreSQL
    // plans a prepared statement for its parameters' values (a custom plan) until a generic plan looks no dearer; with
    // the array in view it estimates one row per element, so for arrays shorter than its default guess of 10 the generic
    // plan looked dearer and it planned again on most calls (24–75 % of them, a tenth of a millisecond each:
    // docs/performance.md "A stream's events kept between reads"). Behind the subquery both plans see the same estimate,
    // so after its first five calls a connection keeps the generic plan. For this statement that is the custom plan: per
    // stream, one backward step of the (stream_id, version) index, the stream being the subplan's own parameter either way.
    private static readonly string VersionsSql = VersionsSqlWith("");

    /// <summary>The heads' statement with <paramref name="column"/> (", …") added to each row.</summary>
    private static string VersionsSqlWith(string column) =>
        $"""
        SELECT s.id, (SELECT e.version FROM {LedgerMarten.Schema}.mt_events e WHERE e.stream_id = s.id ORDER BY e.version DESC LIMIT 1){column}
          FROM unnest((SELECT $1::text[])) AS s(id)
        """;

    /// <summary>
    /// An event's payload exactly as stored (jsonb's text form), for checks that must hash what is in the table rather
    /// than a re-serialisation of the decoded record (the frozen year-end snapshot).
    /// </summary>
    public async Task<string> StoredJsonAsync(long sequence, CancellationToken ct = default)
    {
        await using var session = Session();
        var rows = await session.AdvancedSql.QueryAsync<string>("SELECT data::text FROM ledger.mt_events WHERE seq_id = ?", ct, sequence);
        return rows.Count == 1 ? rows[0] : throw new InvalidOperationException($"No event at sequence {sequence}.");
    }

    /// <summary>Every event of one domain type across all streams, in sequence order (a scan: for whole-log audits).</summary>
    public async Task<IReadOnlyList<IEvent>> AllOfTypeAsync<TEvent>(CancellationToken ct = default) where TEvent : IDomainEvent
    {
        await using var session = Session();
        return await Marten.QueryableExtensions.ToListAsync(AllOfType(session, DomainEventTypes.NameOf(typeof(TEvent))), ct);
    }

    /// <summary>
    /// Every event of one type, in the log's order: the query of <see cref="AllOfTypeAsync{TEvent}"/>. For the published
    /// log heads' type PostgreSQL answers it from the partial index of audit/0005 (the type is a parameter, planned with
    /// its value); for any other type it scans the event table.
    /// </summary>
    public static IQueryable<IEvent> AllOfType(IQuerySession session, string typeName) =>
        session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == typeName).OrderBy(e => e.Sequence);

    public static IDomainEvent Decode(IEvent e) => e.Data as IDomainEvent
        ?? throw new InvalidOperationException($"Event {e.Id} ({e.EventTypeName}) of '{e.StreamKey}' v{e.Version} is not a domain event.");
}
