using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// The bounded read of several streams (<see cref="StreamLoader.ReadManyAsync(IReadOnlyList{ValueTuple{string, StreamBound}}, CancellationToken)"/>)
/// reads each stream by one range of the <c>(stream_id, version)</c> index, also in the generic plan a connection keeps,
/// on a log of long streams that PostgreSQL has statistics for. Written with a join of the whole table instead, it took
/// 4.4–6 ms per call in the mixed load against 0.06 ms (docs/performance.md "A stream's events kept between reads").
/// A database of its own: the log is made of copies of one event, written behind the triggers (it is not a chain).
/// </summary>
public sealed class BoundedReadPlanTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    [Fact]
    public async Task TheGenericPlan_ReadsEachStreamByItsIndexRange_NeverTheWholeLog()
    {
        var template = NewStream();
        await fx.AppendAsync(template, 0, Spending(1m));
        // 20 streams of 3 000 events each (60 000 rows: long year streams, as a year of corrections makes), then statistics,
        // as a database in service has. On this log the statement without its fence is planned as a hash join of the table.
        await fx.Database.AsSuperuserBypassingTriggersAsync(
            """
            INSERT INTO ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, headers, correlation_id, causation_id)
            SELECT nextval('ledger.mt_events_sequence'), gen_random_uuid(), 'plan-' || s, v, e.data, e.type, e.timestamp, e.tenant_id, e.mt_dotnet_type, false, e.headers, e.correlation_id, e.causation_id
              FROM ledger.mt_events e, generate_series(1, 20) s, generate_series(1, 3000) v
             WHERE e.stream_id = @template
            """, ("template", template));
        await fx.Database.AsSuperuserBypassingTriggersAsync("ANALYZE ledger.mt_events");

        // The statement exactly as the loader prepares it, from its one connection.
        await using var one = Npgsql.NpgsqlDataSource.Create(fx.ServiceConnectionString + ";Maximum Pool Size=1");
        var loader = new StreamLoader(fx.Store, one);
        var reads = Enumerable.Range(1, 18).Select(i => ($"plan-{i}", new StreamBound { FromVersion = 2950, AsOf = DateTimeOffset.UtcNow })).ToList();
        Assert.All(await loader.ReadManyAsync(reads), events => Assert.Equal(51, events.Count));
        await using var c = await one.OpenConnectionAsync();
        string statement;
        await using (var find = new Npgsql.NpgsqlCommand("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%CROSS JOIN LATERAL%'", c))
            statement = (string)(await find.ExecuteScalarAsync())!;

        await using (var generic = new Npgsql.NpgsqlCommand(
            $"SET plan_cache_mode = force_generic_plan; PREPARE bounded_plan(text[], bigint[], bigint[], timestamptz[]) AS {statement}", c))
            await generic.ExecuteNonQueryAsync();
        var plan = new List<string>();
        await using (var explain = new Npgsql.NpgsqlCommand(
            "EXPLAIN EXECUTE bounded_plan(ARRAY['plan-1', 'plan-2'], ARRAY[150, 150]::bigint[], ARRAY[9223372036854775807, 9223372036854775807]::bigint[], ARRAY[NULL, NULL]::timestamptz[])", c))
        await using (var r = await explain.ExecuteReaderAsync())
            while (await r.ReadAsync()) plan.Add(r.GetString(0));
        await using (var reset = new Npgsql.NpgsqlCommand("DEALLOCATE bounded_plan; RESET plan_cache_mode", c)) await reset.ExecuteNonQueryAsync();

        var text = string.Join("\n", plan);
        // Per stream, the index range of its bound; never the whole table.
        Assert.True(text.Contains("Nested Loop", StringComparison.Ordinal), text);
        Assert.True(plan.Any(l => l.Contains("Index Cond:", StringComparison.Ordinal) && l.Contains("= b.stream_id", StringComparison.Ordinal)
            && l.Contains("version >= b.from_version", StringComparison.Ordinal) && l.Contains("version <= b.up_to_version", StringComparison.Ordinal)), text);
        Assert.False(plan.Any(l => l.Contains("Seq Scan on mt_events", StringComparison.Ordinal) || l.Contains("Hash Join", StringComparison.Ordinal)
            || l.Contains("Merge Join", StringComparison.Ordinal)), text);
    }
}
