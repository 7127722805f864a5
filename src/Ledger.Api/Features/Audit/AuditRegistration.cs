using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ledger.Api.Features.Audit;

/// <summary>The Inspektorat's reads (issue 5): history, findings, verification. docs/api-notes.md "## Audit".</summary>
public static class AuditRegistration
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLoader>();
        services.TryAddSingleton(TimeProvider.System); // another feature may register its own clock (tests)
        return services;
    }

    public static void MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapHistoryEndpoints();
        api.MapFindingsEndpoints();
        api.MapVerifyEndpoints();
    }
}
