using Ledger.Audit;
using Ledger.Storage;
using Marten;
using Wolverine.Marten;

namespace Ledger.Api.Infrastructure;

public static class DatabaseRegistration
{
    /// <summary>
    /// Opens (or starts) the database before the host is built, so a broken database stops start-up with a clear message;
    /// then registers Marten as the restricted service role (never creating schema objects: the owner did, above) and the
    /// one stream loader.
    /// </summary>
    public static async Task AddLedgerDatabaseAsync(this WebApplicationBuilder builder)
    {
        // A wrong setting stops the start here, before the database is opened or anything runs.
        var readModelSettings = ReadModelSettings.From(builder.Configuration);
        using var bootstrapLogs = LoggerFactory.Create(b => b.AddConsole().AddConfiguration(builder.Configuration.GetSection("Logging")));
        var log = bootstrapLogs.CreateLogger("Ledger.Database");
        var database = await LedgerDatabase.OpenWaitingAsync(builder.Configuration, log);
        // A self-provisioned cluster with no configured administrator: its own token, so the newcomer can sign in.
        if (database.LocalAdminToken is { } local && string.IsNullOrEmpty(builder.Configuration["Ledger:BootstrapAdminToken"]))
            builder.Configuration["Ledger:BootstrapAdminToken"] = local;

        builder.Services.AddSingleton(database);
        var readModels = new RegisteredReadModels();
        builder.Services.AddSingleton(readModels);
        builder.Services.AddSingleton(readModelSettings);
        // Before Marten's daemon (hosted services start in the order they were added), so its first page already has them.
        builder.Services.AddHostedService<SnapshotStartsWiring>();
        builder.Services.AddMarten(o =>
            {
                LedgerMarten.Configure(o, database.ServiceConnectionString);
                readModels.Sakip = ReadModelRegistration.Configure(o, readModelSettings);
            })
            .UseLightweightSessions()
            // The SAKIP read models: one leader per database runs them; another node takes over when it dies (issue 4).
            .AddAsyncDaemon(JasperFx.Events.Daemon.DaemonMode.HotCold)
            .IntegrateWithWolverine(w => w.MessageStorageSchemaName = Commands.CommandRegistration.WolverineSchema);
        // Ledger:StreamEventCache: how many events the one stream loader keeps between reads (StreamEventCache); 0 turns it off.
        builder.Services.AddSingleton(sp => new StreamLoader(sp.GetRequiredService<IDocumentStore>(), database.Service,
            new StreamEventCache(builder.Configuration.GetValue("Ledger:StreamEventCache", StreamEventCache.DefaultCapacity))));
        var snapshots = new StreamSnapshots(database.Service, database.SnapshotKey);
        builder.Services.AddSingleton(snapshots);
        // The daemon re-folds a year or Renstra stream it does not hold from its newest usable snapshot (issue 13: first touches).
        builder.Services.AddSingleton(sp => new Features.Snapshots.SnapshotStarts(snapshots, sp.GetService<ILogger<Features.Snapshots.SnapshotStarts>>()));
        builder.Services.AddSingleton<AuditGuard>();
        builder.Services.AddHostedService<DatabaseLifetime>();
        builder.Services.AddHostedService<LogHeadCatchUp>();
        builder.Services.AddHostedService<ReadModelMemoryRelease>();
    }

    /// <summary>
    /// For <c>codegen write</c> only: the same service registrations with a connection string that is never opened, so that
    /// writing Wolverine's generated code needs no database.
    /// </summary>
    public static void AddLedgerDatabaseForCodegen(this WebApplicationBuilder builder)
    {
        const string never = "Host=codegen.invalid;Database=codegen";
        builder.Services.AddSingleton(new RegisteredReadModels());
        builder.Services.AddMarten(o =>
            {
                LedgerMarten.Configure(o, never);
                ReadModelRegistration.Configure(o);
            }).UseLightweightSessions()
            .IntegrateWithWolverine(w => w.MessageStorageSchemaName = Commands.CommandRegistration.WolverineSchema);
        builder.Services.AddSingleton(sp => new StreamLoader(sp.GetRequiredService<IDocumentStore>(), Npgsql.NpgsqlDataSource.Create(never)));
    }

    /// <summary>Hands the read models' daemon its year and Renstra streams' starts (<see cref="Features.Snapshots.SnapshotStarts"/>).</summary>
    /// <remarks>Takes the store first: building it runs Marten's configuration, which registers the projection.</remarks>
    private sealed class SnapshotStartsWiring(IDocumentStore store, RegisteredReadModels readModels, Features.Snapshots.SnapshotStarts starts) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            _ = store;
            if (readModels.Sakip is { } sakip)
            {
                sakip.State.YearStarts = starts;
                sakip.State.RenstraStarts = starts;
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>Checks the audit layer at start (and stops the cluster when the service stops, also on Ctrl+C).</summary>
    private sealed class DatabaseLifetime(LedgerDatabase database, AuditGuard guard, ILogger<DatabaseLifetime> log) : IHostedService
    {
        public async Task StartAsync(CancellationToken ct)
        {
            var phases = new StartupPhases();
            await database.MigrateWolverineAsync(database.GrantedRole, ct);
            phases.Done("Wolverine's tables");
            var problems = await guard.CheckAsync(ct);
            phases.Done("audit layer check");
            log.LogInformation("Database checked: {Phases}.", phases);
            foreach (var p in problems) log.LogCritical("Audit layer: {Problem} Writes are refused until this is repaired.", p);
        }

        public async Task StopAsync(CancellationToken ct) => await database.DisposeAsync();
    }
}

/// <summary>
/// In the background after start: brings the chain of log heads up to the log's settled end (<see cref="LogHeads.CatchUpAsync"/>),
/// so that the first year close after an upgrade from format 3, or after a bulk load, hashes only its own few events
/// instead of the whole log. Usually a no-op of three short queries; never delays start-up or fails it.
/// </summary>
internal sealed class LogHeadCatchUp(LedgerDatabase database, ILogger<LogHeadCatchUp> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var head = await LogHeads.CatchUpAsync(database.Service, ct: stoppingToken);
            log.LogInformation("Chain of log heads at sequence {Head} ({Seconds:F1} s).", head, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            log.LogWarning("The chain of log heads was not brought up to date at start ({Error}); the next year close does it.", e.Message);
        }
    }
}

/// <summary>While the audit layer reports a problem, every write (any /api request that is not a GET) answers 503.</summary>
public static class AuditGuardMiddleware
{
    public static void UseAuditGuard(this WebApplication app) => app.Use(async (http, next) =>
    {
        if (HttpMethods.IsGet(http.Request.Method) || !http.Request.Path.StartsWithSegments("/api")
            || http.RequestServices.GetRequiredService<AuditGuard>().Problems is not { Count: > 0 } problems)
        {
            await next(http);
            return;
        }
        http.Response.Headers.RetryAfter = "60";
        await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Writes are suspended.",
            detail: "The audit layer is not intact, so nothing can be recorded as a ledger entry until it is repaired (see /health).",
            extensions: new Dictionary<string, object?> { ["auditProblems"] = problems }).ExecuteAsync(http);
    });
}

/// <summary>
/// The service's view of the audit layer (<see cref="AuditSchema.CheckAsync"/>, as the service role): refreshed at start
/// and on every /health. While it reports a problem, every write is refused with 503 (docs/security.md): an append that
/// the audit layer does not seal or protect is not a ledger entry.
/// </summary>
public sealed class AuditGuard(LedgerDatabase database)
{
    private volatile IReadOnlyList<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken ct)
    {
        _problems = await AuditSchema.CheckAsync(database.Service, ct);
        return _problems;
    }
}
