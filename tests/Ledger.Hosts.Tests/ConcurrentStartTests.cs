using Ledger.Api.Infrastructure;
using Ledger.Audit;
using Ledger.Testing.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Hosts.Tests;

/// <summary>
/// Defect found by the two-host test (issue 13): two service processes started together on a database that needed a
/// migration raced in Marten's DDL, and one died at start-up ("42P07: relation pk_mt_events_stream_and_version already
/// exists"). Start-up's schema work now runs under one advisory lock.
/// </summary>
public sealed class ConcurrentStartTests
{
    [Fact]
    public async Task Several_starts_at_once_on_an_empty_database_all_open_it_and_the_schema_is_whole()
    {
        await using var db = await TestCluster.CreateEmptyDatabaseAsync("starts");
        var role = await db.CreateLoginRoleAsync();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = db.ServiceConnectionString(role),
            ["ConnectionStrings:LedgerOwner"] = db.OwnerConnectionString,
            ["Ledger:ServiceRole"] = role,
            ["Ledger:SnapshotKey"] = ServiceProcess.SnapshotKey,
        }).Build();

        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var database = await LedgerDatabase.OpenAsync(config, NullLogger.Instance);
            await database.MigrateWolverineAsync(role, CancellationToken.None);
            return database;
        })));
        try
        {
            Assert.Empty(await AuditSchema.CheckAsync(opened[0].Service));
            Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events"));
            Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('wolverine.wolverine_deduplicated_responses') IS NOT NULL"));
        }
        finally
        {
            foreach (var d in opened) await d.DisposeAsync();
        }
    }
}
