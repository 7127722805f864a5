using Ledger.Audit;
using Ledger.Testing.Postgres;
using Marten;
using Npgsql;

namespace Ledger.ReadModels.Tests;

/// <summary>The "readmodels" migrations, the registration and the service role's rights.</summary>
public sealed class SchemaTests
{
    [Fact]
    public void Migrations_0001And0002_AreByteIdenticalToTheOnesTheHomeMadeEngineApplied()
    {
        var byVersion = ReadModelSchema.Migrations.ToDictionary(m => m.Version);
        Assert.Equal([0, 1, 2, 3, 4], byVersion.Keys.Order());
        // sha256sum of the files as committed before the move to Marten (e2cb473): a changed byte is refused by SqlMigrator.
        Assert.Equal("3786804EBE103357BACC23EFAC7B9B76D19C9E92B73E881F187720AF3672B159", byVersion[1].Checksum);
        Assert.Equal("72E6162C76084D8E5C225AEB1CECD6E19ACDB65F1F4A3ED65DC55A44095FB0BD", byVersion[2].Checksum);
    }

    [Fact]
    public async Task Migrate_DatabaseOfTheHomeMadeEngine_AppliesOnly0000And0003And0004EmptiesTheTablesAndDropsTheEngineSchema()
    {
        await using var db = await TestCluster.CreateLedgerDatabaseAsync("rmup");
        // What the old engine left: its schema and checkpoints (projections/0001), 0001–0002 applied, rows of the old log.
        await Exec(db.Owner, """
            CREATE SCHEMA projections;
            CREATE TABLE projections.projection_checkpoints (name text PRIMARY KEY, kind text NOT NULL, position bigint NOT NULL DEFAULT 0,
                updated timestamptz NOT NULL DEFAULT clock_timestamp(), status text NOT NULL DEFAULT 'running', error text, error_event_seq bigint);
            CREATE SCHEMA readmodel;
            INSERT INTO projections.projection_checkpoints (name, kind, position) VALUES ('sakip-pk', 'async', 4242);
            """);
        await SqlMigrator.ApplyAsync(db.Owner, ReadModelSchema.Component, [.. ReadModelSchema.Migrations.Where(m => m.Version is 1 or 2)]);
        await Exec(db.Owner, """
            INSERT INTO readmodel.pk_versions (agency, year, number, kind, signed_on, signer, targets, recorded_at, event_id, seq)
            VALUES ('a', 2023, 0, 'murni', '2023-01-31', '{}', '[]', now(), gen_random_uuid(), 4242)
            """);

        Assert.Equal(["0000_prerequisites.sql", "0003_marten_daemon.sql", "0004_one_projection_rows_pending.sql"], await ReadModelSchema.MigrateAsync(db.Owner));
        Assert.Empty(await ReadModelSchema.MigrateAsync(db.Owner));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.pk_versions"));
        Assert.False(await db.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'projections')"));
    }

    [Fact]
    public async Task Migrate_NewDatabase_CreatesTheSixTablesTheMarkerAndNoEngineSchema()
    {
        await using var db = await TestCluster.CreateLedgerDatabaseAsync("rmnew");
        Assert.Equal(5, (await ReadModelSchema.MigrateAsync(db.Owner)).Count);
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'readmodel'"));
        Assert.True(await db.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'readmodel' AND tablename = 'rows_pending')"));
        Assert.False(await db.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'projections')"));
    }

    [Fact]
    public async Task ServiceRole_WritesRowsButMayNotTruncateCreateOrTouchTheLog()
    {
        await using var db = await ReadModelDb.CreateAsync();
        await using var conn = await db.Service.OpenConnectionAsync();
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using var cmd = new NpgsqlCommand("DELETE FROM readmodel.indicator_state; DELETE FROM readmodel.pk_versions; SELECT count(*) FROM ledger.mt_event_progression", conn, tx);
            await cmd.ExecuteNonQueryAsync();
            await tx.RollbackAsync();
        }
        foreach (var sql in new[] { "TRUNCATE readmodel.pk_versions", "CREATE TABLE readmodel.mine (x int)", "DROP TABLE readmodel.pk_versions",
                     "DELETE FROM ledger.mt_events", "ALTER TABLE readmodel.pk_versions ADD COLUMN x int" })
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.True(e.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {e.SqlState} {e.MessageText}");
        }
    }

    [Fact]
    public void Register_OneAsyncShardSakipWritingTheSixTablesWithTheirTeardownsNoFilterAndNoSkipping()
    {
        var options = new StoreOptions();
        var projection = SakipReadModels.Register(options, batchSize: 1234);
        Assert.Equal("sakip:All", projection.Shard.Identity);
        Assert.Equal(["sakip"], SakipReadModels.Names);
        Assert.Equal(SakipReadModels.ShardOf("sakip"), projection.Shard.Identity);
        Assert.Equal(JasperFx.Events.Projections.ProjectionLifecycle.Async, projection.Lifecycle);
        Assert.Equal(1234, projection.Options.BatchSize);
        Assert.Equal(Math.Max(2 * 1234, 5_000), projection.Options.MaximumHopperSize); // two pages, at least 5 000 events
        // A rebuild's teardown empties the six tables and the state rows' marker.
        Assert.Equal(["readmodel.indicator_state", "readmodel.lkjip_rows", "readmodel.budget_lines", "readmodel.performance_years",
            "readmodel.rows_pending", "readmodel.indicator_history", "readmodel.pk_versions"], projection.Tables);
        Assert.Empty(projection.IncludedEventTypes); // the state part sees every event (its cache check relies on it)
        foreach (var errors in new[] { options.Projections.Errors, options.Projections.RebuildErrors })
            Assert.False(errors.SkipApplyErrors || errors.SkipSerializationErrors || errors.SkipUnknownEvents);
        Assert.True(options.Events.EnableExtendedProgressionTracking);
        // What Marten registered: its wrapper carries the same name, so the shard is this one.
        Assert.Equal(SakipReadModels.Names, options.Projections.All.Select(s => s.Name));
    }

    [Fact]
    public void RegisterSeparately_TheOldLayoutForTheBenchmark_ThreeShardsWithTheirFilters()
    {
        var options = new StoreOptions();
        var projections = SakipReadModels.RegisterSeparately(options, batchSize: 1234);
        Assert.Equal(["sakip-state:All", "sakip-history:All", "sakip-pk:All"], projections.Select(p => p.Shard.Identity));
        Assert.All(projections, p => Assert.Equal(1234, p.Options.BatchSize));
        Assert.Empty(projections[0].IncludedEventTypes);
        Assert.Equal(16, projections[1].IncludedEventTypes.Count);
        Assert.Equal(2, projections[2].IncludedEventTypes.Count);
    }

    private static async Task Exec(NpgsqlDataSource ds, string sql)
    {
        await using var cmd = ds.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
