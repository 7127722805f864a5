using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;

namespace Ledger.ReadModels;

/// <summary>A year stream's folded state at <see cref="Version"/>, where a re-fold of it may start.</summary>
public sealed record YearStart(PerformanceYearState State, long Version);

/// <summary>A Renstra stream's folded state at <see cref="Version"/>, where a re-fold of it may start.</summary>
public sealed record RenstraStart(RenstraState State, long Version);

/// <summary>
/// Where sakip-state's re-fold of a year stream it does not hold may start (a first touch after a start, or after the
/// agency was dropped from memory): the service answers with the stream snapshots it can authenticate
/// (docs/snapshots.md), so the re-fold reads one row and the events after it instead of the whole stream. The events
/// decide: a start is used only when it is the service's own row (its MAC), this code's state form, and its event is
/// in the log with the same chain hash, at or below the sequence the daemon has folded. The verifier's recompute never
/// asks: it folds every event itself, so a start that differed from the log's fold would show there.
/// </summary>
public interface IYearStarts
{
    /// <summary>
    /// For each year stream named (stream, agency, year), the newest usable start whose event's sequence is at or below
    /// <paramref name="upToSequence"/>; streams without one are absent.
    /// </summary>
    Task<IReadOnlyDictionary<string, YearStart>> FindAsync(IReadOnlyCollection<(string Stream, string Agency, int Year)> years, long upToSequence,
        CancellationToken ct);
}

/// <summary>
/// The same for the Renstra streams a re-fold of an agency reads (twenty-fourth session): a plan is written indicator by
/// indicator, so without a start every first touch of an agency read its whole plan (the benchmark's: 61 events).
/// </summary>
public interface IRenstraStarts
{
    /// <summary>
    /// For each Renstra stream named, the newest usable start whose event's sequence is at or below
    /// <paramref name="upToSequence"/> (an existing plan named by this very stream); streams without one are absent.
    /// </summary>
    Task<IReadOnlyDictionary<string, RenstraStart>> FindAsync(IReadOnlyCollection<string> renstras, long upToSequence, CancellationToken ct);
}
