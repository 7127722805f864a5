using Ledger.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench;

/// <summary>One concurrent writer of a scenario. Keeps its own state (stream versions) across warm-up and rounds.</summary>
internal interface IWriter
{
    /// <summary>Performs one operation (one append / one INSERT statement / one transaction) and returns the events written.</summary>
    Task<int> ExecuteOnceAsync(CancellationToken ct);
}

/// <summary>
/// <see cref="PostgresEventStore.AppendAsync"/>: picks one of its streams at random and appends
/// <c>batchSize</c> events, expecting exactly the version it last saw (or any version, for a shared stream).
/// </summary>
internal sealed class StoreWriter(PostgresEventStore store, string[] streams, int batchSize, bool expectExact, int seed) : IWriter
{
    private readonly long[] _versions = new long[streams.Length];
    private readonly Payloads _payloads = new(seed);

    public async Task<int> ExecuteOnceAsync(CancellationToken ct)
    {
        var i = streams.Length == 1 ? 0 : _payloads.Random.Next(streams.Length);
        var events = new EventData[batchSize];
        for (var k = 0; k < batchSize; k++) events[k] = new EventData(Guid.CreateVersion7(), Payloads.EventType, _payloads.Next());
        var expected = expectExact ? ExpectedVersion.Exactly(_versions[i]) : ExpectedVersion.Any;
        var result = await store.AppendAsync(
            new AppendRequest(new StreamName(streams[i]), Payloads.StreamType, Payloads.Tenant, expected, events, Payloads.Metadata()), ct);
        _versions[i] = result.Version;
        return batchSize;
    }
}

/// <summary>
/// The raw ceiling: a single-row INSERT ... VALUES (batch size 1) or one INSERT ... SELECT FROM unnest(arrays)
/// of the whole batch into <c>bench.raw_events</c>, in its own implicit transaction, on a pooled connection
/// opened per operation exactly as the store does.
/// </summary>
internal sealed class RawWriter(NpgsqlDataSource dataSource, string[] streams, int batchSize, int seed) : IWriter
{
    private const string InsertOne =
        "INSERT INTO bench.raw_events (id, stream, version, type, data) VALUES ($1, $2, $3, $4, $5)";
    private const string InsertMany = """
        INSERT INTO bench.raw_events (id, stream, version, type, data)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[])
        """;

    private readonly long[] _versions = new long[streams.Length];
    private readonly Payloads _payloads = new(seed);

    public async Task<int> ExecuteOnceAsync(CancellationToken ct)
    {
        var i = streams.Length == 1 ? 0 : _payloads.Random.Next(streams.Length);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(batchSize == 1 ? InsertOne : InsertMany, conn);
        if (batchSize == 1)
        {
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _versions[i] + 1 });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.EventType });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = _payloads.Next() });
        }
        else
        {
            var ids = new Guid[batchSize];
            var names = new string[batchSize];
            var versions = new long[batchSize];
            var types = new string[batchSize];
            var data = new string[batchSize];
            for (var k = 0; k < batchSize; k++)
            {
                ids[k] = Guid.CreateVersion7();
                names[k] = streams[i];
                versions[k] = _versions[i] + k + 1;
                types[k] = Payloads.EventType;
                data[k] = _payloads.Next();
            }
            cmd.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = versions });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = data });
        }
        await cmd.ExecuteNonQueryAsync(ct);
        _versions[i] += batchSize;
        return batchSize;
    }
}

/// <summary>
/// Diagnostic: the raw INSERT plus the stream-row concurrency check, i.e. <c>SELECT ... FOR UPDATE</c> of a stream
/// row, the INSERT, and an <c>UPDATE</c> of that row, sent as one batch (one round trip, one implicit transaction).
/// Separates the cost of serialising on a stream row from the cost of hashing and PL/pgSQL.
/// </summary>
internal sealed class LockedRawWriter(NpgsqlDataSource dataSource, string[] streams, int batchSize, int seed) : IWriter
{
    private const string Lock = "SELECT version FROM bench.lock_streams WHERE id = $1 FOR UPDATE";
    private const string InsertOne =
        "INSERT INTO bench.lock_events (id, stream, version, type, data) VALUES ($1, $2, $3, $4, $5)";
    private const string InsertMany = """
        INSERT INTO bench.lock_events (id, stream, version, type, data)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[])
        """;
    private const string Bump = "UPDATE bench.lock_streams SET version = version + $2 WHERE id = $1";

    private readonly long[] _versions = new long[streams.Length];
    private readonly Payloads _payloads = new(seed);

    public async Task<int> ExecuteOnceAsync(CancellationToken ct)
    {
        var i = streams.Length == 1 ? 0 : _payloads.Random.Next(streams.Length);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn);

        var lockRow = new NpgsqlBatchCommand(Lock);
        lockRow.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
        batch.BatchCommands.Add(lockRow);

        var insert = new NpgsqlBatchCommand(batchSize == 1 ? InsertOne : InsertMany);
        if (batchSize == 1)
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _versions[i] + 1 });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.EventType });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = _payloads.Next() });
        }
        else
        {
            var ids = new Guid[batchSize];
            var names = new string[batchSize];
            var versions = new long[batchSize];
            var types = new string[batchSize];
            var data = new string[batchSize];
            for (var k = 0; k < batchSize; k++)
            {
                ids[k] = Guid.CreateVersion7();
                names[k] = streams[i];
                versions[k] = _versions[i] + k + 1;
                types[k] = Payloads.EventType;
                data[k] = _payloads.Next();
            }
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = versions });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = data });
        }
        batch.BatchCommands.Add(insert);

        var bump = new NpgsqlBatchCommand(Bump);
        bump.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
        bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batchSize });
        batch.BatchCommands.Add(bump);

        await batch.ExecuteNonQueryAsync(ct);
        _versions[i] += batchSize;
        return batchSize;
    }
}

/// <summary>
/// Diagnostic: what <c>eventstore.append</c> does, written as plain SQL without PL/pgSQL and without the server-side
/// canonical form and SHA-256: lock the stream row, insert into a copy of <c>eventstore.events</c> (same columns,
/// indexes, unique constraints, foreign key and a sequence for <c>seq</c>, metadata columns filled as the store does,
/// 32-byte hash columns filled with client-made bytes), update the stream row's version, head hash and time.
/// One batch, one round trip, one implicit transaction. The gap between this and the store is PL/pgSQL + hashing.
/// </summary>
internal sealed class StoreShapedSqlWriter(NpgsqlDataSource dataSource, string[] streams, int batchSize, int seed) : IWriter
{
    private const string Lock = "SELECT version, head_hash FROM bench.mirror_streams WHERE id = $1 FOR UPDATE";
    private const string Insert = """
        INSERT INTO bench.mirror_events (seq, id, stream_id, version, type, data, recorded_at, tenant, actor, reason,
                                         correlation_id, causation_id, idempotency_key, headers, prev_hash, hash)
        SELECT nextval('bench.mirror_seq'), u.id, $1, $2 + u.ord, u.type, u.data, clock_timestamp(), $3, $4::jsonb, NULL,
               $5, NULL, NULL, NULL, u.prev, u.hash
        FROM unnest($6::uuid[], $7::text[], $8::jsonb[], $9::bytea[], $10::bytea[]) WITH ORDINALITY AS u(id, type, data, prev, hash, ord)
        """;
    private const string Bump = "UPDATE bench.mirror_streams SET version = $2, head_hash = $3, updated = clock_timestamp() WHERE id = $1";

    private readonly long[] _versions = new long[streams.Length];
    private readonly byte[][] _heads = streams.Select(_ => new byte[32]).ToArray();
    private readonly Payloads _payloads = new(seed);

    public async Task<int> ExecuteOnceAsync(CancellationToken ct)
    {
        var i = streams.Length == 1 ? 0 : _payloads.Random.Next(streams.Length);
        var ids = new Guid[batchSize];
        var types = new string[batchSize];
        var data = new string[batchSize];
        var prevs = new byte[batchSize][];
        var hashes = new byte[batchSize][];
        var head = _heads[i];
        for (var k = 0; k < batchSize; k++)
        {
            ids[k] = Guid.CreateVersion7();
            types[k] = Payloads.EventType;
            data[k] = _payloads.Next();
            prevs[k] = head;
            head = new byte[32];
            _payloads.Random.NextBytes(head);
            hashes[k] = head;
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn);

        var lockRow = new NpgsqlBatchCommand(Lock);
        lockRow.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
        batch.BatchCommands.Add(lockRow);

        var insert = new NpgsqlBatchCommand(Insert);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _versions[i] });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.Tenant });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.ActorJson });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Guid.NewGuid().ToString() });
        insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = data });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = prevs });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = hashes });
        batch.BatchCommands.Add(insert);

        var bump = new NpgsqlBatchCommand(Bump);
        bump.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
        bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _versions[i] + batchSize });
        bump.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = head });
        batch.BatchCommands.Add(bump);

        await batch.ExecuteNonQueryAsync(ct);
        _versions[i] += batchSize;
        _heads[i] = head;
        return batchSize;
    }
}

/// <summary>
/// Diagnostic: the same call as <see cref="StoreWriter"/> (same parameters, same expectation), but to
/// <c>bench.append_0001</c>, the append function exactly as migration 0001 defined it (before 0004 made it cheaper).
/// Shows what 0004 gained, measured in the same run.
/// </summary>
internal sealed class Append0001Writer(NpgsqlDataSource dataSource, string[] streams, int batchSize, int seed) : IWriter
{
    private const string Call = """
        SELECT conflict, version FROM bench.append_0001($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, NULL, NULL, NULL)
        """;

    private readonly long[] _versions = new long[streams.Length];
    private readonly Payloads _payloads = new(seed);

    public async Task<int> ExecuteOnceAsync(CancellationToken ct)
    {
        var i = streams.Length == 1 ? 0 : _payloads.Random.Next(streams.Length);
        var ids = new Guid[batchSize];
        var types = new string[batchSize];
        var data = new string[batchSize];
        for (var k = 0; k < batchSize; k++) (ids[k], types[k], data[k]) = (Guid.CreateVersion7(), Payloads.EventType, _payloads.Next());
        var m = Payloads.Metadata();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(Call, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streams[i] });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.StreamType });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.Tenant });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _versions[i] });
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = data });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = m.ActorJson! });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = m.CorrelationId! });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (r.GetBoolean(0)) throw new InvalidOperationException($"append_0001: conflict on {streams[i]}");
        _versions[i] = r.GetInt64(1);
        return batchSize;
    }
}
