using System.Text.Json;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.History;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Storage;

namespace Ledger.Api.Features.Audit;

/// <summary>A Renstra stream's events and its period, as read for an audit question.</summary>
public sealed record RenstraStream(string Stream, RenstraCreated Created, IReadOnlyList<AuditedEvent> Events)
{
    /// <summary>The plan as its events say (as of the read).</summary>
    public RenstraState State { get; } = Renstra.Replay(Events.Select(e => e.Event));

    public bool Covers(int year) => State.Covers(year);

    public bool HasIndicator(string code) => Events.Any(e => e.Event is IndicatorAdded a && a.Code == code);

    public IEnumerable<int> Years => State.YearsCovered();
}

/// <summary>
/// Reads streams for the audit reads with their metadata (ReadLoader replays states and drops the metadata, which
/// the Inspektorat needs: who, when, why, which event). Every read passes AsOf to the store, so each answer is the
/// record as it stood at that recorded instant. There is no index of an agency's Renstras, so they are found by
/// reading renstra-{agency}-{p} for the candidate period starts (as ReadLoader and Contexts do).
/// </summary>
public sealed class AuditLoader(StreamLoader store)
{

    /// <summary>Without ?year=, a history looks for Renstras starting up to this many years before the reference year.</summary>
    public const int HistoryLookBackYears = 12;

    public Task<bool> AgencyExistsAsync(string agency, DateTimeOffset? asOf, CancellationToken ct) =>
        Agencies.AgencyRecord.ExistsAsync(store, agency, asOf, ct);

    public Task<IReadOnlyList<AuditedEvent>> YearAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        ReadAsync(Domain.PerformanceYears.PerformanceYear.StreamName(agency, year), year, asOf, ct);

    /// <summary>Every Renstra of the agency whose period start lies in [from, to], newest start first.</summary>
    public async Task<IReadOnlyList<RenstraStream>> RenstrasAsync(string agency, int from, int to, DateTimeOffset? asOf, CancellationToken ct)
    {
        var starts = Enumerable.Range(from, Math.Max(0, to - from + 1)).Reverse().ToList();
        var existing = await ExistingAsync(starts.Select(s => Renstra.StreamName(agency, s)), ct);
        var found = new List<RenstraStream>();
        foreach (var stream in starts.Select(s => Renstra.StreamName(agency, s)).Where(existing.Contains))
            if (await RenstraAsync(stream, asOf, ct) is { } plan) found.Add(plan);
        return found;
    }

    /// <summary>The Renstra in force for a year as of the instant (<see cref="Renstra.InForceAsync{TPlan}"/>), with its events.</summary>
    public Task<RenstraStream?> RenstraCoveringAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        Renstras.RenstraInForce.FindAsync(store, agency, year, stream => RenstraAsync(stream, asOf, ct), r => r.State, ct);

    /// <summary>The events of each year's stream that exists (one query finds which), in the order of <paramref name="years"/>.</summary>
    public async Task<IReadOnlyList<AuditedEvent>> YearsAsync(string agency, IReadOnlyList<int> years, DateTimeOffset? asOf, CancellationToken ct)
    {
        var existing = await ExistingAsync(years.Select(y => Domain.PerformanceYears.PerformanceYear.StreamName(agency, y)), ct);
        var events = new List<AuditedEvent>();
        foreach (var y in years)
            if (existing.Contains(Domain.PerformanceYears.PerformanceYear.StreamName(agency, y))) events.AddRange(await YearAsync(agency, y, asOf, ct));
        return events;
    }

    /// <summary>Which of the streams exist (one query; a stream is never deleted, so one missing now was missing at any instant).</summary>
    private Task<IReadOnlySet<string>> ExistingAsync(IEnumerable<string> streams, CancellationToken ct) => store.ExistingAsync(streams.ToList(), ct);

    private async ValueTask<RenstraStream?> RenstraAsync(string stream, DateTimeOffset? asOf, CancellationToken ct)
    {
        var events = await ReadAsync(stream, null, asOf, ct);
        return events.FirstOrDefault()?.Event is RenstraCreated created ? new RenstraStream(stream, created, events) : null;
    }

    private async Task<IReadOnlyList<AuditedEvent>> ReadAsync(string stream, int? year, DateTimeOffset? asOf, CancellationToken ct)
    {
        var recorded = await store.ReadAsync(stream, StreamBound.At(asOf), ct);
        return recorded.Select(r => Audited(r, year)).ToList();
    }

    /// <summary>One stored event with what an auditor needs: who (the actor header), when (recorded time), why (the reason header).</summary>
    public static AuditedEvent Audited(JasperFx.Events.IEvent e, int? year) =>
        new(e.Sequence, e.Id, e.StreamKey!, year, e.Timestamp, ActorOf(e), EventHeaderValues.Text(e, EventHeaders.Reason), DomainCommands.Decode(e));

    /// <summary>The actor header <see cref="CurrentUser.ToActor"/> wrote; anything unreadable is an unknown actor.</summary>
    public static Actor ActorOf(JasperFx.Events.IEvent e)
    {
        if (EventHeaderValues.Json(e, EventHeaders.Actor) is not { ValueKind: JsonValueKind.Object } actor) return Actor.Unknown;
        string? Text(string name) => actor.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new Actor(Text("name"), Text("nip"), Text("role"));
    }
}
