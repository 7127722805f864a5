using JasperFx.Events;
using Ledger.Storage;
using Ledger.Testing.Postgres;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.Api.Tests;

/// <summary>
/// The real service, in memory, on a fresh database of the test cluster, deployed as in production: the owner migrates
/// (ConnectionStrings:LedgerOwner), the service runs as a restricted role it grants at start (Ledger:ServiceRole).
/// Not sealed: a test class that needs a test seam in the service (Commands/HookedApiFactory) derives its own.
/// </summary>
public class LedgerApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private DocumentStore? _store;

    // Program ends with RunJasperFxCommands (for `codegen write`); under a test host JasperFx must start the built host
    // itself, as it does for Alba.
    static LedgerApiFactory() => JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;

    public TestDatabase Database { get; private set; } = null!;
    public string ServiceRole { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestCluster.CreateEmptyDatabaseAsync("api");
        ServiceRole = await Database.CreateLoginRoleAsync();
    }

    public const string AdminToken = "test-bootstrap-admin-token";

    /// <summary>Rewrites the service role's connection string before the service starts (e.g. through a relay a test can cut).</summary>
    public Func<string, string>? ServiceConnection { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:LedgerOwner", Database.OwnerConnectionString);
        var service = Database.ServiceConnectionString(ServiceRole);
        builder.UseSetting("ConnectionStrings:Ledger", ServiceConnection is null ? service : ServiceConnection(service));
        builder.UseSetting("Ledger:ServiceRole", ServiceRole);
        builder.UseSetting("Ledger:BootstrapAdminToken", AdminToken);
    }

    /// <summary>Marten as the owner, for tests that read the log directly (the service must have started: it migrates).</summary>
    public DocumentStore Store
    {
        get
        {
            _ = Server; // the service migrates the database when it starts
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
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>One event as stored in <c>ledger.mt_events</c>.</summary>
public sealed record StoredEvent(string Type, string Json, long Version, string? Reason, string? ActorJson);
