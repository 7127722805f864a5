using Ledger.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>One budget line's history in a year: APBD murni, each APBD perubahan, each spending entry, who and why.</summary>
public sealed class AnggaranModel : AgencyPage
{
    [FromQuery(Name = "kode")] public string Code { get; set; } = "";

    public IReadOnlyList<HistoryEntry>? Timeline { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        Timeline = await Api.GetAsync<List<HistoryEntry>>(ApiRead(LedgerApi.Path("agencies", Agency, "budget", Year, "lines", Code, "history")), ct);
}
