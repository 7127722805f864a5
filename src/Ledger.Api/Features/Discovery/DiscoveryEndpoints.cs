using Ledger.Api.Features.Audit;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.Users;
using Ledger.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Discovery;

// Discovery (issue 12 item 6): what a client needs to find its way before it can ask the other reads anything.
// GET /api/me                                               (any caller) → { id, name, nip, role, agency }
// GET /api/agencies[?asOf=]                                 (any caller; staff/approver see their own agency only)
//     → [ { code, name, renstras: [ { periodStart, periodEnd, title, decree } ],
//           years: [ { year, recorded, closed, closedAt, snapshotHash } ] } ]
// GET /api/agencies/{agency}/indicators?year=Y[&asOf=]      (agency read) → [ { code, name, level, kind, unit, polarity, parent } ]
// GET /api/users[?asOf=]                                    (admin) → [ { id, name, nip, role, agency, revoked } ]
// GET /api/agencies/{agency}/changes?…                      (agency read) → ChangeLogEndpoints
public static class DiscoveryEndpoints
{
    public sealed record MeBody(Guid Id, string Name, string? Nip, string Role, string? Agency);

    public sealed record RenstraSummaryBody(int PeriodStart, int PeriodEnd, string Title, string? Decree);

    public sealed record YearSummaryBody(int Year, bool Recorded, bool Closed, DateTimeOffset? ClosedAt, string? SnapshotHash);

    public sealed record AgencySummaryBody(string Code, string Name, IReadOnlyList<RenstraSummaryBody> Renstras, IReadOnlyList<YearSummaryBody> Years);

    public sealed record IndicatorSummaryBody(string Code, string Name, string Level, string Kind, string Unit, string Polarity, string? Parent);

    public sealed record UserBody(Guid Id, string Name, string? Nip, string Role, string? Agency, bool Revoked);

    public static void MapDiscoveryEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me", (HttpContext http) => Results.Ok(Me(http.User())))
            .WithName("ReadMe").WithTags("Discovery").WithSummary("Who the bearer token belongs to")
            .Produces<MeBody>();
        api.MapGet("/agencies", AgenciesAsync)
            .WithName("ListAgencies").WithTags("Discovery")
            .WithSummary("The agencies the caller may read, with their Renstras and years (recorded, closed, snapshot hash)")
            .Produces<List<AgencySummaryBody>>().ProducesValidationProblem();
        api.MapGet("/agencies/{agency}/indicators", IndicatorsAsync)
            .RequireAgency(Authorization.Access.Read)
            .WithName("ListIndicators").WithTags("Discovery").WithSummary("The indicators of the Renstra in force for a year, in Renstra order")
            .Produces<List<IndicatorSummaryBody>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/users", UsersAsync)
            .RequireRole(Roles.Admin)
            .WithName("ListUsers").WithTags("Discovery").WithSummary("Every user of the directory (never a token or its hash)")
            .Produces<List<UserBody>>().ProducesValidationProblem();
        api.MapChangeLog();
    }

    private static MeBody Me(CurrentUser u) => new(u.Id, u.Name, u.Nip, u.Role, u.Agency);

    private static async Task<IResult> AgenciesAsync(HttpContext http, [FromQuery] string? asOf, StreamLoader store, AuditLoader audit, CancellationToken ct)
    {
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        var caller = http.User();
        // Authorization.Allowed decides, per agency, as for every agency read: staff and approvers only their own.
        var codes = (await AgencyStreams.CodesAsync(store, ct)).Where(code => Authorization.Allowed(caller, code, Authorization.Access.Read) is null);
        var agencies = new List<AgencySummaryBody>();
        foreach (var code in codes)
            if (await AgencyAsync(code, at, store, audit, ct) is { } agency) agencies.Add(agency);
        return Results.Ok(agencies);
    }

    private static async Task<AgencySummaryBody?> AgencyAsync(string code, DateTimeOffset? at, StreamLoader store, AuditLoader audit, CancellationToken ct)
    {
        var (state, _) = await Agencies.AgencyRecord.LoadAsync(store, code, at, ct);
        if (!state.Exists) return null; // registered after the instant
        var streams = await AgencyStreams.ListAsync(store, code, ct);
        var renstras = streams.RenstraStarts.Count == 0
            ? []
            : (await audit.RenstrasAsync(code, streams.RenstraStarts[0], streams.RenstraStarts[^1], at, ct)).OrderBy(r => r.State.PeriodStart).ToList();
        var events = await audit.YearsAsync(code, streams.Years, at, ct);
        var recorded = events.Select(e => e.StreamYear).OfType<int>().ToHashSet();
        var years = renstras.SelectMany(r => r.Years).Concat(recorded).Distinct().Order().Select(y =>
        {
            var close = events.LastOrDefault(e => e.StreamYear == y && e.Event is YearClosed);
            return new YearSummaryBody(y, recorded.Contains(y), close is not null, close?.RecordedAt, (close?.Event as YearClosed)?.SnapshotHash);
        }).ToList();
        return new AgencySummaryBody(code, state.Name,
            renstras.Select(r => new RenstraSummaryBody(r.State.PeriodStart, r.State.PeriodEnd, r.State.Title, r.State.Decree)).ToList(), years);
    }

    private static async Task<IResult> IndicatorsAsync(HttpContext http, string agency, [FromQuery] string? year, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.TryYear(year, "year", out var y, out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (!(await loader.AgencyAsync(agency, at, ct)).State.Exists)
            return ReadQuery.NotFound($"Agency '{agency}' does not exist{IndicatorEndpoints.When(at)}.");
        if (await loader.RenstraCoveringAsync(agency, y, at, ct) is not { } renstra)
            return ReadQuery.NotFound($"No Renstra of '{agency}' covers {y}{IndicatorEndpoints.When(at)}.");
        return ReadQuery.Ok(http, renstra.State.Indicators.Select(i => new IndicatorSummaryBody(
            i.Code, i.Name, Wire.Name(i.Level), Wire.Name(i.Kind), i.Unit, Wire.Name(i.Polarity), i.Parent)).ToList(), renstra.Version);
    }

    private static async Task<IResult> UsersAsync([FromQuery] string? asOf, StreamLoader store, CancellationToken ct)
    {
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        var events = (await store.ReadAsync(UserDirectory.StreamName, StreamBound.At(at), ct)).Select(DomainCommands.Decode).ToList();
        var state = events.Aggregate(UserDirectoryState.Initial, (s, e) => s.Evolve(e));
        // In the order they were created.
        var users = events.OfType<UserCreated>().Select(c => state.Users[c.Id])
            .Select(u => new UserBody(u.Id, u.Name, u.Nip, u.Role, u.Agency, u.Revoked)).ToList();
        return Results.Ok(users);
    }
}
