using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Testing.Postgres;
using Marten;
using Npgsql;

namespace Ledger.Storage.Tests;

/// <summary>
/// A fresh Ledger database per test class (<see cref="LedgerSchema.MigrateAsync"/> as the owner: Marten's schema, the
/// audit layer, the snapshot cache), with Marten and every statement under test running as a login role that has exactly
/// the service's grants (<see cref="LedgerSchema.GrantServiceRoleAsync"/>), as the service does.
/// </summary>
public sealed class StorageFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public string ServiceConnectionString { get; private set; } = null!;
    public NpgsqlDataSource Service { get; private set; } = null!;
    public DocumentStore Store { get; private set; } = null!;
    public StreamLoader Loader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestCluster.CreateLedgerDatabaseAsync("storage");
        ServiceConnectionString = await Database.CreateLedgerServiceRoleAsync();
        Service = NpgsqlDataSource.Create(ServiceConnectionString);
        Store = DocumentStore.For(o => LedgerMarten.Configure(o, ServiceConnectionString));
        Loader = new StreamLoader(Store, Service);
    }

    public async Task DisposeAsync()
    {
        Store.Dispose();
        await Service.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>
    /// Appends as a command does (CommandRunner): one session, Ledger's headers, <c>Events.Append(stream, version after
    /// the append, events)</c> with the version the caller saw (0 = a new stream), one commit. Returns the events' ids.
    /// </summary>
    public Task<Guid[]> AppendAsync(string stream, long expectedVersion, params object[] events) => AppendAsync(Store, stream, expectedVersion, events);

    /// <summary>The same through another store (e.g. one a test disposes, which waits for what Marten still writes in the background).</summary>
    public static async Task<Guid[]> AppendAsync(IDocumentStore store, string stream, long expectedVersion, params object[] events)
    {
        await using var session = store.LightweightSession();
        session.CorrelationId = "corr-" + stream;
        session.SetHeader(EventHeaders.Actor, new Dictionary<string, string> { ["name"] = "Siti", ["nip"] = "198004122000031003", ["role"] = "staff" });
        session.SetHeader(EventHeaders.Reason, "test");
        session.SetHeader(EventHeaders.Agency, "bkpsdm-test");
        var ids = new Guid[events.Length];
        var built = new object[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            var e = session.Events.BuildEvent(events[i]);
            e.Id = ids[i] = Guid.CreateVersion7();
            built[i] = e;
        }
        session.Events.Append(stream, expectedVersion + events.Length, built);
        await session.SaveChangesAsync();
        return ids;
    }

    /// <summary>Appends <paramref name="appends"/> times one event, each in its own transaction (so each has its own recorded time).</summary>
    public async Task<Guid[]> AppendOneByOneAsync(string stream, int appends)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < appends; i++) ids.AddRange(await AppendAsync(stream, i, Spending(i + 1)));
        return [.. ids];
    }

    public static SpendingRecorded Spending(decimal amount) => new("5.03.01", amount, "Q1", amount, 1_000_000m, false);

    public static string NewStream() => "year-test-" + Guid.NewGuid().ToString("N")[..12];
}
