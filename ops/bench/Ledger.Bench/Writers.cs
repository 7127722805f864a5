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
/// The raw ceiling: a single-row INSERT ... VALUES (batch size 1) or one INSERT ... SELECT FROM unnest(arrays)
/// of the whole batch into <c>bench.raw_events</c>, in its own implicit transaction, on a pooled connection
/// opened per operation, as a Marten session opens one per <c>SaveChangesAsync</c>.
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
