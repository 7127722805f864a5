using System.Text.RegularExpressions;
using Alba;

namespace Ledger.Api.Tests;

/// <summary>GET /docs: the interactive API reference (Scalar), served entirely by the service, no token needed.</summary>
public sealed partial class DocsTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [GeneratedRegex("""<script[^>]*\bsrc\s*=\s*["']([^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSources();

    [GeneratedRegex("""https?://|//[a-z0-9.-]+\.[a-z]{2,}/""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [Fact]
    public async Task GetDocs_NoToken_ServesHtmlWhoseScriptsAreLocalAndAnswer200()
    {
        using var client = f.CreateClient();
        using var response = await client.GetAsync("/docs/");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        // The reference reads the service's own document (Scalar resolves the relative source against the site's root).
        Assert.Contains("\"url\":\"openapi/v1.json\"", html);
        // Nothing from a CDN: no default fonts, no telemetry.
        Assert.Contains("\"withDefaultFonts\":false", html);
        Assert.Contains("\"telemetry\":false", html);

        var scripts = ScriptSources().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.DoesNotMatch(ExternalUrl(), string.Join(" ", scripts));
        Assert.DoesNotContain("cdn.jsdelivr.net", html);
        foreach (var src in scripts)
        {
            var url = new Uri(new Uri("http://localhost/docs/"), src).PathAndQuery;
            using var script = await client.GetAsync(url);
            Assert.True(script.IsSuccessStatusCode, $"{url}: {(int)script.StatusCode}");
            Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 1000, $"{url} is almost empty");
        }

        // /docs without the slash redirects to it; the document it reads needs no token either.
        using var bare = await client.GetAsync("/docs");
        Assert.True((int)bare.StatusCode is 200 or 301 or 302, $"{(int)bare.StatusCode}");
        using var doc = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(200, (int)doc.StatusCode);
    }
}
