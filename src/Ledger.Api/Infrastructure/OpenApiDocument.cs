using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>: every endpoint, its problem responses, bearer authentication, and a
/// request example per write taken from <see cref="OpenApiExamples"/> (keyed by the endpoint's name).
/// </summary>
public static class OpenApiDocument
{
    public static void AddLedgerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info = new OpenApiInfo
                {
                    Title = "Ledger",
                    Version = "v1",
                    Description = "Event-sourced, audit-grade SAKIP ledger. Contract: shared/domain/api.md. Every /api call needs a bearer token.",
                };
                doc.Components ??= new OpenApiComponents();
                doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                doc.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A token from POST /api/users (shown once).",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
                if (name is not null && OpenApiExamples.Requests.TryGetValue(name, out var example) &&
                    operation.RequestBody?.Content is { } content && content.TryGetValue("application/json", out var media))
                {
                    media.Example = JsonNode.Parse(example);
                }
                if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] });
                }
                return Task.CompletedTask;
            });
        });
}

/// <summary>Request examples, with the Surakarta LKjIP 2023 numbers where the contract has them.</summary>
public static class OpenApiExamples
{
    public static readonly Dictionary<string, string> Requests = new()
    {
        ["CreateUser"] = """{ "name": "Sri Wahyuni", "nip": "198004122000031003", "role": "staff", "agency": "bkpsdm-surakarta" }""",
        ["RegisterAgency"] = """{ "code": "bkpsdm-surakarta", "name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Surakarta" }""",
        ["SetRatingScale"] = """
            { "name": "Surakarta LKjIP (55 made explicit)", "effectiveFromYear": 2023, "bands": [
              { "label": "Sangat Berhasil", "min": 85, "minInclusive": false, "max": null, "maxInclusive": false },
              { "label": "Berhasil", "min": 70, "minInclusive": false, "max": 85, "maxInclusive": true },
              { "label": "Cukup Berhasil", "min": 55, "minInclusive": false, "max": 70, "maxInclusive": true },
              { "label": "Kurang Berhasil", "min": 0, "minInclusive": true, "max": 55, "maxInclusive": true } ] }
            """,
    };
}
