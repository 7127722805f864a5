using Ledger.EventStore;

namespace Ledger.Api.Infrastructure;

public static class DatabaseRegistration
{
    /// <summary>Opens (or starts) the database before the host is built, so a broken database stops start-up with a clear message.</summary>
    public static async Task AddLedgerDatabaseAsync(this WebApplicationBuilder builder)
    {
        using var bootstrapLogs = LoggerFactory.Create(b => b.AddConsole().AddConfiguration(builder.Configuration.GetSection("Logging")));
        var log = bootstrapLogs.CreateLogger("Ledger.Database");
        var database = await LedgerDatabase.OpenAsync(builder.Configuration, log);

        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<IEventStore>(_ => new PostgresEventStore(database.Service));
        builder.Services.AddHostedService<DatabaseLifetime>();
    }

    /// <summary>Stops a local cluster when the service stops (also on Ctrl+C).</summary>
    private sealed class DatabaseLifetime(LedgerDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
        public async Task StopAsync(CancellationToken ct) => await database.DisposeAsync();
    }
}
