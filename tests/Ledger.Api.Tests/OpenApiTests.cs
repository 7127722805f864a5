using Alba;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

public sealed class OpenApiTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task GetOpenApi_NoToken_DescribesEveryApiEndpointWithExamplesAndBearerAuth()
    {
        var result = await f.Scenario(s => { s.Get.Url("/openapi/v1.json"); s.StatusCodeShouldBe(200); });
        var paths = result.JsonAt("paths");
        var documented = paths.EnumerateObject().Select(p => p.Name).ToHashSet();

        // Every mapped /api route is in the document.
        var routes = f.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(d => d.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(r => r.StartsWith("/api/", StringComparison.Ordinal))
            .Select(r => System.Text.RegularExpressions.Regex.Replace(r, @"\{([a-zA-Z]+)(:[^}]*)?\}", "{$1}"))
            .ToHashSet();
        Assert.NotEmpty(routes);
        Assert.Empty(routes.Except(documented));

        Assert.Equal("bkpsdm-surakarta", result.JsonAt("paths./api/agencies.post.requestBody.content[\"application/json\"].example.code").GetString());
        Assert.Equal("bearer", result.JsonAt("components.securitySchemes.bearer.scheme").GetString());

        // Every write (POST/PUT with a JSON body) carries a request example.
        var missing = new List<string>();
        foreach (var path in paths.EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "post" or "put"))
        {
            if (!op.Value.TryGetProperty("requestBody", out var rb)) continue;
            var hasExample = rb.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var media)
                             && media.TryGetProperty("example", out _);
            if (!hasExample) missing.Add($"{op.Name.ToUpperInvariant()} {path.Name}");
        }
        Assert.True(missing.Count == 0, "writes without an example: " + string.Join(", ", missing));
    }
}

public sealed class OpenApiResponseTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private async Task<System.Text.Json.JsonElement> DocumentAsync() =>
        (await f.Scenario(s => { s.Get.Url("/openapi/v1.json"); s.StatusCodeShouldBe(200); })).Json;

    [Fact]
    public async Task EveryApiOperation_HasA2xxResponseWithAJsonSchema()
    {
        var doc = await DocumentAsync();
        var missing = new List<string>();
        var operations = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
        {
            operations++;
            var ok = op.Value.TryGetProperty("responses", out var responses) && responses.EnumerateObject().Any(r =>
                r.Name.StartsWith('2') && r.Value.TryGetProperty("content", out var content)
                && content.EnumerateObject().Any(m => m.Value.TryGetProperty("schema", out _)
                                                      && (m.Name.Contains("json", StringComparison.Ordinal) || path.Name.EndsWith("/export", StringComparison.Ordinal))));
            if (!ok) missing.Add($"{op.Name.ToUpperInvariant()} {path.Name}");
        }
        Assert.True(operations > 30, $"only {operations} operations");
        Assert.True(missing.Count == 0, "operations without a 2xx JSON schema (a file for exports): " + string.Join(", ", missing));
    }

    /// <summary>The 2xx JSON schema of an operation, with a <c>$ref</c> (also an array's items) resolved in components.</summary>
    private static System.Text.Json.JsonElement Success(System.Text.Json.JsonElement doc, string path, string method, bool items = false)
    {
        var response = doc.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().First(r => r.Name.StartsWith('2')).Value;
        var schema = response.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (items) schema = schema.GetProperty("items");
        return Resolve(doc, schema);
    }

    private static System.Text.Json.JsonElement Resolve(System.Text.Json.JsonElement doc, System.Text.Json.JsonElement schema) =>
        schema.TryGetProperty("$ref", out var r) ? doc.GetProperty("components").GetProperty("schemas").GetProperty(r.GetString()!.Split('/')[^1]) : schema;

    private static List<string?> Enum(System.Text.Json.JsonElement doc, System.Text.Json.JsonElement schema, string property) =>
        Resolve(doc, schema.GetProperty("properties").GetProperty(property)).GetProperty("enum").EnumerateArray()
            .Select(e => e.ValueKind == System.Text.Json.JsonValueKind.Null ? null : e.GetString()).ToList();

    [Fact]
    public async Task Schemas_DescribeBodiesWithEnumsDecimalsNullableFieldsAndDemoExamples()
    {
        var doc = await DocumentAsync();

        // Reads: the records' shapes, the closed word sets as enums.
        var user = Success(doc, "/api/users", "get", items: true);
        Assert.Equal(["staff", "approver", "inspektorat", "admin"], Enum(doc, user, "role"));
        var indicator = Success(doc, "/api/agencies/{agency}/indicators", "get", items: true);
        Assert.Equal(["tujuan", "sasaran", "program", "kegiatan", "subkegiatan"], Enum(doc, indicator, "level"));
        Assert.Equal(["IKU", "IKK", "other"], Enum(doc, indicator, "kind"));
        Assert.Equal(["higher", "lower"], Enum(doc, indicator, "polarity"));
        var change = Resolve(doc, Success(doc, "/api/agencies/{agency}/changes", "get").GetProperty("properties").GetProperty("changes").GetProperty("items"));
        Assert.Contains("realization.corrected.v1", Enum(doc, change, "kind"));
        Assert.Equal([.. Ledger.Domain.Wire.PeriodWords, null], Enum(doc, change, "period"));
        var pk = Success(doc, "/api/agencies/{agency}/pk/{year}", "get");
        Assert.Equal(["murni", "perubahan"], Enum(doc, pk, "kind"));
        Assert.Equal(["official-change", "budget-change", "priority-change", null], Enum(doc, pk, "ground"));

        // Optional fields are nullable and not required; decimals are numbers with format decimal.
        var read = Success(doc, "/api/agencies/{agency}/indicators/{code}", "get");
        var capaian = read.GetProperty("properties").GetProperty("capaian");
        Assert.Equal("decimal", capaian.GetProperty("format").GetString());
        Assert.Contains("number", capaian.GetProperty("type").ToString());
        Assert.Contains("null", capaian.GetProperty("type").ToString());
        Assert.False(read.TryGetProperty("required", out var required) && required.EnumerateArray().Any(r => r.GetString() == "capaian"));

        // Commands: { streamId, version, eventIds }.
        var accepted = Success(doc, "/api/agencies/{agency}/realizations", "post");
        Assert.True(accepted.GetProperty("properties").TryGetProperty("streamId", out _));
        Assert.True(accepted.GetProperty("properties").TryGetProperty("version", out _));
        Assert.True(accepted.GetProperty("properties").TryGetProperty("eventIds", out _));
        var token = Success(doc, "/api/users/{id}/token", "post");
        Assert.True(token.GetProperty("properties").TryGetProperty("token", out _));

        // Examples use the demo data (ops/datasets/surakarta-2023).
        var parameters = doc.GetProperty("paths").GetProperty("/api/agencies/{agency}/indicators/{code}").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("example").ToString());
        Assert.Equal("bkpsdm-surakarta", parameters["agency"]);
        Assert.Equal("I2", parameters["code"]);
        Assert.Equal("I2", doc.GetProperty("paths").GetProperty("/api/agencies/{agency}/realizations").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("indicator").GetString());
    }
}
