using Ledger.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>An indicator's history as CSV, through the API's export (see <see cref="UnduhModel"/>).</summary>
public sealed class UnduhRiwayatModel : AgencyPage
{
    [FromQuery(Name = "kode")] public string Code { get; set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (body, type, name) = await Api.DownloadAsync(
            ApiRead(LedgerApi.Path("agencies", Agency, "indicators", Code, "history", "export"), ("format", "csv")), ct);
        return File(body, type, name ?? $"riwayat-{Agency}.csv");
    }
}
