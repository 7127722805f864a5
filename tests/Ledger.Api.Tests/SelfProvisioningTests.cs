using Ledger.Api.Infrastructure;
using Ledger.EventStore;
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
                var store = new PostgresEventStore(db.Service);
                var r = await store.AppendAsync(new AppendRequest(new StreamName("probe-1"), "probe", null, ExpectedVersion.NoStream,
                    [new EventData(Guid.NewGuid(), "probe.v1", "{}")], AppendMetadata.None));
                Assert.Equal(1, r.Version);

                await using var update = db.Service.CreateCommand("UPDATE eventstore.events SET data = '{}'");
                var refused = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            }

            // A second start reuses the same cluster and data, and applies no migration twice.
            await using (var again = await LedgerDatabase.OpenAsync(config, NullLogger.Instance))
            {
                var events = await new PostgresEventStore(again.Service).ReadStreamAsync(new StreamName("probe-1"));
                Assert.Single(events);
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
