using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain.History;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Audit;

// GET /api/agencies/{agency}/indicators/{code}/history[?year=Y][&asOf=instant]          (agency read; inspektorat reads all)
//     → [ { at, effective, year, actor: { name, nip, role }, kind, reason, ground, before, after, note, eventId, sequence } ]
// GET /api/agencies/{agency}/budget/{year}/lines/{code}/history[?asOf=instant]            (extension, same shape)
//     400 year/asOf malformed; 404 agency unknown, indicator in no Renstra / line in no budget of the year.
public static class HistoryEndpoints
{
    public sealed record ActorBody(string? Name, string? Nip, string? Role);

    public sealed record EntryBody(
        DateTimeOffset At, string Effective, int? Year, ActorBody Actor, string Kind, string? Reason, string? Ground, decimal? Before,
        decimal? After, string? Note, Guid EventId, long Sequence, decimal? BeforeDisplay, decimal? AfterDisplay);

    public static void MapHistoryEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/agencies/{agency}/indicators/{code}/history", IndicatorAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<List<EntryBody>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReadIndicatorHistory").WithTags("Audit").WithSummary("Every change to an indicator: who, when, for which period, why, old → new");
        api.MapGet("/agencies/{agency}/budget/{year}/lines/{code}/history", BudgetLineAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<List<EntryBody>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReadBudgetLineHistory").WithTags("Audit").WithSummary("Every change to a budget line in a year: pagu murni, perubahan, spending");
    }

    private static async Task<IResult> IndicatorAsync(
        HttpContext http, string agency, string code, [FromQuery] string? year, [FromQuery] string? asOf, AuditLoader loader, TimeProvider clock, CancellationToken ct)
    {
        var history = await IndicatorHistoryAsync(http, agency, code, year, asOf, loader, clock, ct);
        return history.Problem ?? Results.Ok(history.Entries!.Select(e => ToBody(e, ReadQuery.Display)).ToList());
    }

    /// <summary>An indicator's history, or the problem (400/404): shared by the JSON read and its export.</summary>
    public sealed record Built(string Code, IReadOnlyList<HistoryEntry>? Entries, IResult? Problem);

    internal static async Task<Built> IndicatorHistoryAsync(
        HttpContext http, string agency, string code, string? year, string? asOf, AuditLoader loader, TimeProvider clock, CancellationToken ct)
    {
        int? only = null;
        if (year is not null)
        {
            if (!ReadQuery.TryYear(year, "year", out var y, out var badYear)) return new(code, null, badYear);
            only = y;
        }
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return new(code, null, badAsOf);
        code = ReadQuery.PathCode(http, 5, code); // /api/agencies/{agency}/indicators/{code}/history[/export]
        // With a year: the Renstras that cover it and that year's stream. Without: every Renstra found in the look-back
        // window that defines the indicator, and the year streams of their periods. The agency, the plans and the year
        // streams they could cover (only the events that may concern the indicator) in one query; a year a plan covers
        // outside that range (none with today's rules) is read after.
        var maxPeriod = Ledger.Domain.Renstras.CreatingRenstra.CreatingRenstraDecision.MaxPeriodYears;
        var reference = only ?? (at ?? clock.GetUtcNow()).Year;
        var from = only is { } oy ? oy - maxPeriod : reference - AuditLoader.HistoryLookBackYears;
        var lastCovered = reference + 1 + maxPeriod + 1; // the latest plan's last year, and a transition year after it
        int[] couldCover = only is { } oy2 ? [oy2] : [.. Enumerable.Range(from, lastCovered - from + 1)];
        var read = await loader.IndicatorHistoryAsync(agency, from, reference + 1, code, couldCover, at, ct);
        if (!read.AgencyExists)
            return new(code, null, ReadQuery.NotFound($"Agency '{agency}' does not exist{IndicatorEndpoints.When(at)}."));
        var renstras = read.Renstras.Where(r => r.HasIndicator(code) && (only is not { } y1 || r.Covers(y1))).ToList();
        if (renstras.Count == 0)
            return new(code, null,
                ReadQuery.NotFound($"Indicator '{code}' is in no Renstra of '{agency}'{(only is { } y2 ? $" covering {y2}" : "")}{IndicatorEndpoints.When(at)}."));

        var years = only is { } y3 ? [y3] : renstras.SelectMany(r => r.Years).Distinct().Order().ToList();
        var events = renstras.SelectMany(r => r.Events).ToList();
        events.AddRange(years.Where(read.Years.ContainsKey).SelectMany(y => read.Years[y]));
        if (years.Where(y => !read.Years.ContainsKey(y)).ToList() is { Count: > 0 } outside)
            events.AddRange(await loader.YearsForIndicatorAsync(agency, outside, code, at, ct));
        return new(code, IndicatorHistory.For(code, events, only), null);
    }

    private static async Task<IResult> BudgetLineAsync(
        HttpContext http, string agency, string year, string code, [FromQuery] string? asOf, AuditLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.TryYear(year, "year", out var y, out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        code = ReadQuery.PathCode(http, 7, code); // /api/agencies/{agency}/budget/{year}/lines/{code}/history
        if (!await loader.AgencyExistsAsync(agency, at, ct)) return ReadQuery.NotFound($"Agency '{agency}' does not exist{IndicatorEndpoints.When(at)}.");
        var entries = BudgetLineHistory.For(code, y, await loader.YearAsync(agency, y, at, ct));
        return entries.Count == 0
            ? ReadQuery.NotFound($"Budget line '{code}' is not in the APBD {y} of '{agency}'{IndicatorEndpoints.When(at)}.")
            : Results.Ok(entries.Select(e => ToBody(e, ReadQuery.Rupiah)).ToList()); // before/after are rupiah: whole
    }

    /// <summary><paramref name="display"/>: 2 places for indicator values, whole rupiah for budget amounts.</summary>
    private static EntryBody ToBody(HistoryEntry e, Func<decimal?, decimal?> display) => new(e.At, e.Effective, e.Year,
        new ActorBody(e.Actor.Name, e.Actor.Nip, e.Actor.Role), e.Kind, e.Reason, e.Ground, e.Before, e.After, e.Note, e.EventId, e.Sequence,
        display(e.Before), display(e.After));
}
