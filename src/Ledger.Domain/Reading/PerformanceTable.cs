using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Rating;
using Ledger.Domain.Renstras;

namespace Ledger.Domain.Reading;

/// <summary>
/// Target, realization, capaian and predikat of one indicator in one year. <see cref="CapaianNotComputedReason"/> says
/// why <see cref="Capaian"/> is null (e.g. "no realization", "no target"): missing is not zero, and a table row must
/// say which of the two it is.
/// </summary>
public sealed record YearMeasure(
    int Year, decimal? Target, string TargetSource, decimal? Realization, decimal? Capaian, decimal? CapaianDisplay,
    string? CapaianMethod, string? Predikat)
{
    public string? CapaianNotComputedReason { get; init; }

    /// <summary>The realization recorded for each period (Q1…Q4, S1, S2, Y); <see cref="Realization"/> is the year's value.</summary>
    public IReadOnlyDictionary<string, decimal> Realizations { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Value equality, with <see cref="Realizations"/> compared by content (a record compares a dictionary by reference).</summary>
    public bool Equals(YearMeasure? other) =>
        other is not null && Year == other.Year && Target == other.Target && TargetSource == other.TargetSource
        && Realization == other.Realization && Capaian == other.Capaian && CapaianDisplay == other.CapaianDisplay
        && CapaianMethod == other.CapaianMethod && Predikat == other.Predikat && CapaianNotComputedReason == other.CapaianNotComputedReason
        && Realizations.Count == other.Realizations.Count
        && Realizations.All(r => other.Realizations.TryGetValue(r.Key, out var v) && v == r.Value);

    public override int GetHashCode() => HashCode.Combine(Year, Target, TargetSource, Realization, Capaian, Predikat, Realizations.Count);

    internal static YearMeasure From(IndicatorYearView v) =>
        new(v.Year, v.Targets.InForce, v.Targets.Source, v.AnnualValue, v.Capaian, v.CapaianDisplay, v.CapaianMethod, v.Predikat)
        {
            CapaianNotComputedReason = v.CapaianNotComputedReason,
            Realizations = v.Realizations,
        };
}

/// <summary>
/// One LKjIP measurement row. <see cref="ProgressToEndTarget"/> compares this year's realization with the Renstra end
/// target (kondisi akhir; when none is set, the target of the period's last year) using the indicator's own
/// polarity and formula, so a lower-is-better indicator progresses as its value falls.
/// </summary>
public sealed record PerformanceRow(
    string Code, string Name, string Unit, string Polarity, string Level, string Kind, string? Parent,
    YearMeasure Current, YearMeasure? Previous, decimal? EndTarget, decimal? ProgressToEndTarget, string? ProgressMethod);

/// <summary>Absorption (serapan) = spent / pagu × 100 (null when pagu is 0); efficiency = pagu − spent.</summary>
public sealed record BudgetRow(
    string Code, string Name, string? Parent, decimal PaguMurni, decimal Pagu, decimal Spent, decimal? Absorption,
    decimal Efficiency, bool ExceedsPagu);

public sealed record BudgetTotals(decimal PaguMurni, decimal Pagu, decimal Spent, decimal? Absorption, decimal Efficiency);

/// <summary>The LKjIP measurement table of an agency-year: indicator rows and the budget with its absorption.</summary>
public sealed record PerformanceTable(
    string AgencyCode, int Year, IReadOnlyList<PerformanceRow> Indicators, IReadOnlyList<BudgetRow> Budget, BudgetTotals BudgetTotals)
{
    /// <summary>
    /// Rows: every indicator of <paramref name="renstra"/> that has a Renstra or PK target this year or a realization, in
    /// Renstra order. <paramref name="previous"/> is the year before (its own Renstra may be passed as
    /// <paramref name="previousRenstra"/> when a different plan covered it).
    /// </summary>
    public static PerformanceTable Build(
        RenstraState renstra,
        PerformanceYearState current,
        PerformanceYearState? previous,
        RatingScale? scale,
        RatingScale? previousScale,
        CapaianPolicy policy,
        RenstraState? previousRenstra = null)
    {
        var rows = renstra.Indicators
            .Where(d => HasRow(d, current))
            .Select(d => Row(d, renstra, current, previous, scale, previousScale, policy, previousRenstra ?? renstra))
            .ToList();

        var budget = current.Budget;
        var spentByLine = budget.SpentByLine();
        var lines = budget.Lines.Select(l =>
        {
            var spent = spentByLine[l.Code];
            return new BudgetRow(l.Code, l.Name, l.Parent, l.PaguMurni, l.Pagu, spent, Absorption(spent, l.Pagu), l.Pagu - spent, spent > l.Pagu);
        }).ToList();
        var (pagu, spentTotal) = (budget.TotalPagu, budget.TotalSpentOf(spentByLine));
        var totals = new BudgetTotals(budget.TotalPaguMurni, pagu, spentTotal, Absorption(spentTotal, pagu), pagu - spentTotal);

        return new PerformanceTable(current.AgencyCode, current.Year, rows, lines, totals);
    }

    /// <summary>Whether <see cref="Build"/> gives the indicator a row: a Renstra or PK target this year, or a realization.</summary>
    public static bool HasRow(IndicatorDefinition d, PerformanceYearState current) =>
        d.TargetFor(current.Year) is not null
        || current.CurrentPk?.TargetFor(d.Code) is not null
        || current.Realizations.Any(r => r.Indicator == d.Code);

    /// <summary>
    /// One row exactly as <see cref="Build"/> makes it (the read models build rows one at a time, issue 4);
    /// <paramref name="previousRenstra"/> is the plan that covered the year before (or <paramref name="renstra"/>).
    /// </summary>
    public static PerformanceRow Row(
        IndicatorDefinition d, RenstraState renstra, PerformanceYearState current, PerformanceYearState? previous,
        RatingScale? scale, RatingScale? previousScale, CapaianPolicy policy, RenstraState previousRenstra) =>
        Row(d, renstra, IndicatorYearView.Build(d, current.Year, current, scale, policy),
            previous is null ? null : IndicatorYearView.Build(previousRenstra.Indicator(d.Code) ?? d, previous.Year, previous, previousScale, policy),
            policy);

    /// <summary>As the overload above, with each year's realizations already grouped (the read models build many rows).</summary>
    public static PerformanceRow Row(
        IndicatorDefinition d, RenstraState renstra, IndexedYear current, IndexedYear? previous,
        RatingScale? scale, RatingScale? previousScale, CapaianPolicy policy, RenstraState previousRenstra) =>
        Row(d, renstra, IndicatorYearView.Build(d, current.State.Year, current, scale, policy),
            previous is null ? null : IndicatorYearView.Build(previousRenstra.Indicator(d.Code) ?? d, previous.State.Year, previous, previousScale, policy),
            policy);

    /// <summary>Whether the indicator has a row, with the year's realizations already grouped.</summary>
    public static bool HasRow(IndicatorDefinition d, IndexedYear current) =>
        d.TargetFor(current.State.Year) is not null
        || current.State.CurrentPk?.TargetFor(d.Code) is not null
        || current.Any(d.Code);

    /// <summary>
    /// As the overloads above, from the year's view and the year before's (<paramref name="previous"/>: the view of the
    /// previous plan's definition of the indicator, or of <paramref name="d"/> when that plan has none, with the previous
    /// year's scale), for a caller that built the views already (the read models write the views' rows too).
    /// </summary>
    public static PerformanceRow Row(IndicatorDefinition d, RenstraState renstra, IndicatorYearView now, IndicatorYearView? previous, CapaianPolicy policy)
    {
        YearMeasure? before = previous is null ? null : YearMeasure.From(previous);

        var endTarget = d.EndTarget ?? d.TargetFor(renstra.PeriodEnd);
        var progress = endTarget is { } end && now.AnnualValue is not null
            ? CapaianCalculator.Compute(end, now.AnnualValue, d.Polarity, d.LowerFormula, policy)
            : null;

        return new PerformanceRow(d.Code, d.Name, d.Unit, Wire.Name(d.Polarity), Wire.Name(d.Level), Wire.Name(d.Kind), d.Parent,
            YearMeasure.From(now), before, endTarget, progress?.Value, progress?.Method);
    }

    private static decimal? Absorption(decimal spent, decimal pagu) => pagu == 0 ? null : spent / pagu * 100m;
}
