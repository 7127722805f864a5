using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.Capaian;
using Ledger.Domain.Reading;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Reads;

// GET /api/agencies/{agency}/indicators/{code}?year=Y[&asOf=instant]   (agency read)
//     → { code, name, unit, polarity, targets: { renstra, pkMurni, pk, source, … }, realizations: { Q1.., Y }, annualValue,
//         capaian, capaianDisplay, capaianMethod, capaianNotComputedReason, capaianPolicy, predikat, claimedCapaian, version, … }
//     ETag: the year stream's version. 400 year missing/invalid or asOf malformed; 404 agency, Renstra or indicator unknown.
public static class IndicatorEndpoints
{
    public sealed record TargetsBody(decimal? Renstra, bool RenstraRevised, decimal? PkMurni, decimal? Pk, string Source, decimal? InForce);

    public sealed record IndicatorBody(
        string Agency,
        int Year,
        string Code,
        string Name,
        string Unit,
        string Polarity,
        string? LowerFormula,
        string Aggregation,
        string Level,
        string Kind,
        string? Parent,
        int RenstraPeriodStart,
        TargetsBody Targets,
        IReadOnlyDictionary<string, decimal> Realizations,
        decimal? AnnualValue,
        decimal? Capaian,
        decimal? CapaianDisplay,
        string? CapaianMethod,
        string? CapaianNotComputedReason,
        string CapaianPolicy,
        string? Predikat,
        string? RatingScale,
        decimal? ClaimedCapaian,
        long Version,
        DateTimeOffset? AsOf,
        decimal? AnnualValueDisplay,
        decimal? ClaimedCapaianDisplay);

    public static void MapIndicatorRead(this RouteGroupBuilder api) =>
        api.MapGet("/agencies/{agency}/indicators/{code}", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<IndicatorBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .StandbyReadable().PrefetchesHeads(HeadsPrefetch.QueryYear).WithName("ReadIndicatorYear").WithTags("Reads").WithSummary("One indicator in one year: targets and their source, realizations, capaian, predikat");

    private static async Task<IResult> ReadAsync(
        HttpContext http, string agency, string code, [FromQuery] string? year, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.TryYear(year, "year", out var y, out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        code = ReadQuery.PathCode(http, 5, code); // /api/agencies/{agency}/indicators/{code}

        var heads = await loader.HeadsAsync(agency, [y], at, ct);
        var agencyState = (await loader.AgencyAsync(agency, at, heads, ct)).State;
        if (!agencyState.Exists) return ReadQuery.NotFound($"Agency '{agency}' does not exist{When(at)}.");
        if (await loader.RenstraCoveringAsync(agency, y, at, heads, ct) is not { } renstra)
            return ReadQuery.NotFound($"No Renstra of '{agency}' covers {y}{When(at)}.");
        if (renstra.State.Indicator(code) is not { } definition)
            return ReadQuery.NotFound($"Indicator '{code}' is not in the Renstra {renstra.State.PeriodStart}–{renstra.State.PeriodEnd}{When(at)}.");

        var yearState = await loader.YearAsync(agency, y, at, heads, ct);
        var scale = agencyState.ScaleFor(y);
        var view = IndicatorYearView.Build(definition, y, yearState.State, scale, ReadQuery.Policy);
        var t = view.Targets;

        return ReadQuery.Ok(http, new IndicatorBody(
            agency, y, view.Code, view.Name, view.Unit, view.Polarity,
            definition.Polarity == Polarity.Lower ? Wire.Name(definition.LowerFormula) : null,
            Wire.Name(definition.Aggregation), Wire.Name(definition.Level), Wire.Name(definition.Kind), definition.Parent,
            renstra.State.PeriodStart,
            new TargetsBody(t.Renstra, t.RenstraRevised, t.PkMurni, t.Pk, t.Source, t.InForce),
            view.Realizations, view.AnnualValue, view.Capaian, view.CapaianDisplay, view.CapaianMethod, view.CapaianNotComputedReason,
            ReadQuery.Policy.Id, view.Predikat, scale?.Name, view.ClaimedCapaian, yearState.Version, at,
            ReadQuery.Display(view.AnnualValue), ReadQuery.Display(view.ClaimedCapaian)), yearState.Version);
    }

    internal static string When(DateTimeOffset? asOf) => asOf is { } a ? $" as of {a:O}" : "";
}
