using Ledger.Api.Infrastructure;
using Ledger.Commands;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.EventStore;

namespace Ledger.Api.Features.Reads;

/// <summary>A replayed state and the version of the stream it came from (0 when the stream did not exist).</summary>
public sealed record Loaded<TState>(TState State, long Version);

/// <summary>
/// Replays the aggregates a read needs straight from the event store. Every read passes <c>AsOf</c> to the store, so
/// the answer is the record as it stood at that recorded instant (null = now); nothing is cached, nothing is
/// projected: a read is a pure function of the events recorded up to the instant.
/// </summary>
public sealed class ReadLoader(IEventStore store)
{
    private static readonly EventTypeRegistry Registry = DomainCommands.EventTypes();

    /// <summary>
    /// The agency as of the instant. A code no agency can have (RegisterAgency allows at most 100 characters) is simply
    /// an unknown agency: it never reaches the store, where it would make an invalid stream name (a 5xx on client input).
    /// Every read checks the agency first, so the other loads only ever see a registered agency's code.
    /// </summary>
    public async Task<Loaded<AgencyState>> AgencyAsync(string agency, DateTimeOffset? asOf, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(agency) || agency.Length > 100) return new(AgencyState.Initial, 0);
        var (events, version) = await ReadAsync(Agency.StreamName(agency), asOf, ct);
        return new(Agency.Replay(events), version);
    }

    /// <summary>
    /// The Renstra covering <paramref name="year"/>: renstra-{agency}-{p} for p in Renstra.CandidatePeriodStarts(year); the newest
    /// period start that exists and covers the year wins (a newer plan supersedes an older one for shared years).
    /// Null when none does.
    /// </summary>
    public async Task<Loaded<RenstraState>?> RenstraCoveringAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct)
    {
        foreach (var start in Renstra.CandidatePeriodStarts(year))
        {
            var (events, version) = await ReadAsync(Renstra.StreamName(agency, start), asOf, ct);
            if (version == 0) continue;
            var state = Renstra.Replay(events);
            if (state.Exists && state.Covers(year)) return new(state, version);
        }
        return null;
    }

    public async Task<Loaded<PerformanceYearState>> YearAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct)
    {
        var (events, version) = await ReadAsync(PerformanceYear.StreamName(agency, year), asOf, ct);
        return new(PerformanceYear.Replay(agency, year, events), version);
    }

    private async Task<(IReadOnlyList<IDomainEvent> Events, long Version)> ReadAsync(string stream, DateTimeOffset? asOf, CancellationToken ct)
    {
        var recorded = await store.ReadStreamAsync(new StreamName(stream), new StreamReadOptions { AsOf = asOf }, ct);
        var events = recorded.Select(r => (IDomainEvent)Registry.Deserialize(r, DomainCommands.Json)).ToList();
        return (events, recorded.Count == 0 ? 0 : recorded[^1].Version);
    }
}
