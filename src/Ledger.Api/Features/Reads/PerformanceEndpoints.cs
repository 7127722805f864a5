using Ledger.Api.Infrastructure;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Reads;

// GET /api/agencies/{agency}/performance/{year}[?asOf=instant]   (agency read)
//     → the LKjIP measurement table: renstra, indicators: [ { code, name, …, current: { target, targetSource, realization,
//       capaian, capaianDisplay, capaianMethod, predikat }, previous: { same, for year − 1 } | null, endTarget,
//       progressToEndTarget, progressDisplay } ], budget: [ { code, name, parent, paguMurni, pagu, spent, absorption,
//       absorptionDisplay, efficiency, efficiencyPercent, exceedsPagu } ], budgetTotals, version, previousVersion
//     ETag: the year stream's version. 404 agency unknown, or no Renstra covers the year and nothing is recorded for it.
public static class PerformanceEndpoints
{
    public sealed record RenstraBody(int PeriodStart, int PeriodEnd, string Title, string? Decree, int Revisions);

    public sealed record MeasureBody(
        int Year, decimal? Target, string TargetSource, decimal? Realization, decimal? Capaian, decimal? CapaianDisplay,
        string? CapaianMethod, string? CapaianNotComputedReason, string? Predikat, decimal? RealizationDisplay,
        IReadOnlyDictionary<string, decimal> Realizations);

    public sealed record RowBody(
        string Code, string Name, string Unit, string Polarity, string Level, string Kind, string? Parent,
        MeasureBody Current, MeasureBody? Previous, decimal? EndTarget, decimal? ProgressToEndTarget, decimal? ProgressDisplay,
        string? ProgressMethod);

    /// <summary>
    /// absorption = spent / pagu × 100; efficiency = pagu − spent; efficiencyPercent = efficiency / pagu × 100 (seed 001 §4.4).
    /// The amounts' <c>…Display</c> are whole rupiah, half-up.
    /// </summary>
    public sealed record BudgetBody(
        string Code, string Name, string? Parent, decimal PaguMurni, decimal Pagu, decimal Spent, decimal? Absorption,
        decimal? AbsorptionDisplay, decimal Efficiency, decimal? EfficiencyPercent, decimal? EfficiencyPercentDisplay, bool ExceedsPagu,
        decimal? PaguMurniDisplay, decimal? PaguDisplay, decimal? SpentDisplay, decimal? EfficiencyDisplay);

    public sealed record BudgetTotalsBody(
        decimal PaguMurni, decimal Pagu, decimal Spent, decimal? Absorption, decimal? AbsorptionDisplay, decimal Efficiency,
        decimal? EfficiencyPercent, decimal? EfficiencyPercentDisplay,
        decimal? PaguMurniDisplay, decimal? PaguDisplay, decimal? SpentDisplay, decimal? EfficiencyDisplay);

    public sealed record PerformanceBody(
        string Agency, int Year, int PreviousYear, RenstraBody? Renstra, string? RatingScale, string? PreviousRatingScale,
        string CapaianPolicy, IReadOnlyList<RowBody> Indicators, IReadOnlyList<BudgetBody> Budget, BudgetTotalsBody BudgetTotals,
        long Version, long PreviousVersion, DateTimeOffset? AsOf);

    public static void MapPerformanceRead(this RouteGroupBuilder api) =>
        api.MapGet("/agencies/{agency}/performance/{year:int}", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<PerformanceBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .StandbyReadable().PrefetchesHeads(HeadsPrefetch.RouteYear(earlier: 1)).WithName("ReadPerformanceTable").WithTags("Reads")
            .WithSummary("The LKjIP measurement table: every indicator this year and last, progress to the Renstra end target, budget absorption");

    private static async Task<IResult> ReadAsync(
        HttpContext http, string agency, int year, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        var read = await BuildAsync(agency, year, asOf, loader, ct);
        return read.Problem ?? ReadQuery.Ok(http, read.Body!, read.Body!.Version);
    }

    /// <summary>The answer of this read, or its problem (400/404): the one place that builds the table (the JSON read and the exports).</summary>
    public sealed record Built(PerformanceBody? Body, string? AgencyName, IResult? Problem);

    internal static async Task<Built> BuildAsync(string agency, int year, string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.CheckYear(year, "year", out var badYear)) return new(null, null, badYear);
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return new(null, null, badAsOf);

        var heads = await loader.HeadsAsync(agency, [year, year - 1], at, ct);
        var agencyState = (await loader.AgencyAsync(agency, at, heads, ct)).State;
        if (!agencyState.Exists) return new(null, null, ReadQuery.NotFound($"Agency '{agency}' does not exist{IndicatorEndpoints.When(at)}."));
        var renstra = await loader.RenstraCoveringAsync(agency, year, at, heads, ct);
        var current = await loader.YearAsync(agency, year, at, heads, ct);
        if (renstra is null && current.Version == 0)
            return new(null, null,
                ReadQuery.NotFound($"No Renstra of '{agency}' covers {year} and nothing is recorded for it{IndicatorEndpoints.When(at)}."));

        var previousYear = year - 1;
        var previous = await loader.YearAsync(agency, previousYear, at, heads, ct);
        var previousRenstra = await loader.RenstraCoveringAsync(agency, previousYear, at, heads, ct);
        var scale = agencyState.ScaleFor(year);
        var previousScale = agencyState.ScaleFor(previousYear);

        var table = PerformanceTable.Build(
            renstra?.State ?? RenstraState.Initial, current.State, previous.Version == 0 ? null : previous.State,
            scale, previousScale, ReadQuery.Policy, previousRenstra?.State);

        var body = new PerformanceBody(
            agency, year, previousYear,
            renstra?.State is { } r ? new RenstraBody(r.PeriodStart, r.PeriodEnd, r.Title, r.Decree, r.Revisions) : null,
            scale?.Name, previousScale?.Name, ReadQuery.Policy.Id,
            table.Indicators.Select(ToBody).ToList(),
            table.Budget.Select(l => new BudgetBody(l.Code, l.Name, l.Parent, l.PaguMurni, l.Pagu, l.Spent, l.Absorption,
                ReadQuery.Display(l.Absorption), l.Efficiency, Percent(l.Efficiency, l.Pagu), ReadQuery.Display(Percent(l.Efficiency, l.Pagu)),
                l.ExceedsPagu, ReadQuery.Rupiah(l.PaguMurni), ReadQuery.Rupiah(l.Pagu), ReadQuery.Rupiah(l.Spent), ReadQuery.Rupiah(l.Efficiency)))
                .ToList(),
            Totals(table.BudgetTotals),
            current.Version, previous.Version, at);
        return new(body, agencyState.Name, null);
    }

    private static RowBody ToBody(PerformanceRow r) =>
        new(r.Code, r.Name, r.Unit, r.Polarity, r.Level, r.Kind, r.Parent, ToBody(r.Current), r.Previous is { } p ? ToBody(p) : null,
            r.EndTarget, r.ProgressToEndTarget, ReadQuery.Display(r.ProgressToEndTarget), r.ProgressMethod);

    private static MeasureBody ToBody(YearMeasure m) =>
        new(m.Year, m.Target, m.TargetSource, m.Realization, m.Capaian, m.CapaianDisplay, m.CapaianMethod, m.CapaianNotComputedReason, m.Predikat,
            ReadQuery.Display(m.Realization), m.Realizations);

    private static BudgetTotalsBody Totals(BudgetTotals t) =>
        new(t.PaguMurni, t.Pagu, t.Spent, t.Absorption, ReadQuery.Display(t.Absorption), t.Efficiency,
            Percent(t.Efficiency, t.Pagu), ReadQuery.Display(Percent(t.Efficiency, t.Pagu)),
            ReadQuery.Rupiah(t.PaguMurni), ReadQuery.Rupiah(t.Pagu), ReadQuery.Rupiah(t.Spent), ReadQuery.Rupiah(t.Efficiency));

    private static decimal? Percent(decimal part, decimal whole) => whole == 0 ? null : part * 100m / whole;
}
