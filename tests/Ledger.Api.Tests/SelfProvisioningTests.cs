using Ledger.Api.Infrastructure;
using Ledger.Storage;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>The path a newcomer takes: no connection string at all, the service starts and prepares its own cluster.</summary>
public sealed class SelfProvisioningTests
{
    [Fact]
    public async Task Open_WithoutConnectionString_StartsLocalClusterMigratesAndRunsAsRestrictedRole()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-selfprov-" + Guid.NewGuid().ToString("N")[..8]);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:DataDirectory"] = dir }).Build();
        try
        {
            await using (var db = await LedgerDatabase.OpenAsync(config, NullLogger.Instance))
            {
                Assert.NotNull(db.Cluster);
                Assert.Contains("ledger_app", db.Description);
                using (var store = DocumentStore.For(o => LedgerMarten.Configure(o, db.ServiceConnectionString)))
                await using (var session = store.LightweightSession())
                {
                    session.Events.Append("probe-1", 1L, new Domain.Agencies.RegisteringAgency.AgencyRegistered("probe", "Probe"));
                    await session.SaveChangesAsync();
                }
                Assert.Equal(1L, await Ledger.Audit.AuditSchema.CheckAsync(db.Service) is { Count: 0 } ? 1L : 0L);

                await using var update = db.Service.CreateCommand("UPDATE ledger.mt_events SET data = '{}'");
                var refused = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            }

            // A second start reuses the same cluster and data, and applies no migration twice.
            await using (var again = await LedgerDatabase.OpenAsync(config, NullLogger.Instance))
            {
                using var store = DocumentStore.For(o => LedgerMarten.Configure(o, again.ServiceConnectionString));
                Assert.Single(await new StreamLoader(store, again.Service).ReadAsync("probe-1"));
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Open_SecondProcessOnARunningLocalCluster_NeitherLocksOutNorStopsTheFirst()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-shared-" + Guid.NewGuid().ToString("N")[..8]);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:DataDirectory"] = dir }).Build();
        try
        {
            await using var service = await LedgerDatabase.OpenAsync(config, NullLogger.Instance);
            Assert.True(service.Cluster!.StartedHere);

            // The command line (rebuild, verify) opens the same cluster while the service runs, then ends.
            await using (var cli = await LedgerDatabase.OpenAsync(config, NullLogger.Instance))
            {
                Assert.False(cli.Cluster!.StartedHere);
                Assert.Equal(service.Cluster.Port, cli.Cluster.Port);
            }

            // The service still opens NEW connections as ledger_app: same password, cluster still running.
            service.Service.Clear();
            await using var cmd = service.Service.CreateCommand("SELECT current_user");
            Assert.Equal("ledger_app", await cmd.ExecuteScalarAsync());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
