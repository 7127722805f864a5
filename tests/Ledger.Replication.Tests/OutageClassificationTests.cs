using Ledger.Storage;
using Npgsql;

namespace Ledger.Replication.Tests;

/// <summary>
/// What a failover looks like to Npgsql, on the real cluster, and that <see cref="DatabaseOutage"/> calls each an outage
/// (503 with Retry-After, never 500): a multi-host string that finds no primary (during a failover, before the standby
/// is promoted) and a write on a server that is a standby (25006).
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class OutageClassificationTests(ReplicaFixture fixture)
{
    [Fact]
    public async Task No_primary_among_the_hosts_and_a_write_on_a_standby_are_outages()
    {
        await fixture.EnsureBothNodesAsync(fixture.Log);
        var primary = await fixture.Cluster.PrimaryAsync() ?? throw new InvalidOperationException("no primary");
        var standby = primary == "node1" ? "node2" : "node1";
        var standbyPort = new NpgsqlConnectionStringBuilder(fixture.Cluster.Direct(standby)).Port;

        // Only the standby among the hosts, as when the primary is gone and the standby not yet promoted.
        var onlyStandby = new NpgsqlConnectionStringBuilder(fixture.Cluster.Service)
        {
            Host = $"127.0.0.1:{standbyPort},127.0.0.1:1", // the second refuses connections, like a killed primary
        }.ConnectionString;
        await using (var ds = NpgsqlDataSource.Create(onlyStandby))
        {
            var e = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => { await using var c = await ds.OpenConnectionAsync(); });
            Assert.True(DatabaseOutage.Is(e), $"not an outage: {e}");
        }
        // Every host answers, none is primary (Npgsql takes Target Session Attributes only with several hosts: the standby twice).
        var noneRefused = new NpgsqlConnectionStringBuilder(fixture.Cluster.Service) { Host = $"127.0.0.1:{standbyPort},localhost:{standbyPort}" }.ConnectionString;
        await using (var ds = NpgsqlDataSource.Create(noneRefused))
        {
            var e = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => { await using var c = await ds.OpenConnectionAsync(); });
            Assert.Equal(DatabaseOutage.NoSuitableHost, e.Message);
            Assert.True(DatabaseOutage.Is(e), $"not an outage: {e}");
        }

        // A write on a standby: 25006, read-only transaction.
        await using var direct = new NpgsqlConnection(fixture.Cluster.Direct(standby));
        await direct.OpenAsync();
        await using var cmd = new NpgsqlCommand("CREATE TABLE public.not_on_a_standby (x int)", direct);
        var readOnly = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, readOnly.SqlState);
        Assert.True(DatabaseOutage.Is(readOnly));

        // A query error is still not an outage.
        await using var bad = new NpgsqlCommand("SELECT * FROM no_such_table", direct);
        Assert.False(DatabaseOutage.Is(await Assert.ThrowsAsync<PostgresException>(() => bad.ExecuteScalarAsync())));
    }
}
