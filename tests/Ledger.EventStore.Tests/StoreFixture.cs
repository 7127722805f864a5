using Ledger.EventStore;
using Ledger.Testing.Postgres;
using Npgsql;

namespace Ledger.EventStore.Tests;

/// <summary>A fresh database per test class; the store runs as the restricted service role, like the service does.</summary>
public sealed class StoreFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public NpgsqlDataSource Service { get; private set; } = null!;
    public PostgresEventStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestCluster.CreateDatabaseAsync("es");
        Service = await Database.CreateServiceRoleAsync();
        Store = new PostgresEventStore(Service);
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Database.DisposeAsync();
    }
}

internal static class Events
{
    public static EventData Json(string type, string json) => new(Guid.NewGuid(), type, json);
    public static EventData Counter(int n) => Json("counter.incremented.v1", $$"""{"n":{{n}},"amount":1.50}""");

    public static AppendRequest Request(string stream, ExpectedVersion expected, params EventData[] events) =>
        new(new StreamName(stream), "counter", "agency-a", expected, events, new AppendMetadata
        {
            ActorJson = """{"name":"Siti","nip":"198004122000031003","role":"staff"}""",
            Reason = "test",
            CorrelationId = "corr-1",
        });

    public static string NewStream() => "s-" + Guid.NewGuid().ToString("N")[..12];
}
