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

    public bool TargetRevised(int year) =>
        Targets.TryGetValue(year, out var now) != OriginalTargets.TryGetValue(year, out var then) || now != then;
}
