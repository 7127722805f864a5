using Microsoft.Extensions.Hosting;

namespace Ledger.Projections;

/// <summary>Hosts a <see cref="ProjectionDaemon"/> for the lifetime of the service (register as a hosted service).</summary>
public sealed class ProjectionDaemonService(ProjectionDaemon daemon) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => daemon.RunAsync(stoppingToken);
}
