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
    /// <summary>
    /// GET /docs: Scalar's interactive API reference over <c>/openapi/v1.json</c>, no token needed (outside /api). Its
    /// script is the bundle embedded in Scalar.AspNetCore, served by this service under /docs/ (no CDN).
    /// </summary>
    public static void MapLedgerDocs(this WebApplication app) =>
        Scalar.AspNetCore.ScalarEndpointRouteBuilderExtensions.MapScalarApiReference(app, "/docs", o =>
        {
            o.Title = "Ledger API";
            o.OpenApiRoutePattern = "/openapi/{documentName}.json";
            o.DefaultFonts = false; // Inter and JetBrains Mono would come from Scalar's CDN
            o.Telemetry = false;
        }).ExcludeFromDescription();

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
            o.AddSchemaTransformer((schema, context, _) =>
            {
                // Closed word sets as enums (the wire words of Ledger.Domain.Wire and the roles); decimals say so.
                if (context.JsonPropertyInfo is { } property && schema.Type is { } type && type.HasFlag(JsonSchemaType.String)
                    && OpenApiEnums.For(property.DeclaringType, property.Name) is { } words)
                {
                    schema.Enum = [.. words.Select(w => (JsonNode)JsonValue.Create(w))];
                    if (type.HasFlag(JsonSchemaType.Null)) schema.Enum.Add(null!);
                }
                // A field that may be null is optional: not in "required" (records' constructor parameters all land there).
                if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
                {
                    foreach (var (name, p) in properties)
                        if (p.Type is { } pt && pt.HasFlag(JsonSchemaType.Null)) required.Remove(name);
                }
                if ((Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type) == typeof(decimal))
                {
                    schema.Format = "decimal";
                }
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(async (operation, context, ct) =>
            {
                // Path and query parameters: the demo data's values (ops/datasets/surakarta-2023).
                foreach (var parameter in operation.Parameters ?? [])
                {
                    if (parameter is not OpenApiParameter p || p.Name is not { } n || !OpenApiExamples.Parameters.TryGetValue(n, out var value)) continue;
                    // A year read from the query as text gets "2023", a route-constrained {year:int} 2023.
                    p.Example = p.Schema?.Type is { } t && t.HasFlag(JsonSchemaType.String) && value.GetValueKind() == System.Text.Json.JsonValueKind.Number
                        ? JsonValue.Create(value.ToJsonString())
                        : value.DeepClone();
                }
                // Commands read their body themselves (Commands/CommandBody.cs), so the body type comes from their metadata.
                if (operation.RequestBody is null &&
                    context.Description.ActionDescriptor.EndpointMetadata.OfType<Commands.CommandBodyAttribute>().FirstOrDefault() is { } body)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.BodyType, null, ct) },
                        },
                    };
                }
                // Wolverine adds a name of its own (the chain's) besides the endpoint's [EndpointName]: the attribute wins.
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var name = metadata.OfType<EndpointNameAttribute>().FirstOrDefault()?.EndpointName
                           ?? metadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
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
            });
        });
}

/// <summary>Which string properties are enumerations, by their JSON name and, where a name means different things, their type.</summary>
public static class OpenApiEnums
{
    private static readonly IReadOnlyList<string> PkKinds = ["murni", "perubahan"];

    public static IReadOnlyList<string>? For(Type declaring, string name) => (name, declaring.Name) switch
    {
        ("role", _) => Ledger.Domain.Users.Roles.All,
        ("level", not "ProjectionHealth") => Ledger.Domain.Wire.LevelWords,
        ("polarity", _) => Ledger.Domain.Wire.PolarityWords,
        ("period", _) => Ledger.Domain.Wire.PeriodWords,
        ("aggregation", _) => Ledger.Domain.Wire.AggregationWords,
        ("lowerFormula", _) => Ledger.Domain.Wire.LowerFormulaWords,
        ("kind", "IndicatorBody" or "IndicatorSummaryBody" or "RowBody" or "AddIndicatorBody") => Ledger.Domain.Wire.KindWords,
        ("kind", "PkBody" or "PkVersionBody") => PkKinds,
        ("kind", "ChangeBody") => [.. Ledger.Domain.DomainEventTypes.All.Select(e => e.Name)],
        ("ground", "PkBody" or "PkVersionBody" or "PkRevisionBody") => Ledger.Domain.Wire.GroundWords,
        ("ground", "ProposalBody") when declaring.DeclaringType?.Name == "PkProposalEndpoints" => Ledger.Domain.Wire.GroundWords,
        _ => null,
    };
}

/// <summary>Request examples, with the Surakarta LKjIP 2023 numbers where the contract has them.</summary>
public static class OpenApiExamples
{
    /// <summary>Path and query parameter examples: the demo dataset's agency, indicator and budget line codes.</summary>
    public static readonly Dictionary<string, JsonNode> Parameters = new()
    {
        ["agency"] = JsonValue.Create("bkpsdm-surakarta"),
        ["code"] = JsonValue.Create("I2"),
        ["year"] = JsonValue.Create(2023),
        ["periodStart"] = JsonValue.Create(2021),
        ["asOf"] = JsonValue.Create("2024-01-15T00:00:00+07:00"),
        ["kind"] = JsonValue.Create("realization.corrected.v1"),
        ["actor"] = JsonValue.Create("perencana"),
        ["from"] = JsonValue.Create("2023-01-01"),
        ["to"] = JsonValue.Create("2023-12-31"),
    };

    public static readonly Dictionary<string, string> Requests = new()
    {
        ["RebuildProjections"] = """{ "projection": "sakip" }""",
        ["CreateUser"] = """{ "name": "Sri Wahyuni", "nip": "198004122000031003", "role": "staff", "agency": "bkpsdm-surakarta" }""",
        ["IssueUserToken"] = """{ "reason": "Token hilang bersama laptop dinas" }""",
        ["RevokeUserToken"] = """{ "reason": "Pegawai pindah tugas ke perangkat daerah lain" }""",
        ["RegisterAgency"] = """{ "code": "bkpsdm-surakarta", "name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Surakarta" }""",
        ["SetRatingScale"] = """
            { "name": "Surakarta LKjIP (55 made explicit)", "effectiveFromYear": 2023, "bands": [
              { "label": "Sangat Berhasil", "min": 85, "minInclusive": false, "max": null, "maxInclusive": false },
              { "label": "Berhasil", "min": 70, "minInclusive": false, "max": 85, "maxInclusive": true },
              { "label": "Cukup Berhasil", "min": 55, "minInclusive": false, "max": 70, "maxInclusive": true },
              { "label": "Kurang Berhasil", "min": 0, "minInclusive": true, "max": 55, "maxInclusive": true } ] }
            """,
        ["CreateRenstra"] = """{ "periodStart": 2021, "periodEnd": 2026, "title": "Renstra BKPSDM Kota Surakarta 2021-2026", "decree": "Perwali 29/2021" }""",
        ["AddRenstraIndicator"] = """
            { "code": "I2", "name": "Persentase ASN yang ditempatkan sesuai kompetensinya", "level": "sasaran", "kind": "IKU",
              "unit": "%", "polarity": "higher", "aggregation": "annual", "baseline": 70, "baselineYear": 2022,
              "targets": { "2022": 70, "2023": 75, "2026": 90 }, "endTarget": 90, "targetsSource": "LKjIP 2023 Tabel 3.3" }
            """,
        ["DeclareRenstraTargets"] = """
            { "indicator": "I2", "source": "LKjIP 2023 tabel indikator capaian dan sasaran (L990)", "targets": { "2026": 90 },
              "note": "the same indicator printed again in the report's final table" }
            """,
        ["ReviseRenstra"] = """{ "reason": "Penyesuaian target dengan RPJMD perubahan", "legalBasis": "Perwali 12/2023", "changes": [ { "indicator": "I2", "year": 2024, "target": 80 } ] }""",
        ["SignPk"] = """
            { "signedOn": "2023-01-02", "signer": { "name": "Kepala BKPSDM", "nip": "197001011995031001", "position": "Kepala Badan" },
              "targets": [ { "indicator": "I7", "target": 1.48 }, { "indicator": "I2", "target": 90 }, { "indicator": "I8", "target": 90 } ] }
            """,
        ["RevisePk"] = """
            { "reason": "Perubahan anggaran; perubahan volume target", "ground": "budget-change", "signedOn": "2023-10-02",
              "signer": { "name": "Kepala BKPSDM", "nip": "197001011995031001", "position": "Kepala Badan" },
              "targets": [ { "indicator": "I7", "target": 1.85 }, { "indicator": "I2", "target": 93 }, { "indicator": "I8", "target": 93 } ] }
            """,
        ["RecordRealization"] = """{ "indicator": "I2", "year": 2023, "period": "Y", "value": 75, "evidence": "LKjIP 2023 Tabel 3.3", "claimedCapaian": 100, "claimedProgress": 100 }""",
        ["CorrectRealization"] = """{ "indicator": "I2", "year": 2023, "period": "Y", "value": 87, "reason": "Data penempatan diperbarui (5.905 pegawai)" }""",
        ["EnactBudget"] = """
            { "lines": [
                { "code": "P1", "name": "Program Penunjang Urusan Pemerintahan Daerah", "pagu": 15625599024 },
                { "code": "P1.2", "name": "Administrasi Keuangan Perangkat Daerah", "parent": "P1", "pagu": 13368926766 } ],
              "declaredTotals": [ { "code": "total", "amount": 22278221230 } ] }
            """,
        ["ReviseBudget"] = """{ "reason": "APBD perubahan 2023: refocusing", "lines": [ { "code": "P1", "pagu": 8460444119 }, { "code": "P1.2", "pagu": 6368411100 } ] }""",
        ["RecordSpending"] = """{ "code": "P1.2", "amount": 6000000000, "period": "Y", "claimedEfficiency": 5.79 }""",
        ["DeclareBudgetTotals"] = """
            { "source": "LKjIP 2023 Kesimpulan (L1069)",
              "totals": [ { "code": "total", "pagu": 14231127419, "spent": 13598914845, "claimedEfficiencyAmount": 502637577, "claimedEfficiency": 3.64,
                           "claimedAbsorption": 96 } ] }
            """,
        ["DeclareClaims"] = """
            { "source": "LKjIP 2023 Tabel 3.5",
              "claims": [ { "indicator": "I5", "period": "Y", "claimedProgress": 100, "note": "realisasi 2023 kosong; 'Tidak ada penilaian'" } ] }
            """,
        ["ApprovePkRevision"] = """{ "note": "Disetujui Kepala BKPSDM" }""",
        ["RejectPkRevision"] = """{ "reason": "Belum ada dasar APBD perubahan" }""",
        ["ApproveRenstraRevision"] = """{ "note": "Disetujui Kepala BKPSDM" }""",
        ["RejectRenstraRevision"] = """{ "reason": "Menunggu RPJMD perubahan ditetapkan" }""",
        ["RecordEvaluation"] = """
            { "score": 72.31, "predikat": "BB", "components": { "perencanaan": 21.40, "pengukuran": 22.16, "pelaporan": 11.25, "evaluasiInternal": 17.50 },
              "recommendations": [ "Selaraskan IKU Renstra dengan Perjanjian Kinerja", "Lengkapi data dukung realisasi triwulanan" ],
              "reportNumber": "700/123/LHE/2024", "indicator": "NSAKIP" }
            """,
        ["RecordEvaluationFollowUp"] = """{ "action": "Reviu IKU bersama Bappeda", "status": "in-progress", "evidence": "Notulen 12-03-2024" }""",
        ["CloseYear"] = """{ "note": "LKjIP 2023 ditandatangani 31-12-2023" }""",
    };
}
