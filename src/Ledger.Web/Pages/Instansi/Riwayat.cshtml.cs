using Ledger.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>The agency-wide change log (GET …/changes), filtered by date range, person and kind of change.</summary>
public sealed class RiwayatModel : AgencyPage
{
    [FromQuery(Name = "dari")] public DateOnly? From { get; set; }
    [FromQuery(Name = "sampai")] public DateOnly? To { get; set; }
    [FromQuery(Name = "oleh")] public string? Actor { get; set; }
    [FromQuery(Name = "jenis")] public string? Kind { get; set; }
    [FromQuery(Name = "tahun")] public int? FilterYear { get; set; }

    public ChangeLog? Log { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        ViewData["Year"] = FilterYear;
        Log = await Api.GetAsync<ChangeLog>(ApiRead(LedgerApi.Path("agencies", Agency, "changes"),
            ("from", From?.ToString("yyyy-MM-dd")), ("to", To?.ToString("yyyy-MM-dd")), ("actor", Actor), ("kind", Kind), ("year", FilterYear)), ct);
    }
}
