using Ledger.Web.Api;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>A page about one agency (route value <c>agency</c>), optionally one year (route value <c>year</c>).</summary>
public abstract class AgencyPage : LedgerPage
{
    [FromRoute(Name = "agency")] public string Agency { get; set; } = "";

    [FromRoute(Name = "year")] public int? RouteYear { get; set; }

    public int Year => RouteYear ?? DateTime.UtcNow.Year;

    /// <summary>The agency as <c>GET /api/agencies</c> lists it (null when the caller may not see it, or it did not exist then).</summary>
    public AgencySummary? Summary { get; private set; }

    public string AgencyName => Summary?.Name ?? Agency;

    /// <summary>The version of the stream a form was rendered from, posted back as If-Match (null: not yet loaded).</summary>
    [BindProperty] public long? Version { get; set; }

    protected override Task BeforeHandlerAsync(CancellationToken ct)
    {
        ViewData["Agency"] = Agency;
        ViewData["Year"] = RouteYear;
        return LoadSummaryAsync(ct);
    }

    /// <summary>
    /// The agency as the caller may see it. Not listed: the API decides why, by answering a read of the agency (403 for
    /// another agency's data, 404 when it does not exist, or did not then), so every agency page refuses the same way.
    /// </summary>
    private async Task LoadSummaryAsync(CancellationToken ct)
    {
        var agencies = await Api.GetAsync<List<AgencySummary>>(ApiRead("/api/agencies"), ct) ?? [];
        Summary = agencies.FirstOrDefault(a => a.Code == Agency);
        if (Summary is not null) return;
        await Api.GetAsync<List<Finding>>(ApiRead(LedgerApi.Path("agencies", Agency, "findings"), ("year", Year)), ct); // 403 throws
        throw PageErrors.NotFound($"Instansi '{Agency}' tidak ada{(Historic ? " pada waktu itu" : "")}.");
    }

    public string AgencyPath(string rest = "") => $"/instansi/{Uri.EscapeDataString(Agency)}{rest}";

    public string YearPath(string rest = "") => AgencyPath($"/{Year}{rest}");
}
