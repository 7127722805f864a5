using Ledger.Web.Api;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

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

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ViewData["Agency"] = Agency;
        ViewData["Year"] = RouteYear;
        await base.OnPageHandlerExecutionAsync(context, async () =>
        {
            var agencies = await Api.GetAsync<List<AgencySummary>>(ApiRead("/api/agencies"), HttpContext.RequestAborted) ?? [];
            Summary = agencies.FirstOrDefault(a => a.Code == Agency);
            return await next();
        });
    }

    public string AgencyPath(string rest = "") => $"/instansi/{Uri.EscapeDataString(Agency)}{rest}";

    public string YearPath(string rest = "") => AgencyPath($"/{Year}{rest}");
}
