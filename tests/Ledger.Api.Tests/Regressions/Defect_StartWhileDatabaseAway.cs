using System.Diagnostics;
using System.Net;
using Ledger.Api.Infrastructure;
using Ledger.Testing.Postgres;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Issue 13 (docs/reliability.md, "What the crash tests do not prove"): a service started while its configured database
/// was out of reach exited at once (the start-up migrations could not connect: an unhandled exception), so a reboot or a
/// failover that brought the service up before PostgreSQL left it down until someone restarted it. Start-up now waits
/// for the database (<c>Ledger:DatabaseWaitSeconds</c>), then fails with a message that says where and for how long.
/// </summary>
public sealed class Defect_StartWhileDatabaseAway : IClassFixture<LedgerApiFactory>
{
    private readonly LedgerApiFactory _f;

    public Defect_StartWhileDatabaseAway(LedgerApiFactory f) => _f = f;

    [Fact]
    public async Task A_service_started_before_its_database_waits_for_it_and_then_serves()
    {
        using var relay = new TcpRelay();
        var service = relay.Route(_f.Database.ServiceConnectionString(_f.ServiceRole), listening: false);
        var owner = relay.Route(_f.Database.OwnerConnectionString, listening: false);

        var starting = _f.StartHostAsync(b =>
        {
            b.UseSetting("ConnectionStrings:Ledger", service);
            b.UseSetting("ConnectionStrings:LedgerOwner", owner);
            b.UseSetting("Ledger:DatabaseWaitSeconds", "120");
        });
        // Nothing listens where the database should be: start-up must neither finish nor give up.
        await Task.WhenAny(starting, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.False(starting.IsCompleted, starting.Exception?.ToString() ?? "the host started without its database");

        relay.Restore();
        var host = await starting.WaitAsync(TimeSpan.FromSeconds(90));
        await using var _ = host;
        using var client = host.Server.CreateClient();
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/agencies")
        {
            Content = new StringContent($$"""{ "code": "{{ApiClient.NewAgencyCode()}}", "name": "Dinas yang menunggu basis data" }""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
        using var created = await client.SendAsync(request);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_database_that_stays_away_longer_than_the_wait_fails_start_up_saying_where_and_how_long()
    {
        using var relay = new TcpRelay();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = relay.Route(_f.Database.ServiceConnectionString(_f.ServiceRole), listening: false),
            ["ConnectionStrings:LedgerOwner"] = relay.Route(_f.Database.OwnerConnectionString, listening: false),
            ["Ledger:ServiceRole"] = _f.ServiceRole,
            ["Ledger:DatabaseWaitSeconds"] = "3",
        }).Build();

        var waited = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DatabaseUnreachableException>(() => LedgerDatabase.OpenWaitingAsync(config, NullLogger.Instance));
        Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(3), $"gave up after {waited.Elapsed}");
        Assert.Contains("out of reach", e.Message);
        Assert.Contains("Ledger__DatabaseWaitSeconds", e.Message);
        Assert.Contains("127.0.0.1", e.Message);
        Assert.True(Ledger.Storage.DatabaseOutage.Is(e.InnerException!), e.InnerException!.ToString());
    }

    [Fact]
    public async Task A_database_error_that_is_not_an_outage_is_not_waited_for()
    {
        // A wrong password is a configuration error: waiting would only hide it.
        var wrong = new Npgsql.NpgsqlConnectionStringBuilder(_f.Database.ServiceConnectionString(_f.ServiceRole)) { Password = "not-the-password" };
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = wrong.ConnectionString,
            ["ConnectionStrings:LedgerOwner"] = _f.Database.OwnerConnectionString,
            ["Ledger:DatabaseWaitSeconds"] = "60",
        }).Build();

        var waited = Stopwatch.StartNew();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => LedgerDatabase.OpenWaitingAsync(config, NullLogger.Instance));
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"waited {waited.Elapsed} for a wrong password");
        Assert.IsNotType<DatabaseUnreachableException>(e);
        Assert.Contains("28P01", e.ToString()); // invalid_password
    }
}
