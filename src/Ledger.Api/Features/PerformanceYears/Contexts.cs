using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.Api.Features.Reads;
using Ledger.Storage;

namespace Ledger.Api.Features.PerformanceYears;

/// <summary>
/// Facts from other streams that decisions need (the domain's contexts), loaded in one place. There is no index of an
/// agency's Renstras, so the Renstra covering a year is found by reading the streams that could cover it.
/// </summary>
public static class Contexts
{
    public static async Task<bool> AgencyExistsAsync(ReadLoader reads, string agency, CancellationToken ct) =>
        (await reads.AgencyAsync(agency, null, ct)).State.Exists;

    public static async Task<RenstraContext> ForRenstraAsync(ReadLoader reads, string agency, CancellationToken ct) =>
        new(await AgencyExistsAsync(reads, agency, ct));

    /// <summary>The agency and the Renstra in force for the year, at the head of the log (their versions asked in one query).</summary>
    public static async Task<PerformanceYearContext> ForYearAsync(ReadLoader reads, string agency, int year, CancellationToken ct)
    {
        var heads = await reads.HeadsAsync(agency, [year], null, ct);
        var exists = (await reads.AgencyAsync(agency, null, heads, ct)).State.Exists;
        var renstra = await reads.RenstraCoveringAsync(agency, year, null, heads, ct);
        return new(exists, renstra?.State) { Today = Today() };
    }

    /// <summary>Today in Indonesia's latest time zone (WIT, UTC+9), for <see cref="PerformanceYearContext.Today"/>.</summary>
    public static DateOnly Today() => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);

    public static async Task<PerformanceYearState?> YearAsync(StreamLoader reader, string agency, int year, CancellationToken ct)
    {
        var events = await reader.ReadDomainAsync(PerformanceYear.StreamName(agency, year), StreamBound.Whole, ct);
        return events.Count == 0 ? null : PerformanceYear.Replay(agency, year, events);
    }
}
