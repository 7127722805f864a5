using System.Collections.Immutable;
using Ledger.Domain.Capaian;

namespace Ledger.Domain.Renstras;

public enum IndicatorLevel { Tujuan, Sasaran, Program, Kegiatan, Subkegiatan }

public enum IndicatorKind { Iku, Ikk, Other }

/// <summary>
/// One indicator of a Renstra as it stands now. <see cref="Targets"/> are the current (possibly revised) yearly
/// targets; <see cref="OriginalTargets"/> are the ones the indicator was added with.
/// </summary>
public sealed record IndicatorDefinition(
    string Code,
    string Name,
    IndicatorLevel Level,
    IndicatorKind Kind,
    string? Parent,
    string Unit,
    Polarity Polarity,
    LowerFormula LowerFormula,
    Aggregation Aggregation,
    decimal? Baseline,
    int? BaselineYear,
    ImmutableSortedDictionary<int, decimal> Targets,
    ImmutableSortedDictionary<int, decimal> OriginalTargets,
    decimal? EndTarget)
{
    public decimal? TargetFor(int year) => Targets.TryGetValue(year, out var t) ? t : null;

    /// <summary>
    /// The end-of-period target (kondisi akhir) progress is measured against: <see cref="EndTarget"/>, else the target of
    /// the plan's last year (the rule of <c>PerformanceTable</c>'s progress column).
    /// </summary>
    public decimal? EndOfPeriodTarget(int periodEnd) => EndTarget ?? TargetFor(periodEnd);

    public bool TargetRevised(int year) =>
        Targets.TryGetValue(year, out var now) != OriginalTargets.TryGetValue(year, out var then) || now != then;
}
