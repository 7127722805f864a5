using System.Globalization;
using Ledger.Domain.Capaian;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Reading;

namespace Ledger.Domain.Findings.Rules;

public static class CapaianRules
{
    /// <summary>
    /// A realization recorded with a claimed (printed) capaian that differs from the recomputation. Both are rounded
    /// half-up to the policy's display decimals (2) before comparing, so a claim printed to 2 decimals of the exact
    /// value agrees, and a truncated one (102,8 for 102,857) disagrees, as 001 digest §7 T2 asks. The recomputation
    /// uses the value as recorded with the claim (for a sub-year period, cumulated with the other periods' current
    /// values) against the target in force for the year now (the latest PK, else the Renstra): the LKjIP measures
    /// against the latest PK. If the claim agrees with another target on record, the message says which.
    /// </summary>
    public static FindingRule ClaimedCapaianMismatch { get; } = new("capaian.claimed-mismatch", Severities.High,
        "a claimed capaian that differs from R/T recomputed against the target in force", Evaluate);

    /// <summary>
    /// A realization recorded with a claimed (printed) progress toward the Renstra's end-of-period target (LKjIP "Tahun
    /// 2026 (Akhir RPJMD) Capaian (%)") that differs from the recomputation: the same value as the capaian rule uses,
    /// against the end target (kondisi akhir, else the target of the plan's last year), with the indicator's polarity
    /// formula, both rounded half-up to the display decimals (001 digest A1/A5/A6/A8: "100" printed where 88,24 /
    /// 83,33 / 90,53 / 87,79 recompute).
    /// </summary>
    public static FindingRule ClaimedProgressMismatch { get; } = new("capaian.claimed-progress-mismatch", Severities.High,
        "a claimed progress toward the Renstra end-of-period target that differs from the recomputation", EvaluateProgress);

    private static IEnumerable<Finding> EvaluateProgress(FindingsContext ctx)
    {
        foreach (var (meta, r) in ctx.OfYear<RealizationRecorded>())
        {
            if (r.ClaimedProgress is not { } claimed || ctx.Renstra.Indicator(r.Indicator) is not { } def) continue;
            var period = Enum.GetValues<Period>().First(p => Wire.Name(p) == r.Period);
            var values = ctx.State.RealizationValues(r.Indicator).ToDictionary(kv => kv.Key, kv => kv.Value);
            values[period] = r.Value;
            var value = CapaianCalculator.CumulativeValue(def.Aggregation, values, period);
            var endYear = ctx.Renstra.PeriodEnd;
            var evidence = new List<AuditedEvent?> { meta, ctx.IndicatorAddedEvent(r.Indicator) };
            if (def.EndTarget is null)
                evidence.AddRange(ctx.OfRenstra<Renstras.RevisingRenstra.RenstraRevised>()
                    .Where(x => x.Event.Changes.Any(c => c.Indicator == r.Indicator && c.Year == endYear)).Select(x => x.Meta));
            var where = $"{r.Indicator} {IndicatorHistory.Effective(ctx.Year, r.Period)}";

            if (def.EndOfPeriodTarget(endYear) is not { } end)
            {
                yield return ClaimedProgressMismatch.Raise(r.Indicator,
                    $"{where}: claimed progress {N(claimed)} toward the end of the Renstra period ({endYear}) but the Renstra has no " +
                    "end target for it, so no progress exists.", evidence);
                continue;
            }
            var result = CapaianCalculator.Compute(end, value, def.Polarity, def.LowerFormula, ctx.Policy);
            var what = $"{N(value)} against the Renstra end target ({endYear}) {N(end)}";
            if (result.Display is not { } recomputed)
            {
                yield return ClaimedProgressMismatch.Raise(r.Indicator,
                    $"{where}: claimed progress {N(claimed)} but none can be computed from {what} ({result.NotComputedReason}).", evidence);
                continue;
            }
            var shown = CapaianCalculator.RoundHalfUp(claimed, ctx.Policy.DisplayDecimals);
            if (shown == recomputed) continue;
            yield return ClaimedProgressMismatch.Raise(r.Indicator,
                $"{where}: claimed progress {N(claimed)}, recomputed {N(recomputed)} ({what}, {result.Method}); " +
                $"difference {N(shown - recomputed)}.", evidence);
        }
    }

    private static IEnumerable<Finding> Evaluate(FindingsContext ctx)
    {
        foreach (var (meta, r) in ctx.OfYear<RealizationRecorded>())
        {
            if (r.ClaimedCapaian is not { } claimed || ctx.Renstra.Indicator(r.Indicator) is not { } def) continue;
            var period = Enum.GetValues<Period>().First(p => Wire.Name(p) == r.Period);
            var values = ctx.State.RealizationValues(r.Indicator).ToDictionary(kv => kv.Key, kv => kv.Value);
            values[period] = r.Value;
            var value = CapaianCalculator.CumulativeValue(def.Aggregation, values, period);
            var targets = IndicatorYearView.TargetsFor(def, ctx.Year, ctx.State);
            var evidence = new List<AuditedEvent?> { meta };
            evidence.AddRange(TargetEvidence(ctx, r.Indicator));
            var subject = r.Indicator;
            var where = $"{r.Indicator} {IndicatorHistory.Effective(ctx.Year, r.Period)}";

            if (targets.InForce is not { } target)
            {
                yield return ClaimedCapaianMismatch.Raise(subject,
                    $"{where}: claimed capaian {N(claimed)} but there is no target, so no capaian exists.", evidence);
                continue;
            }
            var result = CapaianCalculator.Compute(target, value, def.Polarity, def.LowerFormula, ctx.Policy);
            if (result.Display is not { } recomputed)
            {
                yield return ClaimedCapaianMismatch.Raise(subject,
                    $"{where}: claimed capaian {N(claimed)} but none can be computed ({result.NotComputedReason}).", evidence);
                continue;
            }
            var shown = CapaianCalculator.RoundHalfUp(claimed, ctx.Policy.DisplayDecimals);
            if (shown == recomputed) continue;

            var alternatives = new (string Name, decimal? Target)[] { ("the Renstra target", targets.Renstra), ("the PK murni target", targets.PkMurni) };
            var explained = alternatives
                .Where(a => a.Target is { } t && t != target)
                .Select(a => (a.Name, a.Target, Value: CapaianCalculator.Compute(a.Target!.Value, value, def.Polarity, def.LowerFormula, ctx.Policy).Display))
                .FirstOrDefault(a => a.Value == shown);
            yield return ClaimedCapaianMismatch.Raise(subject,
                $"{where}: claimed capaian {N(claimed)}, recomputed {N(recomputed)} ({N(value)} against the {targets.Source} target {N(target)}, " +
                $"{result.Method}); difference {N(shown - recomputed)}." +
                (explained.Name is null ? "" : $" The claim matches the capaian against {explained.Name} {N(explained.Target)}."), evidence);
        }
    }

    /// <summary>The events that set the indicator's target in force: the latest PK version naming it, else the Renstra.</summary>
    internal static IEnumerable<AuditedEvent?> TargetEvidence(FindingsContext ctx, string code)
    {
        var pk = ctx.YearEvents.LastOrDefault(e => e.Event switch
        {
            PkRevised p => p.Changes.Any(c => c.Indicator == code),
            PkSigned s => s.Targets.Any(t => t.Indicator == code),
            _ => false,
        });
        if (pk is not null) return [pk];
        return ctx.RenstraRevisionsOf(code).Prepend(ctx.IndicatorAddedEvent(code));
    }

    internal static IEnumerable<AuditedEvent> CorrectionsOf(FindingsContext ctx, string code, string? period = null) =>
        ctx.OfYear<RealizationCorrected>().Where(x => x.Event.Indicator == code && (period is null || x.Event.Period == period)).Select(x => x.Meta);

    internal static string N(decimal? value) => value is { } v ? v.ToString("0.##########", CultureInfo.InvariantCulture) : "none";
}
