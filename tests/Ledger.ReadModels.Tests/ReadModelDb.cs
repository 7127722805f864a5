using JasperFx.Events.Daemon;
using Ledger.Domain;
using Ledger.ReadModels;
using Ledger.Storage;
using Ledger.Testing.Postgres;
using Marten;
using Npgsql;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// A fresh Ledger database with the read models, set up as the service's owner would (Marten's schema for this
/// configuration and the audit layer, the readmodels migrations, the grants), and a Marten store running as a login role
/// with exactly the service's grants (AutoCreate.None), whose daemon the tests build and run.
/// </summary>
internal sealed class ReadModelDb : IAsyncDisposable
{
    private ReadModelDb(TestDatabase database, string serviceConnectionString, DocumentStore store, SakipCombinedProjection projection)
    {
        Database = database;
        ServiceConnectionString = serviceConnectionString;
        Service = NpgsqlDataSource.Create(serviceConnectionString);
        Store = store;
        Projection = projection;
    }

    public TestDatabase Database { get; }
    public NpgsqlDataSource Owner => Database.Owner;
    public string ServiceConnectionString { get; }
    public NpgsqlDataSource Service { get; }
    public DocumentStore Store { get; }
    /// <summary>Projection <c>sakip</c> as registered in <see cref="Store"/>.</summary>
    public SakipCombinedProjection Projection { get; }
    public SakipStateProjection State => Projection.State;

    /// <summary>The shard of projection <c>sakip</c> (<c>sakip:All</c>), as the daemon's tracker names it.</summary>
    public const string Shard = "sakip:All";

    public static async Task<ReadModelDb> CreateAsync(int batchSize = SakipProjection.DefaultBatchSize, Action<StoreOptions>? more = null)
    {
        var database = await TestCluster.CreateLedgerDatabaseAsync("rm");
        await LedgerSchema.MigrateAsync(database.OwnerConnectionString, o => SakipReadModels.Register(o));
        await ReadModelSchema.MigrateAsync(database.Owner);
        var service = await database.CreateLedgerServiceRoleAsync();
        await ReadModelSchema.GrantServiceRoleAsync(database.Owner, new NpgsqlConnectionStringBuilder(service).Username!);
        var (store, projection) = BuildStore(service, batchSize, more);
        return new ReadModelDb(database, service, store, projection);
    }

    /// <summary>
    /// A Marten store as the service role, with projection <c>sakip</c> registered and fast polling; another one on the
    /// same database is a second process (nothing in its memory).
    /// </summary>
    public static (DocumentStore Store, SakipCombinedProjection Projection) BuildStore(string serviceConnectionString,
        int batchSize = SakipProjection.DefaultBatchSize, Action<StoreOptions>? more = null)
    {
        SakipCombinedProjection projection = null!;
        var store = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, serviceConnectionString);
            projection = SakipReadModels.Register(o, batchSize);
            o.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
            o.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(200);
            more?.Invoke(o);
        });
        return (store, projection);
    }

    public async Task<IProjectionDaemon> StartDaemonAsync()
    {
        var daemon = await Store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        return daemon;
    }

    /// <summary>Appends through Marten as a command does, with Ledger's headers (actor, reason, agency from the stream key).</summary>
    public async Task AppendAsync(string stream, IReadOnlyList<IDomainEvent> events, CancellationToken ct = default)
    {
        await using var session = Store.LightweightSession();
        Stamp(session, stream);
        session.Events.Append(stream, events.Cast<object>().ToArray());
        await session.SaveChangesAsync(ct);
    }

    public static void Stamp(IDocumentSession session, string stream)
    {
        var agency = StreamKey.AgencyOf(stream) ?? "";
        session.SetHeader(EventHeaders.Actor, new Dictionary<string, string>
        {
            ["id"] = "u-" + agency, ["name"] = "Perencana " + agency, ["nip"] = "198004122000031003", ["role"] = "staff", ["agency"] = agency,
        });
        session.SetHeader(EventHeaders.Reason, "test " + stream);
        session.SetHeader(EventHeaders.Agency, agency);
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] ps) => await Database.ScalarAsync<T>(sql, ps);

    public Task<long> HeadAsync() => ScalarAsync<long>("SELECT coalesce(max(seq_id), 0) FROM ledger.mt_events");

    /// <summary>Waits until the named projections' committed progression (as the service role reads it) is at the head of the log.</summary>
    public async Task WaitForCatchUpAsync(IProjectionDaemon daemon, TimeSpan timeout, params string[] names)
    {
        if (names.Length == 0) names = [.. SakipReadModels.Names];
        var head = await HeadAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await SakipReadModels.StatusAsync(Service);
            if (status.Where(s => names.Contains(s.Projection)).All(s => s.Position >= head)) return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"not caught up to {head} after {timeout}: " + Describe(daemon, status));
            await Task.Delay(25);
        }
    }

    public static string Describe(IProjectionDaemon daemon, IEnumerable<ProjectionShardStatus> status) =>
        string.Join("; ", status.Select(s => $"{s.Shard}@{s.Position} {daemon.Tracker.CurrentState(s.Shard)?.AgentStatus} {daemon.Tracker.CurrentState(s.Shard)?.Failure?.Message}"));

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        await Service.DisposeAsync();
        await Database.DisposeAsync();
    }
}
