using Alba;
using JasperFx.Events;
using Ledger.Storage;
using Ledger.Testing.Postgres;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Ledger.Api.Tests;

/// <summary>
/// The real service, in memory (an Alba host over <c>WebApplicationFactory&lt;Program&gt;</c>), on a fresh database of the
/// test cluster, deployed as in production: the owner migrates (ConnectionStrings:LedgerOwner), the service runs as a
/// restricted role it grants at start (Ledger:ServiceRole). The host starts in <see cref="InitializeAsync"/>.
/// Not sealed: a test class that needs a test seam in the service (Commands/HookedApiFactory) derives its own and
/// overrides <see cref="ConfigureWebHost"/>.
/// </summary>
public class LedgerApiFactory : IAsyncLifetime
{
    private IAlbaHost? _host;
    private DocumentStore? _store;

    // Program ends with RunJasperFxCommands (for `codegen write`); under a test host JasperFx must start the built host
    // itself. Alba's WebApplicationFactory bootstrapper sets the same flag (by reflection, when JasperFx.dll is beside
    // the tests); setting it here keeps that from depending on Alba's lookup.
    static LedgerApiFactory() => JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;

    public TestDatabase Database { get; private set; } = null!;
    public string ServiceRole { get; private set; } = null!;

    public const string AdminToken = "test-bootstrap-admin-token";

    /// <summary>Rewrites the service role's connection string before the service starts (e.g. through a relay a test can cut).</summary>
    public Func<string, string>? ServiceConnection { get; init; }

    /// <summary>The running service. Scenarios: <see cref="Scenario"/>; raw requests: <see cref="CreateClient"/>.</summary>
    public IAlbaHost Host => _host ?? throw new InvalidOperationException("The fixture has not been initialized (IAsyncLifetime.InitializeAsync).");

    public IServiceProvider Services => Host.Services;
    public TestServer Server => Host.Server;

    public async Task InitializeAsync()
    {
        Database = await TestCluster.CreateEmptyDatabaseAsync("api");
        ServiceRole = await Database.CreateLoginRoleAsync();
        _host = await AlbaHost.For<Program>(ConfigureWebHost);
    }

    /// <summary>The settings every host of this fixture starts with (the database, the service role, the bootstrap token).</summary>
    protected virtual void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:LedgerOwner", Database.OwnerConnectionString);
        var service = Database.ServiceConnectionString(ServiceRole);
        builder.UseSetting("ConnectionStrings:Ledger", ServiceConnection is null ? service : ServiceConnection(service));
        builder.UseSetting("Ledger:ServiceRole", ServiceRole);
        builder.UseSetting("Ledger:BootstrapAdminToken", AdminToken);
    }

    /// <summary>Runs one Alba scenario against the service (see docs/testing.md; the default expected status is any 2xx).</summary>
    public Task<IScenarioResult> Scenario(Action<Scenario> configure) => Host.Scenario(configure);

    /// <summary>
    /// A raw client of the service, for requests a scenario cannot express (invalid bytes, chunked bodies, many requests
    /// in a loop). It does not follow redirects.
    /// </summary>
    public HttpClient CreateClient() => Host.Server.CreateClient();

    /// <summary>
    /// A second host of the service on the same database, with this fixture's settings and then <paramref name="configure"/>'s
    /// (e.g. another auth-failure limit, captured logs). The caller disposes it.
    /// </summary>
    public async Task<IAlbaHost> StartHostAsync(Action<IWebHostBuilder> configure) =>
        await AlbaHost.For<Program>(builder =>
        {
            ConfigureWebHost(builder);
            configure(builder);
        });

    /// <summary>Marten as the owner, for tests that read the log directly (the service has started, so it has migrated).</summary>
    public DocumentStore Store
    {
        get
        {
            _ = Host;
            return _store ??= DocumentStore.For(o => LedgerMarten.Configure(o, Database.OwnerConnectionString));
        }
    }

    /// <summary>A stream's events as stored.</summary>
    public async Task<IReadOnlyList<IEvent>> EventsAsync(string stream)
    {
        await using var session = Store.QuerySession();
        return await session.Events.FetchStreamAsync(stream);
    }

    /// <summary>A stream's events as stored (type name, payload in jsonb's text form, version, reason and actor headers), in version order.</summary>
    public async Task<IReadOnlyList<StoredEvent>> PayloadsAsync(string stream)
    {
        var list = new List<StoredEvent>();
        await using var cmd = Database.Owner.CreateCommand(
            "SELECT type, data::text, version, headers->>'reason', (headers->'actor')::text FROM ledger.mt_events WHERE stream_id = @s ORDER BY version");
        cmd.Parameters.AddWithValue("s", stream);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(new StoredEvent(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        return list;
    }

    /// <summary>How many events the log holds.</summary>
    public Task<long> EventCountAsync() => Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events");

    async Task IAsyncLifetime.DisposeAsync()
    {
        _store?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}

/// <summary>One event as stored in <c>ledger.mt_events</c>.</summary>
public sealed record StoredEvent(string Type, string Json, long Version, string? Reason, string? ActorJson);
