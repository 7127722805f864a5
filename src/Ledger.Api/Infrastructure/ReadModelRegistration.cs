using Ledger.Projections;
using Ledger.ReadModels;

namespace Ledger.Api.Infrastructure;

/// <summary>The SAKIP projections, as one list shared by the daemon, the rebuilds and the status reports.</summary>
public sealed record ProjectionSet(IReadOnlyList<IProjection> All)
{
    public IProjection? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}

/// <summary>
/// Issue 4: the read models run asynchronously in the service (ProjectionDaemonService, one leader per database); no
/// projection is inline, so an append never waits for a read model and the HTTP reads keep replaying streams.
/// </summary>
public static class ReadModelRegistration
{
    public static void AddReadModels(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(new ProjectionSet(SakipProjections.Create()));
        services.AddSingleton(sp => new ProjectionDaemon(
            sp.GetRequiredService<LedgerDatabase>().Service, sp.GetRequiredService<ProjectionSet>().All, new ProjectionDaemonOptions(),
            sp.GetRequiredService<ILogger<ProjectionDaemon>>()));
        services.AddHostedService(sp => new ProjectionDaemonService(sp.GetRequiredService<ProjectionDaemon>()));
        services.AddSingleton<ProjectionMonitor>();
        services.AddSingleton<ProjectionRebuilds>();
    }
}
