using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.EventStore;

/// <summary>
/// Runs inside the append's transaction, after the events are written: read models that must be current when the
/// command's caller gets its answer (read-your-writes). A failure rolls the whole append back.
/// </summary>
public interface IInlineProjection
{
    string Name { get; }
    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct);
}

/// <summary>The event store on PostgreSQL. Every statement it runs is in <see cref="Sql"/>.</summary>
public sealed class PostgresEventStore : IEventStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyList<IInlineProjection> _inline;
    private readonly AppendCoalescer? _coalescer;

    public PostgresEventStore(NpgsqlDataSource dataSource, IEnumerable<IInlineProjection>? inlineProjections = null, EventStoreOptions? options = null)
    {
        _dataSource = dataSource;
        _inline = inlineProjections?.ToList() ?? [];
        options ??= EventStoreOptions.Default;
        options.Validate();
        if (options.CoalesceAppends && _inline.Count == 0)
            _coalescer = new AppendCoalescer(options, AppendAloneAsync, AppendTogetherAsync);
    }

    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Whether concurrent appends share round trips and commits (<see cref="EventStoreOptions.CoalesceAppends"/>).</summary>
    public bool CoalescesAppends => _coalescer is { Grouping: true };

    /// <summary>Group commit so far: appends sent and the round trips they took (both 0 when group commit is off).</summary>
    public (long Appends, long RoundTrips) GroupCommitCounts => _coalescer?.Counts ?? (0, 0);

    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        if (request.Events.Count == 0)
            return Task.FromException<AppendResult>(new ArgumentException("An append needs at least one event.", nameof(request)));
        return _coalescer is null ? AppendAloneAsync(request, ct) : _coalescer.AppendAsync(request, ct);
    }

    /// <summary>One append, one round trip, one commit.</summary>
    private async Task<AppendResult> AppendAloneAsync(AppendRequest request, CancellationToken ct)
    {
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        // Without inline projections the append is one statement in its own implicit transaction: one round trip.
        await using var tx = _inline.Count > 0 ? await conn.BeginTransactionAsync(ct) : null;
        AppendResult result;
        try
        {
            await using var cmd = new NpgsqlCommand(Sql.Append, conn, tx);
            AddAppendParameters(cmd.Parameters, request);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            var outcome = ReadAppendRow(r, request);
            result = outcome.Result ?? throw new WrongExpectedVersionException(request.Stream, request.Expected, outcome.ConflictVersion);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == Sql.StreamVersionConstraint)
        {
            // Backstop only: the append function locks the stream row, so this is not expected to happen.
            var actual = await StreamVersionAsync(request.Stream, ct);
            throw new WrongExpectedVersionException(request.Stream, request.Expected, actual);
        }

        if (tx is not null)
        {
            var recorded = ToRecorded(request, result);
            foreach (var projection in _inline) await projection.ApplyAsync(conn, tx, recorded, ct);
            await tx.CommitAsync(ct);
        }
        return result;
    }

    /// <summary>
    /// Several appends in one call of <c>eventstore.append_many</c>: one round trip, one transaction, one commit, in the
    /// order given. The outcomes are returned only after the whole response, commit included, has been read: a
    /// <see cref="PostgresException"/> with severity ERROR means nothing of the group was written.
    /// </summary>
    private async Task<IReadOnlyList<AppendOutcome>> AppendTogetherAsync(IReadOnlyList<AppendRequest> requests)
    {
        var events = requests.SelectMany(r => r.Events).ToList();
        await using var conn = await _dataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(Sql.AppendMany, conn);
        var p = cmd.Parameters;
        p.Add(new NpgsqlParameter<string[]>("streams", requests.Select(r => r.Stream.Value).ToArray()));
        p.Add(new NpgsqlParameter<string[]>("stream_types", requests.Select(r => r.StreamType).ToArray()));
        p.Add(TextArray("tenants", requests.Select(r => r.Tenant)));
        p.Add(new NpgsqlParameter("expected", NpgsqlDbType.Array | NpgsqlDbType.Bigint)
        {
            Value = requests.Select(r => r.Expected.Value is { } v ? (object)v : DBNull.Value).ToArray(),
        });
        p.Add(new NpgsqlParameter<int[]>("counts", requests.Select(r => r.Events.Count).ToArray()));
        p.Add(new NpgsqlParameter<Guid[]>("ids", events.Select(e => e.Id).ToArray()));
        p.Add(new NpgsqlParameter<string[]>("types", events.Select(e => e.Type).ToArray()));
        p.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = events.Select(e => e.Json).ToArray() });
        p.Add(JsonbArray("actors", requests.Select(r => r.Metadata.ActorJson)));
        p.Add(TextArray("reasons", requests.Select(r => r.Metadata.Reason)));
        p.Add(TextArray("correlations", requests.Select(r => r.Metadata.CorrelationId)));
        p.Add(TextArray("causations", requests.Select(r => r.Metadata.CausationId)));
        p.Add(TextArray("idems", requests.Select(r => r.Metadata.IdempotencyKey)));
        p.Add(JsonbArray("headers", requests.Select(r => r.Metadata.Headers is null ? null : JsonSerializer.Serialize(r.Metadata.Headers))));

        var outcomes = new List<AppendOutcome>(requests.Count);
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync()) outcomes.Add(ReadAppendRow(r, requests[outcomes.Count]));
        }
        if (outcomes.Count != requests.Count) throw new InvalidOperationException($"{requests.Count} appends sent, {outcomes.Count} answered.");
        return outcomes;
    }

    private static void AddAppendParameters(NpgsqlParameterCollection p, AppendRequest request)
    {
        var m = request.Metadata;
        p.Add(new NpgsqlParameter<string>("stream", request.Stream.Value));
        p.Add(new NpgsqlParameter<string>("stream_type", request.StreamType));
        p.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Text) { Value = (object?)request.Tenant ?? DBNull.Value });
        p.Add(new NpgsqlParameter("expected", NpgsqlDbType.Bigint) { Value = (object?)request.Expected.Value ?? DBNull.Value });
        p.Add(new NpgsqlParameter<Guid[]>("ids", request.Events.Select(e => e.Id).ToArray()));
        p.Add(new NpgsqlParameter<string[]>("types", request.Events.Select(e => e.Type).ToArray()));
        p.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = request.Events.Select(e => e.Json).ToArray() });
        p.Add(Jsonb("actor", m.ActorJson));
        p.Add(Text("reason", m.Reason));
        p.Add(Text("correlation", m.CorrelationId));
        p.Add(Text("causation", m.CausationId));
        p.Add(Text("idem", m.IdempotencyKey));
        p.Add(Jsonb("headers", m.Headers is null ? null : JsonSerializer.Serialize(m.Headers)));
    }

    private static AppendOutcome ReadAppendRow(NpgsqlDataReader r, AppendRequest request)
    {
        var version = r.GetInt64(1);
        if (r.GetBoolean(0)) return new AppendOutcome(null, version);
        return new AppendOutcome(new AppendResult(request.Stream, version, r.GetFieldValue<long[]>(2), r.GetFieldValue<DateTimeOffset>(4))
        {
            Hashes = r.GetFieldValue<byte[][]>(3),
        }, 0);
    }

    private static IReadOnlyList<RecordedEvent> ToRecorded(AppendRequest request, AppendResult result)
    {
        var m = request.Metadata;
        var first = result.Version - request.Events.Count + 1;
        var headers = m.Headers is null ? null : JsonSerializer.Serialize(m.Headers);
        return request.Events.Select((e, i) => new RecordedEvent(
            result.Sequences[i], e.Id, request.Stream, first + i, e.Type, e.Json, result.RecordedAt, request.Tenant,
            m.ActorJson, m.Reason, m.CorrelationId, m.CausationId, m.IdempotencyKey, headers, result.Hashes[i])).ToList();
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(StreamName stream, StreamReadOptions? options = null, CancellationToken ct = default)
    {
        options ??= StreamReadOptions.Whole;
        await using var cmd = _dataSource.CreateCommand(Sql.ReadStream);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream.Value));
        cmd.Parameters.Add(new NpgsqlParameter("up_to", NpgsqlDbType.Bigint) { Value = (object?)options.UpToVersion ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlDbType.TimestampTz) { Value = (object?)options.AsOf?.ToUniversalTime() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Bigint) { Value = (object?)options.FromVersion ?? DBNull.Value });
        return await ReadEvents(cmd, ct);
    }

    public async Task<long> StreamVersionAsync(StreamName stream, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.StreamVersion);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream.Value));
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : 0;
    }

    public AllStreamReader CreateAllStreamReader() => new(_dataSource);

    /// <summary>Every event of one type across all streams, in sequence order (reads the whole table).</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadAllOfTypeAsync(string type, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.ReadByType);
        cmd.Parameters.Add(new NpgsqlParameter<string>("type", type));
        return await ReadEvents(cmd, ct);
    }

    /// <summary>The log's head and digest from the streams rows, at a settled sequence (see <see cref="LogHeads"/>).</summary>
    public Task<LogHead> ReadLogHeadAsync(CancellationToken ct = default) => LogHeads.ReadAsync(_dataSource, null, ct);

    internal static async Task<IReadOnlyList<RecordedEvent>> ReadEvents(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<RecordedEvent>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new RecordedEvent(
                r.GetInt64(0), r.GetGuid(1), new StreamName(r.GetString(2)), r.GetInt64(3), r.GetString(4), r.GetString(5),
                r.GetFieldValue<DateTimeOffset>(6), NullableString(r, 7), NullableString(r, 8), NullableString(r, 9),
                NullableString(r, 10), NullableString(r, 11), NullableString(r, 12), NullableString(r, 13), r.GetFieldValue<byte[]>(14)));
        }
        return list;
    }

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };
    private static NpgsqlParameter Jsonb(string name, string? value) => new(name, NpgsqlDbType.Jsonb) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter TextArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };

    private static NpgsqlParameter JsonbArray(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };
}
