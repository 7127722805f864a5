using Ledger.Web.Api;
using Ledger.Web.Charts;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>The agency's year: the LKjIP measurement table (GET …/performance/{year}), a capaian chart and the budget lines.</summary>
public sealed class DasborModel : AgencyPage
{
    public Performance? Table { get; private set; }
    public string? Chart { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (RouteYear is null)
            return Redirect(Link(AgencyPath($"/{(Summary is null ? null : IndexModel.LatestYear(Summary)) ?? DateTime.UtcNow.Year}")));
        Table = await Api.GetAsync<Performance>(ApiRead(LedgerApi.Path("agencies", Agency, "performance", Year)), ct);
        if (Table is null && Summary is null)
            throw new ApiProblemException(new ApiProblem(404, null, $"Instansi '{Agency}' tidak ada atau tidak dapat Anda lihat.", null, null,
                new Dictionary<string, string[]>(), null, null, null));
        var measured = Table?.Indicators.Where(r => r.Current.CapaianDisplay is not null).Take(24).ToList() ?? [];
        if (measured.Count > 0)
            Chart = Svg.BarsAgainstTarget($"Capaian indikator {Year}", "%",
                measured.Select(r => new Svg.Point(r.Code, r.Current.CapaianDisplay, 100m)).ToList());
        return Page();
    }
}
