using Ledger.Domain.Renstras;

namespace Ledger.Domain.PerformanceYears;

/// <summary>
/// Facts from other aggregates that PerformanceYear decisions need, loaded by the caller before deciding:
/// whether the agency exists, and the Renstra covering the year (null when none does). When two Renstras cover the
/// year (supersession), the caller passes the one in force, i.e. the newer plan.
/// </summary>
public sealed record PerformanceYearContext(bool AgencyExists, RenstraState? Renstra)
{
    internal RenstraState? RenstraCovering(int year) => Renstra is { Exists: true } r && r.Covers(year) ? r : null;
}
