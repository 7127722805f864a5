using Alba;

namespace Ledger.Api.Tests;

/// <summary>Small conveniences over Alba scenarios for setting up data through the real API.</summary>
public static class ApiClient
{
    public static async Task<string> CreateUserAsync(this LedgerApiFactory f, string role, string? agency, string name = "Test User")
    {
        var result = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Post.Json(new { name, nip = "198004122000031003", role, agency }).ToUrl("/api/users");
            s.StatusCodeShouldBe(201);
        });
        return result.JsonAt("token").GetString()!;
    }

    public static Task<IScenarioResult> RegisterAgencyAsync(this LedgerApiFactory f, string code, string name = "Badan Kepegawaian") =>
        f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Post.Json(new { code, name }).ToUrl("/api/agencies");
            s.StatusCodeShouldBe(201);
        });

    /// <summary>Adds request headers given as (name, value) pairs, e.g. <c>("Idempotency-Key", key)</c>, <c>("If-Match", "\"3\"")</c>.</summary>
    public static Scenario WithRequestHeaders(this Scenario s, params (string Name, string Value)[] headers)
    {
        foreach (var (name, value) in headers) s.WithRequestHeader(name, value);
        return s;
    }

    public static string NewAgencyCode() => "bkpsdm-" + Guid.NewGuid().ToString("N")[..8];
}
