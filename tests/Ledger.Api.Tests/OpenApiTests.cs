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
