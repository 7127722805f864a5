using Ledger.Api.Features.Snapshots;
using Ledger.Api.Features.Admin;
using Ledger.Api.Features.Agencies;
using Ledger.Api.Features.Audit;
using Ledger.Api.Features.Evaluations;
using Ledger.Api.Features.Reads;
using Ledger.Api.Features.PerformanceYears;
using Ledger.Api.Features.Renstras;
using Ledger.Api.Features.Users;
using Ledger.Commands;

namespace Ledger.Api.Infrastructure;

public static class ApiRegistration
{
    public static void AddLedgerApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.NumberHandling = DomainCommands.Json.NumberHandling;
            o.SerializerOptions.PropertyNamingPolicy = DomainCommands.Json.PropertyNamingPolicy;
        });
        services.AddSingleton(sp => new IdempotencyStore(sp.GetRequiredService<LedgerDatabase>().Service));
        services.AddSingleton<TokenAuthenticator>();
        services.AddCommandPipeline(o =>
        {
            o.Json = DomainCommands.Json;
            o.Metadata = (http, _) => new CommandMetadata { Actor = http.User().ToActor(), Reason = DomainCommands.Reason(http) };
        });
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
        // Read models: ported to Marten's async daemon on branch readmodels-marten; wired back when merged.
    }

    public static void MapLedgerApi(this WebApplication app)
    {
        app.MapOpenApi(); // GET /openapi/v1.json, no token needed
        app.UseBearerTokens();
        var api = app.MapGroup("/api");
        api.MapUserEndpoints();
        api.MapAgencyEndpoints();
        api.MapReadEndpoints();
        api.MapRenstraEndpoints();
        api.MapPkEndpoints();
        api.MapPkProposalEndpoints();
        api.MapRenstraProposalEndpoints();
        api.MapEvaluationEndpoints();
        api.MapRealizationEndpoints();
        api.MapBudgetEndpoints();
        api.MapClaimEndpoints();
        api.MapClosingYearEndpoints();
        api.MapAuditEndpoints();
        api.MapSnapshotEndpoints();
    }
}
