using System.Net;
using System.Text.Json;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears.CorrectingRealization;

namespace Ledger.Api.Tests.Reads;

/// <summary>
/// Issue 13 (reads ≥ 2 000/s): a read at the head whose streams the request names (indicator, performance table, PK,
/// PK diff) asks their versions in the same query that checks the caller's token against the user directory
/// (<c>HeadsPrefetch</c>): one round trip to PostgreSQL when the service's cache holds the streams. The prefetched
/// heads must be as current as the read's own query was: a revoked token is refused at once and an event appended
/// behind the service's back is in the next answer.
/// </summary>
public sealed class HeadsPrefetchTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private SeedEvents Seed => new(f);

    [Fact]
    public async Task WarmReadsWithAUserToken_AskPostgreSqlOnce_AsOfReadsStillAskForThemselves()
    {
        var (agency, _, token) = await SeededAgencyWithStaffAsync();
        using var client = f.CreateClient();
        var year = SurakartaSeed.Year;
        string[] reads =
        [
            $"/api/agencies/{agency}/indicators/I1?year={year}",
            $"/api/agencies/{agency}/performance/{year}",
            $"/api/agencies/{agency}/pk/{year}",
            $"/api/agencies/{agency}/pk/{year}/diff",
        ];
        foreach (var url in reads)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, url, token)).Status); // the cache holds the streams now
            var (status, queries) = await CountQueriesAsync(client, url, token);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(queries == 1, $"{url}: {queries} queries, expected one (directory and heads together)");
        }

        // An as-of read asks no heads: its authentication asks the directory alone and the read loads for itself.
        var asOf = $"/api/agencies/{agency}/indicators/I1?year={year}&asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}";
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, asOf, token)).Status);
        var (asOfStatus, asOfQueries) = await CountQueriesAsync(client, asOf, token);
        Assert.Equal(HttpStatusCode.OK, asOfStatus);
        Assert.True(asOfQueries > 1, $"as-of read: {asOfQueries} queries");
    }

    [Fact]
    public async Task APrefetchedRead_SeesAnEventAppendedBehindTheServicesBack()
    {
        var (agency, _, token) = await SeededAgencyWithStaffAsync();
        using var client = f.CreateClient();
        var url = $"/api/agencies/{agency}/indicators/I1?year={SurakartaSeed.Year}";
        var first = await GetAsync(client, url, token);
        Assert.Equal(0.75m, first.Body.GetProperty("annualValue").GetDecimal());

        var appended = await Seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.71m, "Koreksi hasil verifikasi"));
        var second = await GetAsync(client, url, token);
        Assert.Equal(0.71m, second.Body.GetProperty("annualValue").GetDecimal());
        Assert.Equal(appended.Version, second.Body.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task ARevokedToken_IsRefusedByThePrefetchingReads_FromTheNextRequestOn()
    {
        var (agency, id, token) = await SeededAgencyWithStaffAsync();
        using var client = f.CreateClient();
        var url = $"/api/agencies/{agency}/performance/{SurakartaSeed.Year}";
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, url, token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, url, token)).Status); // directory and streams cached

        using var revoke = new HttpRequestMessage(HttpMethod.Post, $"/api/users/{id}/revoke")
        {
            Content = new StringContent("""{ "reason": "Pindah tugas" }""", System.Text.Encoding.UTF8, "application/json"),
        };
        revoke.Headers.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
        using (var revoked = await client.SendAsync(revoke)) Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(client, url, token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(client, $"/api/agencies/{agency}/pk/{SurakartaSeed.Year}", token)).Status);
    }

    /// <summary>A new agency with Surakarta's full year (SurakartaSeed) and a staff user of it: (agency, user id, token).</summary>
    private async Task<(string Agency, string Id, string Token)> SeededAgencyWithStaffAsync()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        var (id, token) = await CreateUserAsync("staff", agency);
        return (agency, id, token);
    }

    private async Task<(string Id, string Token)> CreateUserAsync(string role, string agency)
    {
        using var client = f.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users")
        {
            Content = new StringContent($$"""{ "name": "Dwi Lestari", "role": "{{role}}", "agency": "{{agency}}" }""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
        using var created = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("token").GetString()!);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new("Bearer", token);
        using var r = await client.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static async Task<(HttpStatusCode Status, int Queries)> CountQueriesAsync(HttpClient client, string url, string token)
    {
        var (status, _, queries) = await QueryTrace.GetAsync(client, url, token);
        return (status, queries.Count);
    }
}
