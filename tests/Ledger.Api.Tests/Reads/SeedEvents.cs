using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Commands;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.EventStore;
using DomainDecision = Ledger.Domain.Decision;

namespace Ledger.Api.Tests.Reads;

/// <summary>
/// Sets up read-test data by appending domain events straight to the factory's database with the real store and the
/// real event registry, on the streams the domain names (Agency/Renstra/PerformanceYear.StreamName, tenant = agency).
/// The events come from the real decisions, replayed on the stream's current state, so they are exactly what the
/// write endpoints will store. The write endpoints are being built in parallel: once they exist, this one class can
/// send the same commands over HTTP instead, and the read tests stay as they are.
/// </summary>
public sealed class SeedEvents(LedgerApiFactory factory)
{
    private static readonly EventTypeRegistry Registry = DomainCommands.EventTypes();
    private readonly PostgresEventStore _store = new(factory.Database.Owner);

    public async Task<AppendResult> AgencyAsync(string agency, AgencyCommand command)
    {
        var state = (await Loader.AgencyAsync(agency, null, default)).State;
        return await AppendDecisionAsync(Agency.StreamName(agency), "agency", agency, Agency.Decide(state, command));
    }

    public async Task<AppendResult> RenstraAsync(string agency, int periodStart, RenstraCommand command)
    {
        var agencyState = (await Loader.AgencyAsync(agency, null, default)).State;
        var events = await _store.ReadStreamAsync(new StreamName(Renstra.StreamName(agency, periodStart)));
        var state = Renstra.Replay(events.Select(Decode));
        return await AppendDecisionAsync(Renstra.StreamName(agency, periodStart), "renstra", agency,
            Renstra.Decide(state, command, new RenstraContext(agencyState.Exists)));
    }

    public async Task<AppendResult> YearAsync(string agency, int year, PerformanceYearCommand command)
    {
        var agencyState = (await Loader.AgencyAsync(agency, null, default)).State;
        var renstra = await Loader.RenstraCoveringAsync(agency, year, null, default);
        var state = (await Loader.YearAsync(agency, year, null, default)).State;
        return await AppendDecisionAsync(PerformanceYear.StreamName(agency, year), "performance-year", agency,
            PerformanceYear.Decide(state, command, new PerformanceYearContext(agencyState.Exists, renstra?.State)));
    }

    public async Task YearAsync(string agency, int year, params PerformanceYearCommand[] commands)
    {
        foreach (var command in commands) await YearAsync(agency, year, command);
    }

    /// <summary>The primitive: append these events as they are (any expected version).</summary>
    public Task<AppendResult> AppendAsync(string stream, string streamType, string agency, IReadOnlyList<IDomainEvent> events) =>
        _store.AppendAsync(new AppendRequest(new StreamName(stream), streamType, agency, ExpectedVersion.Any,
            events.Select(e => Registry.Serialize(Guid.NewGuid(), e, DomainCommands.Json)).ToList(),
            new AppendMetadata { ActorJson = """{"name":"Read-test seed","role":"admin"}""" }));

    private ReadLoader Loader => new(_store);

    private async Task<AppendResult> AppendDecisionAsync(string stream, string streamType, string agency, DomainDecision decision) =>
        decision is DomainDecision.Accepted accepted
            ? await AppendAsync(stream, streamType, agency, accepted.Events)
            : throw new InvalidOperationException($"Seeding '{stream}' was not accepted: {decision}");

    private static IDomainEvent Decode(RecordedEvent e) => (IDomainEvent)Registry.Deserialize(e, DomainCommands.Json);
}
