using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using JasperFx.Events;
using Ledger.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Snapshots;

// GET /api/agencies/{agency}/years/{year}/snapshot[?asOf=instant]   (agency read)
//     → { agency, year, snapshot, snapshotHash, canonicalization, closedAt, closedBy, note, reason, closeEventId,
//         closeSequence, closeVersion, indicatorsWithoutRealization, sources, chainHead: { headSequence, logDigest, format },
//         correctionsAfterClose: [ { eventId, sequence, version, at, actor, reason, indicator, period, before, after } ],
//         version, asOf }
//     The snapshot is the document frozen in the log at close, never merged with later corrections: those are listed
//     beside it. ETag: the year stream's version as of the read. 404: agency unknown, or the year not closed (as of).
// GET /api/agencies/{agency}/years/{year}/snapshot/verify[?asOf=instant]   (agency read)
//     → { ok, storedHash, recomputedHash, documentHash, canonicalization, sources }: recompute-and-compare from the
//     events the close saw. 404 as above, or when the close predates frozen snapshots (nothing to recompute against).
public static class SnapshotEndpoints
{
    public sealed record ChainHeadBody(long? HeadSequence, string? LogDigest, string? Format);

    public sealed record CorrectionBody(
        Guid EventId, long Sequence, long Version, DateTimeOffset At, JsonElement? Actor, string Reason, string Indicator, string Period,
        decimal Before, decimal After);

    public sealed record SnapshotBody(
        string Agency, int Year, JsonElement? Snapshot, string SnapshotHash, string? Canonicalization, DateTimeOffset ClosedAt,
        JsonElement? ClosedBy, string? Note, string? Reason, Guid CloseEventId, long CloseSequence, long CloseVersion,
        IReadOnlyList<string> IndicatorsWithoutRealization, IReadOnlyList<SnapshotSource> Sources, ChainHeadBody? ChainHead,
        IReadOnlyList<CorrectionBody> CorrectionsAfterClose, long Version, DateTimeOffset? AsOf);

    public sealed record VerifyBody(
        bool Ok, string StoredHash, string RecomputedHash, string DocumentHash, string Canonicalization, IReadOnlyList<SnapshotSource> Sources);


    public static void MapSnapshotEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/agencies/{agency}/years/{year:int}/snapshot", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<SnapshotBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReadYearSnapshot").WithTags("Years")
            .WithSummary("The frozen year-end snapshot, its hash, and the corrections recorded after the close beside it");
        api.MapGet("/agencies/{agency}/years/{year:int}/snapshot/verify", VerifyAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<VerifyBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("VerifyYearSnapshot").WithTags("Years")
            .WithSummary("Recompute the frozen snapshot from the events the close saw and compare its hash with the stored one");
    }

    private sealed record Found(YearSnapshotReader.Closed Closed, IReadOnlyList<IEvent> Events, DateTimeOffset? At);

    private static async Task<(Found? Found, IResult? Problem)> FindAsync(
        string agency, int year, string? asOf, ReadLoader loader, StreamLoader store, CancellationToken ct)
    {
        if (!ReadQuery.CheckYear(year, "year", out var badYear)) return (null, badYear);
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return (null, badAsOf);
        if (!(await loader.AgencyAsync(agency, at, ct)).State.Exists)
            return (null, ReadQuery.NotFound($"Agency '{agency}' does not exist{When(at)}."));
        var events = await store.ReadAsync(PerformanceYear.StreamName(agency, year), StreamBound.At(at), ct);
        return await YearSnapshotReader.FindCloseAsync(events, store, ct) is { } closed
            ? (new Found(closed, events, at), null)
            : (null, ReadQuery.NotFound($"{year} of '{agency}' is not closed{When(at)}: there is no frozen snapshot."));
    }

    private static async Task<IResult> ReadAsync(
        HttpContext http, string agency, int year, [FromQuery] string? asOf, ReadLoader loader, StreamLoader store, CancellationToken ct)
    {
        var (found, problem) = await FindAsync(agency, year, asOf, loader, store, ct);
        if (found is null) return problem!;
        var (closed, events, at) = found;

        var corrections = events
            .Where(e => e.Version > closed.ClosedEvent.Version)
            .Select(e => (Recorded: e, Event: DomainCommands.Decode(e)))
            .Where(x => x.Event is RealizationCorrected)
            .Select(x =>
            {
                var (e, c) = (x.Recorded, (RealizationCorrected)x.Event);
                return new CorrectionBody(e.Id, e.Sequence, e.Version, e.Timestamp, EventHeaderValues.Json(e, EventHeaders.Actor), c.Reason, c.Indicator, c.Period, c.Before, c.After);
            })
            .ToList();
        var f = closed.Frozen;
        var body = new SnapshotBody(
            agency, year, closed.Document, closed.Close.SnapshotHash, f?.Canonicalization, closed.ClosedEvent.Timestamp,
            EventHeaderValues.Json(closed.ClosedEvent, EventHeaders.Actor), closed.Close.Note, EventHeaderValues.Text(closed.ClosedEvent, EventHeaders.Reason), closed.ClosedEvent.Id,
            closed.ClosedEvent.Sequence, closed.ClosedEvent.Version, closed.Close.IndicatorsWithoutRealization, f?.Sources ?? [],
            f is null ? null : new ChainHeadBody(f.LogHeadSequence, f.LogDigest, f.LogDigestFormat), corrections, events[^1].Version, at);
        return ReadQuery.Ok(http, body, events[^1].Version);
    }

    private static async Task<IResult> VerifyAsync(
        HttpContext http, string agency, int year, [FromQuery] string? asOf, ReadLoader loader, StreamLoader store, CancellationToken ct)
    {
        var (found, problem) = await FindAsync(agency, year, asOf, loader, store, ct);
        if (found is null) return problem!;
        var result = await YearSnapshotReader.VerifyAsync(store, agency, year, found.Closed, ct);
        if (result is null)
            return ReadQuery.NotFound($"{year} of '{agency}' was closed before snapshots were frozen in the log; there is nothing to recompute against.");
        return ReadQuery.Ok(http, new VerifyBody(result.Ok, result.StoredHash, result.RecomputedHash, result.DocumentHash,
            result.Canonicalization, found.Closed.Frozen!.Sources), found.Events[^1].Version);
    }

    private static string When(DateTimeOffset? at) => at is { } t ? $" as of {t:O}" : "";
}
