using Ledger.LocalPostgres;
using Ledger.Testing.Hosts;
using Npgsql;

namespace Ledger.Hosts.Tests;

/// <summary>
/// PostgreSQL on the same host, reached over its Unix-domain socket (a configured connection string with
/// <c>Host=/var/run/postgresql</c>, say). Defect found while measuring (2026-12-05): every Ledger connection string got
/// TCP keepalives, Npgsql set them on the socket, and every connection failed ("Operation not supported"), so the
/// service could not start. A socket now gets none; the service starts, writes and reads over it.
/// </summary>
public sealed class UnixSocketTests : IAsyncLifetime
{
    private const string Role = "svc_socket", Password = "socket-test-password";
    private LocalPostgresCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        // The socket in the cluster's own folder: the user PostgreSQL runs as can write there (also as root), and the
        // path stays well under the socket path's limit.
        var folder = Path.Combine(Path.GetTempPath(), "ledger-sock-" + Guid.NewGuid().ToString("N")[..8]);
        _cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
        {
            DataDirectory = folder, Durable = false, DeleteOnStop = true,
            ServerSettings = new Dictionary<string, string> { ["unix_socket_directories"] = Path.GetFullPath(folder) },
        });
        await using var admin = NpgsqlDataSource.Create(_cluster.SuperUserConnectionString());
        await using (var c = admin.CreateCommand("CREATE DATABASE socket")) await c.ExecuteNonQueryAsync();
        await using (var c = admin.CreateCommand($"CREATE ROLE {Role} LOGIN PASSWORD '{Password}'")) await c.ExecuteNonQueryAsync();
    }

    /// <summary>The superuser's connection string to database <c>socket</c> (or the given login's), over the socket.</summary>
    private string OverSocket(string? user = null, string? password = null)
    {
        var b = new NpgsqlConnectionStringBuilder(_cluster.SuperUserConnectionString("socket")) { Host = _cluster.Root };
        if (user is not null) (b.Username, b.Password) = (user, password);
        return b.ConnectionString;
    }

    [Fact]
    public async Task The_service_starts_writes_and_reads_over_a_unix_socket()
    {
        await using var service = ServiceProcess.Start("socket", OverSocket(Role, Password), OverSocket(), Role);
        await service.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        var agency = await LedgerApi.SetUpAgencyAsync(service, "sock-1");
        var (status, body) = await LedgerApi.GetAsync(service, agency.Staff, $"/api/agencies/{agency.Code}/indicators/I2?year=2023");
        Assert.Equal(200, status);
        Assert.Equal(70m, body.GetProperty("realizations").GetProperty("Y").GetDecimal());

        // Every connection of the service's role came over the socket: PostgreSQL sees no client address for those.
        await using var admin = NpgsqlDataSource.Create(_cluster.SuperUserConnectionString("socket"));
        await using var c = admin.CreateCommand(
            "SELECT count(*) FILTER (WHERE client_addr IS NULL), count(*) FILTER (WHERE client_addr IS NOT NULL) FROM pg_stat_activity WHERE usename = $1");
        c.Parameters.AddWithValue(Role);
        await using var r = await c.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.True(r.GetInt64(0) > 0, "no connection of the service's role over the socket");
        Assert.Equal(0, r.GetInt64(1));
        await using var events = admin.CreateCommand("SELECT count(*) FROM ledger.mt_events");
        Assert.True(await events.ExecuteScalarAsync() is long n && n > 0);
    }

    public async Task DisposeAsync() => await _cluster.StopAsync();
}
