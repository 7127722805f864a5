using System.Text.Json;
using Ledger.Web.Api;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages;

/// <summary>
/// Users (administrators): the directory, a new user, a new token for an existing user (e.g. the demo's staff and
/// approver, whose first tokens only the importer saw), revocation. A token is shown once, right after the write
/// (carried to the redirected page in the encrypted TempData cookie, then gone).
/// </summary>
public sealed class PenggunaModel : LedgerPage
{
    public static readonly string[] CreateFields = ["name", "nip", "role", "agency", "reason"];

    public IReadOnlyList<UserItem> Users { get; private set; } = [];
    public IReadOnlyList<AgencySummary> Agencies { get; private set; } = [];
    public FormState CreateForm { get; } = new("baru");
    public FormState TokenForm { get; } = new("token");

    [TempData] public string? ShownToken { get; set; }
    [TempData] public string? ShownFor { get; set; }


    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostBaruAsync(CancellationToken ct)
    {
        var body = new
        {
            name = Field("name"), nip = Field("nip"), role = Field("role"), agency = Field("agency"), reason = Field("reason"),
        };
        var answer = await Api.SendAsync("/api/users", body, null, Key, ct);
        if (answer.Ok) return Shown(answer.Body, body.name);
        CreateForm.Apply(answer.Problem!, CreateFields);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostTokenAsync([FromForm] Guid user, [FromForm] string? name, CancellationToken ct)
    {
        var answer = await Api.SendAsync(LedgerApi.Path("users", user, "token"), new { reason = Field("tokenReason") }, null, null, ct);
        if (answer.Ok) return Shown(answer.Body, name);
        TokenForm.Apply(answer.Problem!, []);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCabutAsync([FromForm] Guid user, CancellationToken ct)
    {
        var answer = await Api.SendAsync(LedgerApi.Path("users", user, "revoke"), new { reason = Field("revokeReason") }, null, Key, ct);
        if (answer.Ok) return Redirect("/pengguna");
        TokenForm.Apply(answer.Problem!, []);
        await LoadAsync(ct);
        return Page();
    }

    private IActionResult Shown(JsonElement? body, string? name)
    {
        ShownToken = body is { } b && b.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        ShownFor = name;
        return Redirect("/pengguna");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Users = await Api.GetAsync<List<UserItem>>(ApiRead("/api/users"), ct) ?? [];
        Agencies = await Api.GetAsync<List<AgencySummary>>(ApiRead("/api/agencies"), ct) ?? [];
    }

    public string? Typed(string field) => Typed(CreateForm, field);
}
