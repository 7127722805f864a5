using Ledger.Domain.Renstras;

namespace Ledger.Domain.PerformanceYears;

/// <summary>
/// Facts from other aggregates that PerformanceYear decisions need, loaded by the caller before deciding:
/// whether the agency exists, and the Renstra covering the year (null when none does). When two Renstras cover the
/// year (supersession), the caller passes the one in force, i.e. the newer plan.
/// </summary>
public sealed record PerformanceYearContext(bool AgencyExists, RenstraState? Renstra)
{
    /// <summary>
    /// Today's date where it is latest in Indonesia (WIT, UTC+9), so no agency is refused for its own today: a year is
    /// closed only once it has ended, and a PK is recorded only once signed. Null: not known, not checked.
    /// </summary>
    public DateOnly? Today { get; init; }

    internal RenstraState? RenstraCovering(int year) => Renstra is { Exists: true } r && r.Covers(year) ? r : null;
}
