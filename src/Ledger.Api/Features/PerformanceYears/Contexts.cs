using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.Storage;

namespace Ledger.Api.Features.PerformanceYears;

/// <summary>
/// Facts from other streams that decisions need (the domain's contexts), loaded in one place. There is no index of an
/// agency's Renstras, so the Renstra covering a year is found by reading the streams that could cover it.
/// </summary>
public static class Contexts
{
    public static Task<bool> AgencyExistsAsync(StreamLoader reader, string agency, CancellationToken ct) =>
        Agencies.AgencyRecord.ExistsAsync(reader, agency, null, ct);

    public static async Task<RenstraContext> ForRenstraAsync(StreamLoader reader, string agency, CancellationToken ct) =>
        new(await AgencyExistsAsync(reader, agency, ct));

    public static async Task<PerformanceYearContext> ForYearAsync(StreamLoader reader, string agency, int year, CancellationToken ct) =>
        new(await AgencyExistsAsync(reader, agency, ct), await RenstraCoveringAsync(reader, agency, year, ct)) { Today = Today() };

    /// <summary>Today in Indonesia's latest time zone (WIT, UTC+9), for <see cref="PerformanceYearContext.Today"/>.</summary>
    public static DateOnly Today() => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);

    /// <summary>The Renstra in force for <paramref name="year"/> at the head of the log (<see cref="Renstra.InForceAsync{TPlan}"/>).</summary>
    public static Task<RenstraState?> RenstraCoveringAsync(StreamLoader reader, string agency, int year, CancellationToken ct) =>
        Renstras.RenstraInForce.FindAsync(reader, agency, year, async stream =>
        {
            var events = await reader.ReadDomainAsync(stream, StreamBound.Whole, ct);
            return events.Count == 0 ? null : Renstra.Replay(events);
        }, s => s, ct);

    public static async Task<AgencyState> AgencyAsync(StreamLoader reader, string agency, CancellationToken ct) =>
        Agency.Replay(await reader.ReadDomainAsync(Agency.StreamName(agency), StreamBound.Whole, ct));

    public static async Task<PerformanceYearState?> YearAsync(StreamLoader reader, string agency, int year, CancellationToken ct)
    {
        var events = await reader.ReadDomainAsync(PerformanceYear.StreamName(agency, year), StreamBound.Whole, ct);
        return events.Count == 0 ? null : PerformanceYear.Replay(agency, year, events);
    }
}
