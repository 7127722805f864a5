using System.Text.Json;
using Ledger.Api.Infrastructure;
using Ledger.Commands;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.History;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.EventStore;

namespace Ledger.Api.Features.Audit;

/// <summary>A Renstra stream's events and its period, as read for an audit question.</summary>
public sealed record RenstraStream(string Stream, RenstraCreated Created, IReadOnlyList<AuditedEvent> Events)
{
    public bool Covers(int year) =>
        (year >= Created.PeriodStart && year <= Created.PeriodEnd) || Created.TransitionYear == year;

    public bool HasIndicator(string code) => Events.Any(e => e.Event is IndicatorAdded a && a.Code == code);

    public IEnumerable<int> Years => Enumerable.Range(Created.PeriodStart, Created.PeriodEnd - Created.PeriodStart + 1)
        .Concat(Created.TransitionYear is { } t ? [t] : []);
}

/// <summary>
/// Reads streams for the audit reads with their metadata (ReadLoader replays states and drops the metadata, which
/// the Inspektorat needs: who, when, why, which event). Every read passes AsOf to the store, so each answer is the
/// record as it stood at that recorded instant. There is no index of an agency's Renstras, so they are found by
/// reading renstra-{agency}-{p} for the candidate period starts (as ReadLoader and Contexts do).
/// </summary>
public sealed class AuditLoader(IEventStore store)
{

    /// <summary>Without ?year=, a history looks for Renstras starting up to this many years before the reference year.</summary>
    public const int HistoryLookBackYears = 12;

    public async Task<bool> AgencyExistsAsync(string agency, DateTimeOffset? asOf, CancellationToken ct) =>
        !string.IsNullOrWhiteSpace(agency) && agency.Length <= 100
        && (await store.ReadStreamAsync(new StreamName(Agency.StreamName(agency)), new StreamReadOptions { AsOf = asOf }, ct)).Count > 0;

    public Task<IReadOnlyList<AuditedEvent>> YearAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        ReadAsync(Domain.PerformanceYears.PerformanceYear.StreamName(agency, year), year, asOf, ct);

    /// <summary>Every Renstra of the agency whose period start lies in [from, to], newest start first.</summary>
    public async Task<IReadOnlyList<RenstraStream>> RenstrasAsync(string agency, int from, int to, DateTimeOffset? asOf, CancellationToken ct)
    {
        var found = new List<RenstraStream>();
        for (var start = to; start >= from; start--)
        {
            var stream = Renstra.StreamName(agency, start);
            var events = await ReadAsync(stream, null, asOf, ct);
            if (events.FirstOrDefault()?.Event is RenstraCreated created) found.Add(new RenstraStream(stream, created, events));
        }
        return found;
    }

    /// <summary>The Renstra in force for a year: the newest period start that covers it (a newer plan supersedes).</summary>
    public async Task<RenstraStream?> RenstraCoveringAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        (await RenstrasAsync(agency, year - Ledger.Domain.Renstras.CreatingRenstra.CreatingRenstraDecision.MaxPeriodYears, year + 1, asOf, ct)).FirstOrDefault(r => r.Covers(year));

    private async Task<IReadOnlyList<AuditedEvent>> ReadAsync(string stream, int? year, DateTimeOffset? asOf, CancellationToken ct)
    {
        var recorded = await store.ReadStreamAsync(new StreamName(stream), new StreamReadOptions { AsOf = asOf }, ct);
        return recorded.Select(r => new AuditedEvent(r.Sequence, r.Id, r.Stream.Value, year, r.RecordedAt, ActorOf(r.ActorJson), r.Reason,
            DomainCommands.Decode(r))).ToList();
    }

    /// <summary>The actor metadata is the JSON <see cref="CurrentUser.ToActorJson"/> wrote; anything unreadable is an unknown actor.</summary>
    public static Actor ActorOf(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Actor.Unknown;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return Actor.Unknown;
            string? Text(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return new Actor(Text("name"), Text("nip"), Text("role"));
        }
        catch (JsonException)
        {
            return Actor.Unknown; // metadata written by something else; the event itself is still evidence
        }
    }
}
