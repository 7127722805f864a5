using Ledger.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>
/// Downloads: the browser holds a cookie, not a token, so the page fetches the API's export with the session's token and
/// hands the file on unchanged (same as-of, same authorization).
/// </summary>
public sealed class UnduhModel : AgencyPage
{
    [FromQuery(Name = "format")] public string Format { get; set; } = "xlsx";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (body, type, name) = await Api.DownloadAsync(
            ApiRead(LedgerApi.Path("agencies", Agency, "performance", Year, "export"), ("format", Format)), ct);
        return File(body, type, name ?? $"lkjip-{Agency}-{Year}.{Format}");
    }
}
