namespace Ledger.Domain.PerformanceYears.ClosingYear;

/// <summary>Close the year: freeze its LKjIP snapshot, whose hash is computed outside the domain and passed in.</summary>
public sealed record CloseYear(string SnapshotHash, string? Note = null) : PerformanceYearCommand
{
    /// <summary>The snapshot whose hash is <see cref="SnapshotHash"/>; when present it is frozen into the log (issue 4).</summary>
    public FrozenSnapshot? Frozen { get; init; }
}

/// <summary>
/// <see cref="IndicatorsWithoutRealization"/>: the indicators of the latest PK (or, with no PK, the Renstra indicators
/// with a target for the year) that had no realization at close: the year is sealed with that exception on record.
/// <para>
/// <see cref="IndicatorsCommittedOrReported"/>: the indicators the year committed (a PK target, murni or perubahan) or
/// reported (a realization) before the close, in ordinal order: the indicators whose history gets a year-close entry
/// (<see cref="History.IndicatorHistory"/>). Null on closes recorded before the field existed (2026-12-07); for those, a
/// reader folds the year's earlier events to learn the same set.
/// </para>
/// </summary>
public sealed record YearClosed(
    string SnapshotHash, string? Note, IReadOnlyList<string> IndicatorsWithoutRealization, IReadOnlyList<string>? IndicatorsCommittedOrReported = null)
    : IDomainEvent;

public static class ClosingYearDecision
{
    public static Decision Decide(PerformanceYearState state, CloseYear command, PerformanceYearContext context)
    {
        // Closing twice is refused by PerformanceYear.Decide before we get here (rule year.already-closed).
        if (string.IsNullOrWhiteSpace(command.SnapshotHash))
            return Decision.Refuse(RuleCodes.YearSnapshotHashRequired, "Closing a year needs the snapshot's hash.", "snapshotHash");
        if (context.Today is { } today && today < new DateOnly(state.Year + 1, 1, 1))
            return Decision.Refuse(RuleCodes.YearNotEnded,
                $"{state.Year} has not ended (today is {today:yyyy-MM-dd}): it can be closed from {state.Year + 1}-01-01 on.",
                "year");

        IEnumerable<string> committed = state.CurrentPk is { } pk
            ? pk.Targets.Select(t => t.Indicator)
            : context.RenstraCovering(state.Year)?.Indicators.Where(i => i.TargetFor(state.Year) is not null).Select(i => i.Code) ?? [];
        var missing = committed.Where(code => state.Realizations.All(r => r.Indicator != code)).ToList();
        var closed = new YearClosed(command.SnapshotHash.Trim(), command.Note, missing, CommittedOrReported(state));
        return command.Frozen is not { } f
            ? Decision.Accept(closed)
            : Decision.Accept(closed, new YearSnapshotFrozen(closed.SnapshotHash, f.Canonicalization, f.Table, f.Sources, f.LogHeadSequence, f.LogDigest,
                f.LogDigestFormat));
    }

    /// <summary>
    /// Every indicator of any PK version's targets (a PK perubahan keeps every target of the version before and adds the
    /// ones it changes, so this is the murni's targets and every change) and of any realization (a correction only
    /// corrects one of those): the same set the history mapping learns from the year's events.
    /// </summary>
    public static IReadOnlyList<string> CommittedOrReported(PerformanceYearState state) =>
        state.PkVersions.SelectMany(v => v.Targets).Select(t => t.Indicator)
            .Concat(state.Realizations.Select(r => r.Indicator))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
