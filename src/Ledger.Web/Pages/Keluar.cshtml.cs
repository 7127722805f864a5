using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ledger.Web.Pages;

/// <summary>Sign-out (POST only, with the antiforgery token): the cookie is removed.</summary>
public sealed class KeluarModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(WebRegistration.Scheme);
        return Redirect("/masuk");
    }
}
