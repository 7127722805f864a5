using System.Globalization;
using System.Text.Json;
using Ledger.Api.Features.Audit;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.History;
using Ledger.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Discovery;

// GET /api/agencies/{agency}/changes[?from=DATE][&to=DATE][&actor=TEXT][&kind=KIND][&year=Y][&limit=N][&asOf=instant]   (agency read)
//     → { agency, changes: [ { at, actor: { id, name, nip, role }, kind, stream, year, subject, period, reason, ground, summary,
//         eventId, sequence, version } ], truncated, asOf }   newest first.
//     Every event of the agency's streams (agency, renstra-*, year-*, evaluation-*), as of the instant. from/to are
//     calendar dates at UTC+9 (WIT, as PerformanceYearContext.Today), both inclusive. 400: a bad date, from after to, an
//     unknown kind, a bad year, limit or asOf (errors.<field>); 404: the agency unknown (as of the instant).
public static class ChangeLogEndpoints
{
    public const int DefaultLimit = 500, MaxLimit = 5000;

    /// <summary>The zone dates are read in: Indonesia's latest (WIT, UTC+9), as "today" is for the domain's date rules.</summary>
    public static readonly TimeSpan DateZone = TimeSpan.FromHours(9);

    public sealed record ChangeActorBody(Guid? Id, string? Name, string? Nip, string? Role);

    public sealed record ChangeBody(
        DateTimeOffset At, ChangeActorBody Actor, string Kind, string Stream, int? Year, string? Subject, string? Period, string? Reason,
        string? Ground, string Summary, Guid EventId, long Sequence, long Version);

    public sealed record ChangeLogBody(string Agency, IReadOnlyList<ChangeBody> Changes, bool Truncated, DateTimeOffset? AsOf);

    public static void MapChangeLog(this RouteGroupBuilder api) =>
        api.MapGet("/agencies/{agency}/changes", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .WithName("ListAgencyChanges").WithTags("Audit")
            .WithSummary("The agency-wide change log: every event of the agency's streams, newest first, filtered by date, actor, kind and year")
            .Produces<ChangeLogBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> ReadAsync(
        string agency, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? actor, [FromQuery] string? kind,
        [FromQuery] string? year, [FromQuery] string? limit, [FromQuery] string? asOf, StreamLoader store, AuditLoader audit, CancellationToken ct)
    {
        if (!TryDate(from, "from", out var fromDate, out var bad)) return bad!;
        if (!TryDate(to, "to", out var toDate, out bad)) return bad!;
        if (fromDate is { } f && toDate is { } t && f > t) return ReadQuery.Invalid("to", $"'to' ({t:yyyy-MM-dd}) is before 'from' ({f:yyyy-MM-dd}).");
        if (kind is not null && DomainEventTypes.TypeOf(kind) is null)
            return ReadQuery.Invalid("kind", $"'{kind}' is not an event type; one of {string.Join(", ", DomainEventTypes.All.Select(e => e.Name))}.");
        int? onlyYear = null;
        if (year is not null)
        {
            if (!ReadQuery.TryYear(year, "year", out var y, out var badYear)) return badYear!;
            onlyYear = y;
        }
        var max = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxLimit))
            return ReadQuery.Invalid("limit", $"'limit' is a whole number from 1 to {MaxLimit} (default {DefaultLimit}).");
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (!await audit.AgencyExistsAsync(agency, at, ct)) return ReadQuery.NotFound($"Agency '{agency}' does not exist{IndicatorEndpoints.When(at)}.");

        var fromInstant = fromDate is { } fd ? new DateTimeOffset(fd.ToDateTime(TimeOnly.MinValue), DateZone) : (DateTimeOffset?)null;
        var toInstant = toDate is { } td ? new DateTimeOffset(td.AddDays(1).ToDateTime(TimeOnly.MinValue), DateZone) : (DateTimeOffset?)null;
        var actorText = string.IsNullOrWhiteSpace(actor) ? null : actor.Trim();

        var streams = await AgencyStreams.ListAsync(store, agency, ct);
        var changes = new List<ChangeBody>();
        foreach (var (stream, streamYear) in streams.All())
        {
            if (onlyYear is { } oy && streamYear != oy && !(streamYear is null && await RenstraCoversAsync(stream, oy)))
                continue;
            foreach (var e in await store.ReadAsync(stream, StreamBound.At(at), ct))
            {
                if (kind is not null && e.EventTypeName != kind) continue;
                if (fromInstant is { } fi && e.Timestamp < fi) continue;
                if (toInstant is { } ti && e.Timestamp >= ti) continue;
                var who = Actor(e);
                if (actorText is not null && !Matches(who, actorText)) continue;
                var audited = AuditLoader.Audited(e, streamYear);
                var d = ChangeDescription.Of(audited.Event, audited.Reason);
                changes.Add(new ChangeBody(e.Timestamp, who, e.EventTypeName, stream, streamYear, d.Subject, d.Period, d.Reason, d.Ground,
                    d.Summary, e.Id, e.Sequence, e.Version));
            }
        }
        var newestFirst = changes.OrderByDescending(c => c.Sequence).ToList();
        var truncated = newestFirst.Count > max;
        return Results.Ok(new ChangeLogBody(agency, truncated ? newestFirst[..max] : newestFirst, truncated, at));

        // A plan stream with ?year=: kept when the plan (as of the instant) covers the year.
        async Task<bool> RenstraCoversAsync(string stream, int y) =>
            stream != Domain.Agencies.Agency.StreamName(agency)
            && Domain.Renstras.Renstra.Replay((await store.ReadAsync(stream, StreamBound.At(at), ct)).Select(StreamLoader.Decode)).Covers(y);
    }

    /// <summary>The actor header with its id (<see cref="AuditLoader.ActorOf"/> reads the rest).</summary>
    private static ChangeActorBody Actor(JasperFx.Events.IEvent e)
    {
        var a = AuditLoader.ActorOf(e);
        Guid? id = EventHeaderValues.Json(e, EventHeaders.Actor) is { ValueKind: JsonValueKind.Object } json
                   && json.TryGetProperty("id", out var v) && v.ValueKind == JsonValueKind.String && Guid.TryParse(v.GetString(), out var g)
            ? g : null;
        return new ChangeActorBody(id, a.Name, a.Nip, a.Role);
    }

    /// <summary>A substring of the name or the NIP, case-insensitive; an NIP also matches without its spaces.</summary>
    private static bool Matches(ChangeActorBody who, string text) =>
        (who.Name?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (who.Nip?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (who.Nip?.Replace(" ", "", StringComparison.Ordinal).Contains(text.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase) ?? false);

    private static bool TryDate(string? raw, string field, out DateOnly? date, out IResult? problem)
    {
        date = null;
        problem = null;
        if (raw is null) return true;
        if (DateOnly.TryParseExact(raw.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            date = d;
            return true;
        }
        problem = ReadQuery.Invalid(field, $"'{raw}' is not an ISO 8601 date (e.g. 2024-01-15); dates are read at UTC+9 and are inclusive.");
        return false;
    }
}
