using Ledger.Web.Api;
using Ledger.Web.Charts;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>The agency's year: the LKjIP measurement table (GET …/performance/{year}), a capaian chart and the budget lines.</summary>
public sealed class DasborModel : AgencyPage
{
    public Performance? Table { get; private set; }
    public string? Chart { get; private set; }
    public int MeasuredCount { get; private set; }

    /// <summary>The periods with a realization in any row this year (quarters, semesters), in the order of the labels.</summary>
    public IReadOnlyList<(string Code, string Label)> Periods { get; private set; } = [];
    public int ChartCount { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (RouteYear is null)
            return Redirect(Link(AgencyPath($"/{(Summary is null ? null : IndexModel.LatestYear(Summary)) ?? DateTime.UtcNow.Year}")));
        Table = await Api.GetAsync<Performance>(ApiRead(LedgerApi.Path("agencies", Agency, "performance", Year)), ct);
        var all = Table?.Indicators.Where(r => r.Current.CapaianDisplay is not null).ToList() ?? [];
        var measured = all.Take(24).ToList(); // a readable chart; the table below has every row
        (MeasuredCount, ChartCount) = (all.Count, measured.Count);
        var recorded = Table?.Indicators.SelectMany(r => r.Current.Realizations?.Keys ?? []).ToHashSet() ?? [];
        Periods = Ledger.Web.Formatting.Labels.Periods.Where(p => p.Code != "Y" && recorded.Contains(p.Code)).ToList();
        if (measured.Count > 0)
            Chart = Svg.BarsAgainstTarget($"Capaian indikator {Year}", "%",
                measured.Select(r => new Svg.Point(r.Code, r.Current.CapaianDisplay, 100m)).ToList());
        return Page();
    }
}
