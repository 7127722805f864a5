using Ledger.Audit;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Marten;
using Marten.Linq;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// The verifier finds the log heads published by year closes with <see cref="StreamLoader.AllOfType"/>: on a national log
/// a scan of the whole event table by type (2.7–4.1 s at 10 M events) for a few hundred rows. audit/0005's partial index
/// holds only those events; the query, its type a parameter, is planned with the index. Marten is told to ignore the
/// index, so its schema tool leaves it in place. A database of its own: the log is made of copies of one event, written
/// behind the triggers (it is not a chain).
/// </summary>
public sealed class PublishedHeadsIndexTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    [Fact]
    public async Task TheVerifiersQueryForThePublishedHeads_UsesThePartialIndex_AndMartensSchemaToolKeepsIt()
    {
        var frozen = DomainEventTypes.NameOf(typeof(YearSnapshotFrozen));
        var template = NewStream();
        await fx.AppendAsync(template, 0, Spending(1m));
        // 40 000 events of other types and 20 of the frozen type (only planned here, never decoded), with statistics.
        await fx.Database.AsSuperuserBypassingTriggersAsync(
            """
            INSERT INTO ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, headers, correlation_id, causation_id)
            SELECT nextval('ledger.mt_events_sequence'), gen_random_uuid(), 'heads-' || s, v, e.data, CASE WHEN v = 2000 THEN @frozen ELSE e.type END,
                   e.timestamp, e.tenant_id, e.mt_dotnet_type, false, e.headers, e.correlation_id, e.causation_id
              FROM ledger.mt_events e, generate_series(1, 20) s, generate_series(1, 2000) v
             WHERE e.stream_id = @template
            """, ("template", template), ("frozen", frozen));
        await fx.Database.AsSuperuserBypassingTriggersAsync("ANALYZE ledger.mt_events");

        Assert.Contains("WHERE type = '" + frozen + "'", AuditSchema.Migrations.Single(m => m.Name.StartsWith("0005_", StringComparison.Ordinal)).Sql);
        Assert.Equal(20, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE type = @t", ("t", frozen)));
        Assert.Contains(AuditSql.PublishedHeadsIndex, await PlanAsync(frozen));
        // Any other type: the index does not apply.
        Assert.DoesNotContain(AuditSql.PublishedHeadsIndex, await PlanAsync(DomainEventTypes.NameOf(typeof(Domain.PerformanceYears.RecordingSpending.SpendingRecorded))));

        // Marten's full schema comparison (every start with a new DDL, every deployment) finds nothing to change and keeps it.
        Assert.Empty(await LedgerSchema.MigrateAsync(fx.Database.OwnerConnectionString));
        Assert.Equal(1, await fx.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'ledger' AND tablename = 'mt_events' AND indexname = @i", ("i", AuditSql.PublishedHeadsIndex)));
    }

    /// <summary>EXPLAIN of the query exactly as Marten sends it (type as a parameter, an unnamed statement: planned with its value).</summary>
    private async Task<string> PlanAsync(string type)
    {
        await using var session = fx.Store.QuerySession();
        var query = StreamLoader.AllOfType(session, type).ToCommand(FetchType.FetchMany);
        await using var c = await fx.Service.OpenConnectionAsync();
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + query.CommandText, c);
        foreach (Npgsql.NpgsqlParameter p in query.Parameters) explain.Parameters.Add(p.Clone());
        var plan = new List<string>();
        await using var r = await explain.ExecuteReaderAsync();
        while (await r.ReadAsync()) plan.Add(r.GetString(0));
        return string.Join("\n", plan);
    }
}
