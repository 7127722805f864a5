using Ledger.Web.Api;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages;

/// <summary>
/// The cross-agency overview (Inspektorat, administrators): every agency the caller may read, its year status, findings
/// count and evaluation predikat. Staff and approvers of one agency go straight to its dashboard.
/// </summary>
public sealed class IndexModel : LedgerPage
{
    public sealed record Row(AgencySummary Agency, AgencyYear? Year, int? Findings, Evaluation? Evaluation);

    public int? Year { get; private set; }
    public IReadOnlyList<int> Years { get; private set; } = [];
    public List<Row> Rows { get; } = [];

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "tahun")] int? tahun, CancellationToken ct)
    {
        var agencies = await Api.GetAsync<List<AgencySummary>>(ApiRead("/api/agencies"), ct) ?? [];
        if (!Me.IsAdmin && !Me.IsInspektorat && agencies.Count == 1)
            return Redirect(Link($"/instansi/{agencies[0].Code}/{LatestYear(agencies[0]) ?? DateTime.UtcNow.Year}"));

        Years = agencies.SelectMany(a => a.Years.Select(y => y.Year)).Distinct().Order().ToList();
        Year = tahun ?? agencies.Select(LatestYear).Max() ?? Years.LastOrDefault();
        foreach (var agency in agencies)
        {
            var year = agency.Years.FirstOrDefault(y => y.Year == Year);
            int? findings = null;
            Evaluation? evaluation = null;
            if (Year is { } y && year is { Recorded: true })
            {
                findings = (await Api.GetAsync<List<Finding>>(ApiRead(LedgerApi.Path("agencies", agency.Code, "findings"), ("year", y)), ct))?.Count;
                evaluation = await Api.GetAsync<Evaluation>(ApiRead(LedgerApi.Path("agencies", agency.Code, "evaluations", y)), ct);
            }
            Rows.Add(new Row(agency, year, findings, evaluation));
        }
        return Page();
    }

    /// <summary>The latest year up to this one with anything recorded; else the latest recorded; else the latest Renstra year up to this one.</summary>
    public static int? LatestYear(AgencySummary agency)
    {
        var thisYear = DateTime.UtcNow.Year;
        return agency.Years.Where(y => y.Recorded && y.Year <= thisYear).Select(y => (int?)y.Year).Max()
               ?? agency.Years.Where(y => y.Recorded).Select(y => (int?)y.Year).Min()
               ?? agency.Years.Where(y => y.Year <= thisYear).Select(y => (int?)y.Year).Max();
    }
}
