using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Storage;
using Ledger.Testing.Postgres;
using Marten;
using Npgsql;

namespace Ledger.Audit.Tests;

/// <summary>
/// A fresh Ledger database per test class (Marten's schema and the audit layer, applied as the owner), with Marten
/// running as a restricted role that has exactly the service's grants, like the service does.
/// </summary>
public sealed class LedgerFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public string ServiceConnectionString { get; private set; } = null!;
    public NpgsqlDataSource Service { get; private set; } = null!;
    public DocumentStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestCluster.CreateLedgerDatabaseAsync("audit");
        ServiceConnectionString = await Database.CreateLedgerServiceRoleAsync();
        Service = NpgsqlDataSource.Create(ServiceConnectionString);
        Store = DocumentStore.For(o => LedgerMarten.Configure(o, ServiceConnectionString));
    }

    public async Task DisposeAsync()
    {
        Store.Dispose();
        await Service.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Appends through Marten, as a command does: at the expected version (0 = a new stream), with Ledger's headers.</summary>
    public async Task<long> AppendAsync(string stream, long expectedVersion, params object[] events)
    {
        await using var session = Store.LightweightSession();
        session.CorrelationId = "corr-" + stream;
        session.SetHeader(EventHeaders.Actor, new Dictionary<string, string> { ["name"] = "Siti", ["nip"] = "198004122000031003", ["role"] = "staff" });
        session.SetHeader(EventHeaders.Reason, "test");
        session.SetHeader(EventHeaders.Agency, "bkpsdm-test");
        session.Events.Append(stream, expectedVersion + events.Length, events);
        await session.SaveChangesAsync();
        return expectedVersion + events.Length;
    }

    /// <summary>The global sequence numbers of a stream's events, in version order.</summary>
    public async Task<long[]> SequencesAsync(string stream) =>
        (await Database.ScalarAsync<long[]>("SELECT coalesce(array_agg(seq_id ORDER BY version), '{}') FROM ledger.mt_events WHERE stream_id = @s", ("s", stream)));

    public static SpendingRecorded Spending(decimal amount) => new("5.03.01", amount, "Q1", amount, 1_000_000m, false);

    public static string NewStream() => "year-test-" + Guid.NewGuid().ToString("N")[..12];
}

internal static class LedgerFixtureExtensions
{
    /// <summary>For tests that own a fixture of their own (a log they break): disposes it at the end of the test.</summary>
    public static IAsyncDisposable AsDisposable(this LedgerFixture fx) => new Disposer(fx);

    private sealed class Disposer(LedgerFixture fx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await fx.DisposeAsync();
    }
}
