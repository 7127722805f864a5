using Ledger.Api.Features.Reads;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.Storage;
using DomainDecision = Ledger.Domain.Decision;

namespace Ledger.Api.Tests.Reads;

/// <summary>What a seed append left: the stream's version and the recorded time of its last event.</summary>
public sealed record Appended(long Version, DateTimeOffset RecordedAt);

/// <summary>
/// Sets up read-test data by appending domain events straight to the factory's database through Marten (as the owner),
/// on the streams the domain names (Agency/Renstra/PerformanceYear.StreamName, the agency header set). The events come
/// from the real decisions, replayed on the stream's current state, so they are exactly what the write endpoints store.
/// </summary>
public sealed class SeedEvents(LedgerApiFactory factory)
{
    public async Task<Appended> AgencyAsync(string agency, AgencyCommand command)
    {
        var state = (await Loader.AgencyAsync(agency, null, default)).State;
        return await AppendDecisionAsync(Agency.StreamName(agency), agency, Agency.Decide(state, command));
    }

    public async Task<Appended> RenstraAsync(string agency, int periodStart, RenstraCommand command)
    {
        var agencyState = (await Loader.AgencyAsync(agency, null, default)).State;
        var state = (await Loader.RenstraAsync(agency, periodStart, null, default)).State;
        return await AppendDecisionAsync(Renstra.StreamName(agency, periodStart), agency,
            Renstra.Decide(state, command, new RenstraContext(agencyState.Exists)));
    }

    public async Task<Appended> YearAsync(string agency, int year, PerformanceYearCommand command)
    {
        var agencyState = (await Loader.AgencyAsync(agency, null, default)).State;
        var renstra = await Loader.RenstraCoveringAsync(agency, year, null, default);
        var state = (await Loader.YearAsync(agency, year, null, default)).State;
        return await AppendDecisionAsync(PerformanceYear.StreamName(agency, year), agency,
            PerformanceYear.Decide(state, command, new PerformanceYearContext(agencyState.Exists, renstra?.State)));
    }

    public async Task YearAsync(string agency, int year, params PerformanceYearCommand[] commands)
    {
        foreach (var command in commands) await YearAsync(agency, year, command);
    }

    /// <summary>The primitive: append these events as they are (any expected version).</summary>
    public async Task<Appended> AppendAsync(string stream, string agency, IReadOnlyList<IDomainEvent> events)
    {
        await using (var session = factory.Store.LightweightSession())
        {
            session.SetHeader(EventHeaders.Actor, new { name = "Read-test seed", role = "admin" });
            session.SetHeader(EventHeaders.Agency, agency);
            session.Events.Append(stream, events.Cast<object>().ToArray());
            await session.SaveChangesAsync();
        }
        var all = await factory.EventsAsync(stream);
        return new Appended(all[^1].Version, all[^1].Timestamp);
    }

    private ReadLoader Loader => new(new StreamLoader(factory.Store, factory.Database.Owner));

    private async Task<Appended> AppendDecisionAsync(string stream, string agency, DomainDecision decision) =>
        decision is DomainDecision.Accepted accepted
            ? await AppendAsync(stream, agency, accepted.Events)
            : throw new InvalidOperationException($"Seeding '{stream}' was not accepted: {decision}");
}
