using Ledger.Api.Features.Snapshots;
using Ledger.Api.Features.Admin;
using Ledger.Api.Features.Agencies;
using Ledger.Api.Features.Audit;
using Ledger.Api.Features.Discovery;
using Ledger.Api.Features.Evaluations;
using Ledger.Api.Features.Exports;
using Ledger.Api.Features.Reads;
using Ledger.Api.Features.PerformanceYears;
using Ledger.Api.Features.Renstras;
using Ledger.Api.Features.Users;
using Ledger.Api.Commands;

namespace Ledger.Api.Infrastructure;

public static class ApiRegistration
{
    public static void AddLedgerApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddLedgerProblemDetails();
        services.ConfigureHttpJsonOptions(o => Ledger.Storage.LedgerJson.ApplyTo(o.SerializerOptions)); // the one dialect, for reads and problems too
        services.AddSingleton<TokenAuthenticator>();
        builder.AddLedgerCommands();
        services.AddUserValidators();
        services.AddAgencyValidators();
        services.AddLedgerOpenApi();
        services.AddReads();
        services.AddRenstraValidators();
        services.AddPkValidators();
        services.AddPkProposalValidators();
        services.AddEvaluationValidators();
        services.AddRealizationValidators();
        services.AddBudgetValidators();
        services.AddClaimValidators();
        services.AddClosingYearValidators();
        services.AddAudit();
        builder.AddDemoImport();
        builder.AddReadModels();
    }

    /// <summary>
    /// The pipeline in front of every endpoint, in order: bearer token (401), the endpoint's access metadata (403), the
    /// audit guard (503 for writes while the audit layer is broken), the WAL position of writes and the standby reads
    /// (<see cref="StandbyReads"/>), the command middleware (Wolverine chains: headers,
    /// retries, the failure table); then the reads (minimal API) and the commands (Wolverine endpoints, routes in their
    /// attributes).
    /// </summary>
    public static void MapLedgerApi(this WebApplication app)
    {
        app.MapOpenApi(); // GET /openapi/v1.json, no token needed
        app.MapLedgerDocs(); // GET /docs, the interactive reference over it
        app.UseBearerTokens();
        app.UseEndpointAccess();
        app.UseAuditGuard();
        app.UseWalPositions(); // Ledger-Lsn on every successful write when a standby is configured (docs/replication.md)
        app.UseStandbyReads(); // with ConnectionStrings__LedgerStandby: the main reads from the standby, read-your-writes
        app.UseMiddleware<CommandMiddleware>();
        var api = app.MapGroup("/api");
        api.MapReadEndpoints();
        api.MapPkProposalEndpoints();
        api.MapRenstraProposalEndpoints();
        api.MapEvaluationEndpoints();
        api.MapAuditEndpoints();
        api.MapSnapshotEndpoints();
        api.MapProjectionAdminEndpoints();
        api.MapDiscoveryEndpoints();
        api.MapExportEndpoints();
        app.MapLedgerCommands();
    }
}
