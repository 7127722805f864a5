using Ledger.Web.Api;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ledger.Web.Pages;

/// <summary>Sign-in with a user's API token: the API says who it is (GET /api/me); the session cookie then carries it.</summary>
public sealed class MasukModel(ApiChannel channel) : PageModel
{
    public string? Error { get; private set; }
    public string? ReturnUrl { get; private set; }
    public bool Ended { get; private set; }

    public void OnGet([FromQuery(Name = "kembali")] string? kembali, [FromQuery(Name = "berakhir")] string? berakhir)
    {
        ReturnUrl = kembali;
        Ended = berakhir is not null;
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? token, [FromForm(Name = "kembali")] string? kembali, CancellationToken ct)
    {
        ReturnUrl = kembali;
        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            Error = "Token wajib diisi.";
            return Page();
        }
        Me? me;
        try
        {
            me = await new LedgerApi(channel, token).GetAsync<Me>("/api/me", ct);
        }
        catch (SessionExpiredException)
        {
            me = null;
        }
        catch (ApiProblemException e) when (e.Problem.Status == 429)
        {
            Error = "Terlalu banyak percobaan dengan token yang salah dari alamat ini. Coba lagi nanti.";
            return Page();
        }
        if (me is null)
        {
            Error = "Token tidak dikenal atau sudah dicabut.";
            return Page();
        }
        await HttpContext.SignInAsync(WebRegistration.Scheme, WebUser.FromApi(me, token).ToPrincipal());
        return LocalRedirect(Url.IsLocalUrl(kembali) ? kembali! : "/");
    }
}
