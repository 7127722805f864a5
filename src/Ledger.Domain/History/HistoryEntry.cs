namespace Ledger.Domain.History;

/// <summary>
/// One change to an indicator or a budget line (api.md history). <see cref="At"/> is the recorded time;
/// <see cref="Effective"/> the period the entry is for ("2023", "2023-Q2", a PK's signing date, "2021–2026" for a
/// Renstra-wide fact); <see cref="Year"/> the performance year it belongs to (null for a Renstra-wide fact), used by
/// the <c>?year=</c> filter. <see cref="Before"/>/<see cref="After"/> are the old and new number (null = none).
/// </summary>
public sealed record HistoryEntry(
    DateTimeOffset At,
    string Effective,
    int? Year,
    Actor Actor,
    string Kind,
    string? Reason,
    string? Ground,
    decimal? Before,
    decimal? After,
    string? Note,
    Guid EventId,
    long Sequence);

/// <summary>The history entry kinds (stable words of the HTTP answer).</summary>
public static class HistoryKinds
{
    public const string IndicatorAdded = "renstra.indicator-added";
    public const string RenstraRevised = "renstra.revised";
    public const string RenstraRevisionProposed = "renstra.revision-proposed";
    public const string RenstraRevisionApproved = "renstra.revision-approved";
    public const string RenstraRevisionRejected = "renstra.revision-rejected";
    public const string PkMurni = "pk.murni";
    public const string PkPerubahan = "pk.perubahan";
    public const string PkPerubahanProposed = "pk.perubahan-proposed";
    public const string PkPerubahanApproved = "pk.perubahan-approved";
    public const string PkPerubahanRejected = "pk.perubahan-rejected";
    public const string RealizationRecorded = "realization.recorded";
    public const string RealizationCorrected = "realization.corrected";
    public const string YearClosed = "year.closed";
    /// <summary>A Renstra indicator's targets as another table of the source prints them: evidence, the target in force does not move.</summary>
    public const string TargetsDeclared = "renstra.targets-declared";
    /// <summary>Budget figures as a report of the year prints them (pagu, spent, efficiency claims): evidence, nothing is recomputed from them.</summary>
    public const string BudgetTotalsDeclared = "budget.totals-declared";
    /// <summary>A capaian or progress a report of the year prints for an indicator-period (not a realization): evidence.</summary>
    public const string ClaimsDeclared = "year.claims-declared";
    public const string BudgetEnacted = "budget.enacted";
    public const string BudgetRevised = "budget.revised";
    public const string SpendingRecorded = "budget.spending-recorded";
}
