using Ledger.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>
/// Downloads: the browser holds a cookie, not a token, so the page fetches the API's export with the session's token and
/// hands the file on unchanged (same as-of, same authorization). Without <c>kode</c>: the year's measurement and budget
/// tables (<c>format</c> xlsx, csv or pdf); with it: that indicator's history as CSV.
/// </summary>
public sealed class UnduhModel : AgencyPage
{
    [FromQuery(Name = "format")] public string Format { get; set; } = "xlsx";

    [FromQuery(Name = "kode")] public string? Code { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var path = Code is { Length: > 0 } code
            ? ApiRead(LedgerApi.Path("agencies", Agency, "indicators", code, "history", "export"), ("format", "csv"))
            : ApiRead(LedgerApi.Path("agencies", Agency, "performance", Year, "export"), ("format", Format));
        var (body, type, name) = await Api.DownloadAsync(path, ct);
        return File(body, type, name ?? $"ledger-{Agency}-{Year}.{(Code is null ? Format : "csv")}");
    }
}
