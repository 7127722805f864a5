using Ledger.Api.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using static Ledger.Api.Tests.Security.SecurityHttp;

namespace Ledger.Api.Tests.Security;

/// <summary>
/// Every /api endpoint × every caller (staff, approver, inspektorat, admin, no token, bad token) × own/other agency:
/// 401, 403 or allowed (anything else: the auth layer let the request through). The table mirrors Authorization.cs
/// and docs/security.md; an endpoint without a row fails the test by name.
/// </summary>
public sealed class RoleMatrixTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    /// <summary>Who may call an endpoint.</summary>
    public enum Rule
    {
        AdminOnly,          // RequireRole(admin)
        InspektoratOrAdmin, // RequireRole(inspektorat, admin)
        AgencyRead,         // staff/approver: own agency; inspektorat and admin: every agency
        AgencyWrite,        // staff/approver: own agency; admin: every agency; inspektorat: never
        AgencySign,         // the agency's approver only
        AgencyOwnPeople,    // the agency's staff or approver only (PK perubahan: approver signs, staff proposes; follow-ups)
        Evaluate,           // the Inspektorat only, for every agency
        AnyCaller,          // any valid token (GET /api/me; GET /api/agencies filters the list itself)
    }

    /// <summary>The expected table: one row per endpoint (method + route pattern, constraints dropped).</summary>
    public static readonly Dictionary<string, Rule> Expected = new(StringComparer.Ordinal)
    {
        ["POST /api/users"] = Rule.AdminOnly,
        ["POST /api/users/{id}/revoke"] = Rule.AdminOnly,
        ["POST /api/agencies"] = Rule.AdminOnly,
        ["PUT /api/agencies/{agency}/rating-scale"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/renstra"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/renstra/{periodStart}/indicators"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/renstra/{periodStart}/revisions"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/renstra/{periodStart}/declared-targets"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/pk/{year}"] = Rule.AgencySign,
        ["POST /api/agencies/{agency}/pk/{year}/revisions"] = Rule.AgencyOwnPeople,
        ["GET /api/agencies/{agency}/pk/{year}/revisions/proposals"] = Rule.AgencyRead,
        ["POST /api/agencies/{agency}/pk/{year}/revisions/proposals/{proposalId}/approve"] = Rule.AgencySign,
        ["POST /api/agencies/{agency}/pk/{year}/revisions/proposals/{proposalId}/reject"] = Rule.AgencySign,
        ["GET /api/agencies/{agency}/renstra/{periodStart}/revisions/proposals"] = Rule.AgencyRead,
        ["POST /api/agencies/{agency}/renstra/{periodStart}/revisions/proposals/{proposalId}/approve"] = Rule.AgencySign,
        ["POST /api/agencies/{agency}/renstra/{periodStart}/revisions/proposals/{proposalId}/reject"] = Rule.AgencySign,
        ["POST /api/agencies/{agency}/evaluations/{year}"] = Rule.Evaluate,
        ["GET /api/agencies/{agency}/evaluations/{year}"] = Rule.AgencyRead,
        ["POST /api/agencies/{agency}/evaluations/{year}/recommendations/{n}/follow-ups"] = Rule.AgencyOwnPeople,
        ["POST /api/agencies/{agency}/realizations"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/realizations/corrections"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/budget/{year}"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/budget/{year}/revisions"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/budget/{year}/spending"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/budget/{year}/declared-totals"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/years/{year}/declared-claims"] = Rule.AgencyWrite,
        ["POST /api/agencies/{agency}/years/{year}/close"] = Rule.AgencySign,
        ["GET /api/agencies/{agency}/indicators/{code}"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/pk/{year}"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/pk/{year}/diff"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/performance/{year}"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/years/{year}/snapshot"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/years/{year}/snapshot/verify"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/indicators/{code}/history"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/budget/{year}/lines/{code}/history"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/findings"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/performance/{year}/export"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/indicators/{code}/history/export"] = Rule.AgencyRead,
        ["GET /api/audit/verify"] = Rule.InspektoratOrAdmin,
        ["GET /api/admin/projections"] = Rule.AdminOnly,
        ["POST /api/admin/projections/rebuild"] = Rule.AdminOnly,
        ["GET /api/me"] = Rule.AnyCaller,
        ["GET /api/agencies"] = Rule.AnyCaller,
        ["GET /api/agencies/{agency}/indicators"] = Rule.AgencyRead,
        ["GET /api/agencies/{agency}/changes"] = Rule.AgencyRead,
        ["GET /api/users"] = Rule.AdminOnly,
        ["POST /api/users/{id}/token"] = Rule.AdminOnly,
    };

    private enum Answer { Unauthenticated, Forbidden, Allowed, NoRoute }

    /// <summary>
    /// A 404 from routing (the URL matched no endpoint, so no filter ran) is NoRoute, never "allowed": the endpoints'
    /// own 404s always say what does not exist in <c>detail</c>, routing's do not.
    /// </summary>
    private static Answer Classify(int status, string body) => status switch
    {
        401 => Answer.Unauthenticated,
        403 => Answer.Forbidden,
        404 when !body.Contains("\"detail\"", StringComparison.Ordinal) => Answer.NoRoute,
        _ => Answer.Allowed,
    };

    private static Answer Expect(Rule rule, string caller, bool ownAgency) => caller switch
    {
        "none" or "bad" => Answer.Unauthenticated,
        _ => (rule, caller) switch
        {
            (Rule.AdminOnly, "admin") => Answer.Allowed,
            (Rule.AnyCaller, _) => Answer.Allowed,
            (Rule.InspektoratOrAdmin, "admin" or "inspektorat") => Answer.Allowed,
            (Rule.AgencyRead, "admin" or "inspektorat") => Answer.Allowed,
            (Rule.AgencyRead or Rule.AgencyWrite, "staff" or "approver") when ownAgency => Answer.Allowed,
            (Rule.AgencyWrite, "admin") => Answer.Allowed,
            (Rule.AgencySign, "approver") when ownAgency => Answer.Allowed,
            (Rule.AgencyOwnPeople, "staff" or "approver") when ownAgency => Answer.Allowed,
            (Rule.Evaluate, "inspektorat") => Answer.Allowed,
            _ => Answer.Forbidden,
        },
    };

    [Fact]
    public void EveryApiEndpoint_HasARowInTheRoleMatrix()
    {
        var routes = ApiRoutes(f.Services);
        var missing = routes.Where(r => !Expected.ContainsKey(r.Key)).Select(r => r.Key).ToList();
        var stale = Expected.Keys.Except(routes.Select(r => r.Key)).ToList();
        Assert.True(missing.Count == 0,
            "Endpoints without a row in RoleMatrixTests.Expected (add who may call each one):\n  " + string.Join("\n  ", missing));
        Assert.True(stale.Count == 0, "Rows for endpoints that are no longer mapped:\n  " + string.Join("\n  ", stale));
    }

    [Fact]
    public async Task EveryEndpoint_EveryCaller_OwnAndOtherAgency_GetsTheExpectedClassOfAnswer()
    {
        // Many bad-token requests from one client: lift the failure limit for this host only.
        await using var host = await f.StartHostAsync(b => b.UseSetting("Ledger:AuthFailuresPerMinute", "1000000"));
        var own = ApiClient.NewAgencyCode();
        var other = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(own);
        await f.RegisterAgencyAsync(other);
        var tokens = new Dictionary<string, string?>
        {
            ["staff"] = await f.CreateUserAsync("staff", own),
            ["approver"] = await f.CreateUserAsync("approver", own),
            ["inspektorat"] = await f.CreateUserAsync("inspektorat", null),
            ["admin"] = LedgerApiFactory.AdminToken,
            ["none"] = null,
            ["bad"] = "ldg_not-a-real-token",
        };
        using var client = Client(host);

        var routes = ApiRoutes(host.Services).Where(r => Expected.ContainsKey(r.Key)).ToList();
        var wrong = new List<string>();
        var cells = 0;
        foreach (var route in routes)
        foreach (var ownAgency in route.HasAgency ? new[] { true, false } : [true])
        foreach (var (caller, token) in tokens)
        {
            var url = Url(route.Pattern, ownAgency ? own : other);
            var body = route.Method is "GET" or "DELETE" ? null
                : route.Name is not null && OpenApiExamples.Requests.TryGetValue(route.Name, out var example) ? example : "{}";
            using var response = await client.SendAsync(Request(route.Method, url, token, body));
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var expected = Expect(Expected[route.Key], caller, ownAgency);
            cells++;
            if (Classify(status, text) != expected)
                wrong.Add($"{route.Key} as {caller} ({(route.HasAgency ? ownAgency ? "own agency" : "other agency" : "no agency")}): " +
                          $"expected {expected}, got {status} {text}");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {cells} cells wrong:\n  " + string.Join("\n  ", wrong));
        Assert.True(cells > 250, $"only {cells} cells");
    }

    private static string Url(string pattern, string agency) => pattern
        .Replace("{agency}", agency, StringComparison.Ordinal)
        .Replace("{year}", "2023", StringComparison.Ordinal)
        .Replace("{periodStart}", "2021", StringComparison.Ordinal)
        .Replace("{code}", "IKU-2", StringComparison.Ordinal)
        .Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{proposalId}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{n}", "1", StringComparison.Ordinal)
        + (pattern.Contains("/indicators/{code}", StringComparison.Ordinal) || pattern.EndsWith("/findings", StringComparison.Ordinal) ? "?year=2023" : "");
}
