using Ledger.Api.Infrastructure;
using Ledger.Commands;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.EventStore;

namespace Ledger.Api.Features.PerformanceYears;

/// <summary>
/// Facts from other streams that decisions need (the domain's contexts), loaded in one place. There is no index of an
/// agency's Renstras, so the Renstra covering a year is found by reading the streams that could cover it.
/// </summary>
public static class Contexts
{

    public static async Task<bool> AgencyExistsAsync(IEventReader reader, string agency, CancellationToken ct) =>
        await reader.StreamVersionAsync(new StreamName(Agency.StreamName(agency)), ct) > 0;

    public static async Task<RenstraContext> ForRenstraAsync(IEventReader reader, string agency, CancellationToken ct) =>
        new(await AgencyExistsAsync(reader, agency, ct));

    public static async Task<PerformanceYearContext> ForYearAsync(IEventReader reader, string agency, int year, CancellationToken ct) =>
        new(await AgencyExistsAsync(reader, agency, ct), await RenstraCoveringAsync(reader, agency, year, ct));

    /// <summary>
    /// The Renstra in force for <paramref name="year"/>: the newest (largest period start) that exists and covers it.
    /// Candidates: <see cref="Renstra.CandidatePeriodStarts"/>. When a newer plan supersedes an older one for a year, the
    /// newer one wins (PerformanceYearContext).
    /// </summary>
    public static async Task<RenstraState?> RenstraCoveringAsync(IEventReader reader, string agency, int year, CancellationToken ct)
    {
        foreach (var start in Renstra.CandidatePeriodStarts(year))
        {
            var recorded = await reader.ReadStreamAsync(new StreamName(Renstra.StreamName(agency, start)), StreamReadOptions.Whole, ct);
            if (recorded.Count == 0) continue;
            var state = Renstra.Replay(recorded.Select(Decode));
            if (state.Exists && state.Covers(year)) return state;
        }
        return null;
    }

    public static async Task<AgencyState> AgencyAsync(IEventReader reader, string agency, CancellationToken ct)
    {
        var recorded = await reader.ReadStreamAsync(new StreamName(Agency.StreamName(agency)), StreamReadOptions.Whole, ct);
        return Agency.Replay(recorded.Select(Decode));
    }

    public static async Task<PerformanceYearState?> YearAsync(IEventReader reader, string agency, int year, CancellationToken ct)
    {
        var recorded = await reader.ReadStreamAsync(new StreamName(PerformanceYear.StreamName(agency, year)), StreamReadOptions.Whole, ct);
        return recorded.Count == 0 ? null : PerformanceYear.Replay(agency, year, recorded.Select(Decode));
    }

    private static IDomainEvent Decode(RecordedEvent e) => DomainCommands.Decode(e);
}
