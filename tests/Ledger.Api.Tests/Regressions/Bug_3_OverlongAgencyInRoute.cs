using System.Net;
using System.Text;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Bug 3 (found by the fuzz test): an {agency} route value longer than the event store's 200-character stream name
/// (e.g. 300 characters, or a long percent-encoded unicode string) made StreamName throw, so an admin write or read
/// answered 500. Agency codes are at most 100 characters, so such a route is now 404 before any endpoint runs.
/// </summary>
public sealed class Bug_3_OverlongAgencyInRoute(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Theory]
    [InlineData("POST", "realizations", """{ "indicator": "IKU-2", "year": 2023, "period": "Y", "value": 75 }""")]
    [InlineData("POST", "renstra", """{ "periodStart": 2021, "periodEnd": 2026, "title": "Renstra" }""")]
    [InlineData("GET", "pk/2023", null)]
    [InlineData("GET", "findings?year=2023", null)]
    public async Task Bug_3_OverlongAgency_AsAdmin_Is404NotA500(string method, string path, string? body)
    {
        using var client = f.CreateClient();
        foreach (var agency in new[] { new string('a', 300), Uri.EscapeDataString(string.Concat(Enumerable.Repeat("💥ä", 80))) })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/agencies/{agency}/{path}");
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            request.Headers.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }
}
