using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Testing.Http;

namespace Ledger.Api.Tests;

/// <summary>Small conveniences over the scenario helper for setting up data through the real API.</summary>
public static class ApiClient
{
    public static async Task<string> CreateUserAsync(this LedgerApiFactory f, string role, string? agency, string name = "Test User")
    {
        var result = await f.Scenario(s =>
        {
            s.WithBearer(LedgerApiFactory.AdminToken);
            s.Post.Json(new { name, nip = "198004122000031003", role, agency }).ToUrl("/api/users");
            s.StatusCodeShouldBe(201);
        });
        return result.JsonAt("token").GetString()!;
    }

    public static Task<ScenarioResult> RegisterAgencyAsync(this LedgerApiFactory f, string code, string name = "Badan Kepegawaian") =>
        f.Scenario(s =>
        {
            s.WithBearer(LedgerApiFactory.AdminToken);
            s.Post.Json(new { code, name }).ToUrl("/api/agencies");
            s.StatusCodeShouldBe(201);
        });

    public static string NewAgencyCode() => "bkpsdm-" + Guid.NewGuid().ToString("N")[..8];
}
