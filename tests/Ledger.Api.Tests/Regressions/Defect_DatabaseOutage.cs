using System.Net;
using Ledger.Testing.Postgres;
using Npgsql;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Issue 11, item 9 (found in review): with the database out of reach every request answered a generic 500, which
/// clients report as a bug and do not retry. Now it is 503 with Retry-After and problem details saying how to retry a
/// write safely; when the database is back the service answers again without a restart.
/// </summary>
public sealed class Defect_DatabaseOutage : IAsyncLifetime
{
    private readonly TcpRelay _relay = new();
    private LedgerApiFactory _f = null!;

    public async Task InitializeAsync()
    {
        _f = new LedgerApiFactory { ServiceConnection = cs => _relay.Route(cs) };
        await ((IAsyncLifetime)_f).InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_f).DisposeAsync();
        _relay.Dispose();
    }

    [Fact]
    public async Task DatabaseUnreachable_ReadsWritesAndHealthAre503WithRetryAfter_AndTheServiceRecoversWhenItIsBack()
    {
        var agency = ApiClient.NewAgencyCode();
        await _f.RegisterAgencyAsync(agency);
        var staff = await _f.CreateUserAsync("staff", agency);
        var events = await _f.EventCountAsync();

        _relay.Cut();
        using var client = _f.CreateClient();
        var answers = new[]
        {
            await SendAsync(client, HttpMethod.Get, $"/api/agencies/{agency}/performance/2023", null),
            await SendAsync(client, HttpMethod.Get, $"/api/agencies/{agency}/performance/2023", null, staff), // the token is checked in the database
            await SendAsync(client, HttpMethod.Post, "/api/agencies", """{ "code": "bkd-outage", "name": "Badan Kepegawaian Daerah" }"""),
            await SendAsync(client, HttpMethod.Get, "/health", null),
        };

        foreach (var (status, retryAfter, body) in answers)
        {
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{status}: {body}");
            Assert.Equal("5", retryAfter);
            Assert.Contains("\"status\":503", body);
        }
        Assert.Contains("same Idempotency-Key", answers[2].Body);
        Assert.Equal(events, await _f.EventCountAsync()); // counted through the owner's direct connection

        _relay.Restore();
        NpgsqlConnection.ClearAllPools(); // the pool's broken connections; a real outage ends the same way after their first failure
        var back = await SendAsync(client, HttpMethod.Get, "/api/audit/verify", null);
        Assert.True(back.Status == HttpStatusCode.OK, back.Body);
        var write = await SendAsync(client, HttpMethod.Post, "/api/agencies", """{ "code": "bkd-after-outage", "name": "Badan Kepegawaian Daerah" }""");
        Assert.True(write.Status == HttpStatusCode.Created, write.Body);
    }

    private static async Task<(HttpStatusCode Status, string? RetryAfter, string Body)> SendAsync(HttpClient client, HttpMethod method, string url, string? json, string token = LedgerApiFactory.AdminToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Headers.RetryAfter?.ToString(), await response.Content.ReadAsStringAsync());
    }
}
