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
public sealed class PostgresEventStore(NpgsqlDataSource dataSource, IEnumerable<IInlineProjection>? inlineProjections = null) : IEventStore
{
    private readonly IReadOnlyList<IInlineProjection> _inline = inlineProjections?.ToList() ?? [];

    public NpgsqlDataSource DataSource => dataSource;

    public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        if (request.Events.Count == 0) throw new ArgumentException("An append needs at least one event.", nameof(request));

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // Without inline projections the append is one statement in its own implicit transaction: one round trip.
        await using var tx = _inline.Count > 0 ? await conn.BeginTransactionAsync(ct) : null;
        AppendResult result;
        try
        {
            result = await CallAppend(conn, tx, request, ct);
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

    private static async Task<AppendResult> CallAppend(NpgsqlConnection conn, NpgsqlTransaction? tx, AppendRequest request, CancellationToken ct)
    {
        var m = request.Metadata;
        await using var cmd = new NpgsqlCommand(Sql.Append, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", request.Stream.Value));
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream_type", request.StreamType));
        cmd.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Text) { Value = (object?)request.Tenant ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Bigint) { Value = (object?)request.Expected.Value ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", request.Events.Select(e => e.Id).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("types", request.Events.Select(e => e.Type).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = request.Events.Select(e => e.Json).ToArray() });
        cmd.Parameters.Add(Jsonb("actor", m.ActorJson));
        cmd.Parameters.Add(Text("reason", m.Reason));
        cmd.Parameters.Add(Text("correlation", m.CorrelationId));
        cmd.Parameters.Add(Text("causation", m.CausationId));
        cmd.Parameters.Add(Text("idem", m.IdempotencyKey));
        cmd.Parameters.Add(Jsonb("headers", m.Headers is null ? null : JsonSerializer.Serialize(m.Headers)));

        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var conflict = r.GetBoolean(0);
        var version = r.GetInt64(1);
        if (conflict) throw new WrongExpectedVersionException(request.Stream, request.Expected, version);
        return new AppendResult(request.Stream, version, r.GetFieldValue<long[]>(2), r.GetFieldValue<DateTimeOffset>(4))
        {
            Hashes = r.GetFieldValue<byte[][]>(3),
        };
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
        await using var cmd = dataSource.CreateCommand(Sql.ReadStream);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream.Value));
        cmd.Parameters.Add(new NpgsqlParameter("up_to", NpgsqlDbType.Bigint) { Value = (object?)options.UpToVersion ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("as_of", NpgsqlDbType.TimestampTz) { Value = (object?)options.AsOf?.ToUniversalTime() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Bigint) { Value = (object?)options.FromVersion ?? DBNull.Value });
        return await ReadEvents(cmd, ct);
    }

    public async Task<long> StreamVersionAsync(StreamName stream, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(Sql.StreamVersion);
        cmd.Parameters.Add(new NpgsqlParameter<string>("stream", stream.Value));
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : 0;
    }

    public AllStreamReader CreateAllStreamReader() => new(dataSource);

    /// <summary>Every event of one type across all streams, in sequence order (reads the whole table).</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadAllOfTypeAsync(string type, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(Sql.ReadByType);
        cmd.Parameters.Add(new NpgsqlParameter<string>("type", type));
        return await ReadEvents(cmd, ct);
    }

    /// <summary>The log's head and digest from the streams rows, at a settled sequence (see <see cref="LogHeads"/>).</summary>
    public Task<LogHead> ReadLogHeadAsync(CancellationToken ct = default) => LogHeads.ReadAsync(dataSource, null, ct);

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
}
