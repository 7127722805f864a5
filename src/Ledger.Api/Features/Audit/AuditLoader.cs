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

    /// <summary>Every Renstra of the agency whose period start lies in [from, to], newest start first (one query for all).</summary>
    public async Task<IReadOnlyList<RenstraStream>> RenstrasAsync(string agency, int from, int to, DateTimeOffset? asOf, CancellationToken ct)
    {
        var streams = RenstraStreams(agency, from, to);
        return Plans(streams, await store.ReadManyAsync(streams, asOf, ct));
    }

    /// <summary>
    /// What one indicator's history reads, in one query: whether the agency existed as of the instant, its Renstras with
    /// a period start in [from, to] (as <see cref="RenstrasAsync"/>), and for each of <paramref name="years"/>
    /// (asked before the plans are known, so the caller names every year they could cover) the year stream's events
    /// that may concern the indicator (as <see cref="YearsForIndicatorAsync"/>; every year asked has an entry).
    /// </summary>
    public async Task<(bool AgencyExists, IReadOnlyList<RenstraStream> Renstras, IReadOnlyDictionary<int, IReadOnlyList<AuditedEvent>> Years)>
        IndicatorHistoryAsync(string agency, int from, int to, string code, IReadOnlyCollection<int> years, DateTimeOffset? asOf, CancellationToken ct)
    {
        if (!Agencies.AgencyRecord.IsPossibleCode(agency)) return (false, [], new Dictionary<int, IReadOnlyList<AuditedEvent>>());
        var streams = RenstraStreams(agency, from, to);
        var agencyStream = Agency.StreamName(agency);
        var yearStreams = years.Distinct().ToDictionary(y => y, y => Domain.PerformanceYears.PerformanceYear.StreamName(agency, y));
        var read = store.KeepsEvents
            // The year streams whole through the loader's kept events (only their new events come from the log), each
            // year's then filtered here by the rule the store's filter stands for.
            ? await WholeAsync([agencyStream, .. streams, .. yearStreams.Values], asOf, yearStreams.Values, code, ct)
            : await store.ReadManyAsync([agencyStream, .. streams], yearStreams.Values.ToList(), asOf, HistoryFilter(code), ct);
        if (!Agency.Replay((read.GetValueOrDefault(agencyStream) ?? []).Select(StreamLoader.Decode)).Exists)
            return (false, [], new Dictionary<int, IReadOnlyList<AuditedEvent>>());
        var yearEvents = yearStreams.ToDictionary(y => y.Key,
            y => (IReadOnlyList<AuditedEvent>)(read.GetValueOrDefault(y.Value) ?? []).Select(r => Audited(r, y.Key)).ToList());
        return (true, Plans(streams, read), yearEvents);
    }

    private static List<string> RenstraStreams(string agency, int from, int to) =>
        Enumerable.Range(from, Math.Max(0, to - from + 1)).Reverse().Select(s => Renstra.StreamName(agency, s)).ToList();

    private static List<RenstraStream> Plans(IReadOnlyList<string> streams, IReadOnlyDictionary<string, IReadOnlyList<JasperFx.Events.IEvent>> read)
    {
        var found = new List<RenstraStream>();
        foreach (var stream in streams)
            if (read.TryGetValue(stream, out var recorded) && Plan(stream, recorded.Select(r => Audited(r, null)).ToList()) is { } plan) found.Add(plan);
        return found;
    }

    /// <summary>The Renstra in force for a year as of the instant (<see cref="Renstra.InForceAsync{TPlan}"/>), with its events.</summary>
    public Task<RenstraStream?> RenstraCoveringAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        Renstras.RenstraInForce.FindAsync(store, agency, year, stream => RenstraAsync(stream, asOf, ct), r => r.State, ct);

    /// <summary>The events of each year's stream, in the order of <paramref name="years"/> (one query for all).</summary>
    public Task<IReadOnlyList<AuditedEvent>> YearsAsync(string agency, IReadOnlyList<int> years, DateTimeOffset? asOf, CancellationToken ct) =>
        YearsAsync(agency, years, asOf, null, ct);

    /// <summary>
    /// The events of each year's stream that may concern one indicator's history
    /// (<see cref="IndicatorHistory.MayConcern"/>), chosen in the store's query: <see cref="IndicatorHistory.For"/> gives
    /// the same entries from them as from every event, without fetching and decoding the rest (most of a year stream is
    /// other indicators' realizations and corrections, and spending).
    /// </summary>
    public Task<IReadOnlyList<AuditedEvent>> YearsForIndicatorAsync(string agency, IReadOnlyList<int> years, string code, DateTimeOffset? asOf,
        CancellationToken ct) => YearsAsync(agency, years, asOf, code, ct);

    /// <summary><see cref="IndicatorHistory.MayConcern"/> as the store's filter: the payloads' <c>indicator</c> as stored (camelCase).</summary>
    internal static EventFilter HistoryFilter(string code) => new(
        IndicatorHistory.SourceEventTypes.Except(IndicatorHistory.PerIndicatorEventTypes).Select(DomainEventTypes.NameOf).ToList(),
        IndicatorHistory.PerIndicatorEventTypes.Select(DomainEventTypes.NameOf).ToList(),
        JsonNamingPolicy.CamelCase.ConvertName(nameof(Domain.PerformanceYears.RecordingRealization.RealizationRecorded.Indicator)), code);

    /// <summary>The years' events, all of them or (<paramref name="code"/> given) those that may concern that indicator.</summary>
    private async Task<IReadOnlyList<AuditedEvent>> YearsAsync(string agency, IReadOnlyList<int> years, DateTimeOffset? asOf, string? code,
        CancellationToken ct)
    {
        var streams = years.Select(y => Domain.PerformanceYears.PerformanceYear.StreamName(agency, y)).ToList();
        var read = code is not null && store.KeepsEvents
            ? await WholeAsync(streams, asOf, streams, code, ct)
            : await store.ReadManyAsync(streams, asOf, code is null ? null : HistoryFilter(code), ct);
        var events = new List<AuditedEvent>();
        foreach (var y in years)
            if (read.TryGetValue(Domain.PerformanceYears.PerformanceYear.StreamName(agency, y), out var recorded))
                events.AddRange(recorded.Select(r => Audited(r, y)));
        return events;
    }

    /// <summary>
    /// <paramref name="streams"/> read whole as of the instant in one bounded read (through the loader's kept events),
    /// the events of <paramref name="filtered"/> then kept only when <see cref="IndicatorHistory.MayConcern"/> the
    /// indicator <paramref name="code"/>: what <see cref="HistoryFilter"/> selects in the store's query. A stream with no
    /// event left has no entry, as in <see cref="StreamLoader.ReadManyAsync(IReadOnlyCollection{string}, DateTimeOffset?, EventFilter?, CancellationToken)"/>.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyList<JasperFx.Events.IEvent>>> WholeAsync(IReadOnlyList<string> streams, DateTimeOffset? asOf,
        IEnumerable<string> filtered, string code, CancellationToken ct)
    {
        var distinct = streams.Distinct(StringComparer.Ordinal).ToList();
        var some = filtered.ToHashSet(StringComparer.Ordinal);
        var read = await store.ReadManyAsync(distinct.Select(s => (s, StreamBound.At(asOf))).ToList(), ct);
        var found = new Dictionary<string, IReadOnlyList<JasperFx.Events.IEvent>>(StringComparer.Ordinal);
        for (var i = 0; i < distinct.Count; i++)
        {
            var events = some.Contains(distinct[i]) ? read[i].Where(e => IndicatorHistory.MayConcern(code, StreamLoader.Decode(e))).ToList() : read[i];
            if (events.Count > 0) found[distinct[i]] = events;
        }
        return found;
    }

    private async ValueTask<RenstraStream?> RenstraAsync(string stream, DateTimeOffset? asOf, CancellationToken ct) =>
        Plan(stream, await ReadAsync(stream, null, asOf, ct));

    private static RenstraStream? Plan(string stream, IReadOnlyList<AuditedEvent> events) =>
        events.FirstOrDefault()?.Event is RenstraCreated created ? new RenstraStream(stream, created, events) : null;

    private async Task<IReadOnlyList<AuditedEvent>> ReadAsync(string stream, int? year, DateTimeOffset? asOf, CancellationToken ct)
    {
        var recorded = await store.ReadAsync(stream, StreamBound.At(asOf), ct);
        return recorded.Select(r => Audited(r, year)).ToList();
    }

    /// <summary>One stored event with what an auditor needs: who (the actor header), when (recorded time), why (the reason header).</summary>
    public static AuditedEvent Audited(JasperFx.Events.IEvent e, int? year) =>
        new(e.Sequence, e.Id, e.StreamKey!, year, e.Timestamp, ActorOf(e), EventHeaderValues.Text(e, EventHeaders.Reason), DomainCommands.Decode(e));

    /// <summary>
    /// The actor header <see cref="CurrentUser.ToActor"/> wrote; anything unreadable is an unknown actor. The events read
    /// with one actor share one <see cref="JsonHeaderValue"/> (<see cref="EventHeadersConverter"/>), so it is parsed once
    /// per value, not once per event.
    /// </summary>
    public static Actor ActorOf(JasperFx.Events.IEvent e) =>
        e.Headers is not null && e.Headers.TryGetValue(EventHeaders.Actor, out var value) && value is JsonHeaderValue shared
            ? Actors.GetValue(shared, static v => ActorOf(v.ToElement()))
            : EventHeaderValues.Json(e, EventHeaders.Actor) is { } json ? ActorOf(json) : Actor.Unknown;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonHeaderValue, Actor> Actors = new();

    private static Actor ActorOf(JsonElement actor)
    {
        if (actor.ValueKind != JsonValueKind.Object) return Actor.Unknown;
        string? Text(string name) => actor.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new Actor(Text("name"), Text("nip"), Text("role"));
    }
}
