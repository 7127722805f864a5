using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Ledger.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static Ledger.Api.Tests.Security.SecurityHttp;

namespace Ledger.Api.Tests.Security;

/// <summary>Token revocation, body limit, security headers, the auth-failure rate limit, and no secrets in logs.</summary>
public sealed class HardeningTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task RevokeToken_AsAdmin_TheTokenGets401Afterwards_AndTheEventRecordsTheReason()
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        using var client = Client(f);
        using var created = await client.SendAsync(Request("POST", "/api/users", LedgerApiFactory.AdminToken,
            $$"""{ "name": "Sri Wahyuni", "role": "staff", "agency": "{{agency}}" }"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var id = json.RootElement.GetProperty("id").GetString();
        var token = json.RootElement.GetProperty("token").GetString();
        var read = $"/api/agencies/{agency}/findings?year=2023";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request("GET", read, token, null))).StatusCode);

        // Staff may not revoke; a reason is required; an unknown user is 404.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Request("POST", $"/api/users/{id}/revoke", token, """{ "reason": "x" }"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Request("POST", $"/api/users/{id}/revoke", LedgerApiFactory.AdminToken, """{ }"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Request("POST", $"/api/users/{Guid.NewGuid()}/revoke", LedgerApiFactory.AdminToken, """{ "reason": "x" }"""))).StatusCode);

        using var revoked = await client.SendAsync(Request("POST", $"/api/users/{id}/revoke", LedgerApiFactory.AdminToken, """{ "reason": "Pindah tugas" }"""));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        using var after = await client.SendAsync(Request("GET", read, token, null));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        await using var cmd = f.Database.Owner.CreateCommand(
            "SELECT count(*) FROM ledger.mt_events WHERE type = 'user.token-revoked.v1' AND data::text LIKE '%Pindah tugas%'");
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("/api/agencies/x/findings?year=2023")]
    [InlineData("/health")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/nothing-here")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string url)
    {
        using var client = Client(f);
        foreach (var token in new[] { LedgerApiFactory.AdminToken, null })
        {
            using var response = await client.SendAsync(Request("GET", url, token, null));
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
            Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
            if (url.StartsWith("/api", StringComparison.Ordinal)) Assert.Equal("no-store", Header(response, "Cache-Control"));
        }
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? string.Join(",", v)
        : r.Content.Headers.TryGetValues(name, out var c) ? string.Join(",", c) : null;

    [Theory]
    [InlineData("/api/users")]                          // hand-written endpoint
    [InlineData("/api/admin/projections/rebuild")]      // minimal API body binding
    [InlineData("/api/agencies")]                       // command pipeline
    public async Task BodyOverOneMegabyte_Is413ProblemDetails_Everywhere(string url)
    {
        using var client = Client(f);
        var big = "{ \"name\": \"" + new string('a', 1_100_000) + "\" }";
        using var request = Request("POST", url, LedgerApiFactory.AdminToken, big);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        // Without Content-Length (chunked) too.
        using var chunked = Request("POST", url, LedgerApiFactory.AdminToken, null);
        chunked.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await client.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
        Assert.Equal("application/problem+json", chunkedResponse.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MoreThanTheLimitOfFailedTokens_Is429WithRetryAfter_ValidTokensUnaffected()
    {
        await using var host = await f.StartHostAsync(b => b.UseSetting("Ledger:AuthFailuresPerMinute", "5"));
        using var client = Client(host);
        const string url = "/api/audit/verify";
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request("GET", url, "ldg_guess-" + i, null))).StatusCode);

        using var limited = await client.SendAsync(Request("GET", url, "ldg_guess-6", null));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);

        // A valid token from the same client still works; no token at all is still a plain 401 (not a guess).
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request("GET", url, LedgerApiFactory.AdminToken, null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request("GET", url, null, null))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(Request("GET", url, "ldg_guess-7", null))).StatusCode);
    }

    [Fact]
    public void AuthFailureLimiter_WindowResetsAfterAMinute()
    {
        var clock = new ManualClock();
        var limiter = new AuthFailureLimiter(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), clock);
        for (var i = 0; i < 20; i++) Assert.Null(limiter.Fail("10.0.0.1"));
        Assert.NotNull(limiter.Fail("10.0.0.1"));
        Assert.Null(limiter.Fail("10.0.0.2"));
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.Null(limiter.Fail("10.0.0.1"));
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Logs_OfBootstrapUserCreationAndAuthFailures_ContainNoTokenHashOrPassword()
    {
        var capture = new CapturingLoggerProvider();
        await using var host = await f.StartHostAsync(b => b
            .UseSetting("Logging:LogLevel:Default", "Trace")
            .UseSetting("Logging:LogLevel:Microsoft", "Trace")
            .UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .ConfigureLogging(l =>
        {
            l.ClearProviders();
            l.SetMinimumLevel(LogLevel.Trace);
            l.AddProvider(capture);
        }));
        using var client = Client(host);
        var agency = ApiClient.NewAgencyCode();
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Request("POST", "/api/agencies", LedgerApiFactory.AdminToken,
            $$"""{ "code": "{{agency}}", "name": "Badan" }"""))).StatusCode);
        using var created = await client.SendAsync(Request("POST", "/api/users", LedgerApiFactory.AdminToken,
            $$"""{ "name": "Sri Wahyuni", "role": "staff", "agency": "{{agency}}" }"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("token").GetString()!;
        const string badToken = "ldg_this-is-a-guessed-token-value";
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request("GET", "/api/audit/verify", badToken, null))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request("GET", $"/api/agencies/{agency}/findings?year=2023", token, null))).StatusCode);
        using (var _ = await client.SendAsync(Request("POST", "/api/users", token, """{ "name": "x", "role": "admin" }"""))) { }

        // The bootstrap (migrations, grants, the database description) through the same code the service runs at start-up.
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = f.Database.OwnerConnectionString,
        }).Build();
        await using (await LedgerDatabase.OpenAsync(config, capture.CreateLogger("Ledger.Database"))) { }

        var logs = capture.Text();
        Assert.Contains("Ledger.Database", capture.Categories);
        Assert.True(capture.Categories.Contains("Microsoft.AspNetCore.Hosting.Diagnostics"), "request logs not captured: " + string.Join(", ", capture.Categories));
        var secrets = new List<string> { token, TokenAuthenticator.Hash(token), badToken, TokenAuthenticator.Hash(badToken),
            LedgerApiFactory.AdminToken, TokenAuthenticator.Hash(LedgerApiFactory.AdminToken) };
        if (new NpgsqlConnectionStringBuilder(f.Database.OwnerConnectionString).Password is { Length: > 0 } ownerPassword) secrets.Add(ownerPassword);
        foreach (var secret in secrets)
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"A secret appears in the logs: {secret[..Math.Min(8, secret.Length)]}…");
        Assert.DoesNotMatch(@"(?i)password\s*=\s*[^;\s*]|PASSWORD\s+'", logs);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public ConcurrentDictionary<string, bool> CategorySet { get; } = new();
        public IEnumerable<string> Categories => CategorySet.Keys;
        public string Text() => string.Join("\n", _lines);
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(CapturingLoggerProvider p, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                p._lines.Enqueue($"scope {category}: {state}");
                return null;
            }
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                p.CategorySet.TryAdd(category, true);
                p._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {state} {exception}");
            }
        }
    }
}
