using System.Globalization;
using Ledger.Domain.Capaian;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.DeclaringClaims;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;

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

    /// <summary>
    /// A capaian or progress printed in a report of the year (<see cref="ClaimsDeclared"/>) for an indicator-period that
    /// has no realization on record (001 A9: PMPRB 2023, realisasi blank, progress to 2026 printed "100"). Missing is
    /// not 100 (nor 0): no capaian can be computed. For the year (<c>Y</c>) a value accumulated from recorded quarters
    /// or semesters counts as a realization (it is what the performance table measures); a claim that has one is
    /// checked by the two rules above exactly as if it had been printed on the realization.
    /// </summary>
    public static FindingRule ClaimedWithoutRealization { get; } = new("capaian.claimed-without-realization", Severities.High,
        "a printed capaian or progress for an indicator-period that has no realization, so no capaian exists", EvaluateWithoutRealization);

    /// <summary>
    /// A printed claim with the value it is judged on. <see cref="Source"/> is null for a claim recorded on the
    /// realization itself, else the declaring report; <see cref="Value"/> is the realization as recorded (cumulated
    /// like a capaian), null when the indicator-period has none; <see cref="Realizations"/> are the events it comes from.
    /// </summary>
    private sealed record PrintedClaim(
        AuditedEvent Meta, string Indicator, string Period, decimal? Capaian, decimal? Progress, string? Source,
        IndicatorDefinition Definition, decimal? Value, IReadOnlyList<AuditedEvent> Realizations)
    {
        /// <summary>A declared claim with nothing to judge it on (a claim on a realization always has its realization).</summary>
        public bool WithoutRealization => Source is not null && Value is null;

        public string Where(int year) => $"{Indicator} {IndicatorHistory.Effective(year, Period)}" + (Source is null ? "" : $" ({Source})");
    }

    /// <summary>
    /// Every printed claim of the year in sequence order: those recorded on a realization (judged on the value recorded
    /// with them) and those declared by a report (<see cref="ClaimsDeclared"/>), judged on the realization of the same
    /// indicator-period as it was recorded, i.e. the value the claim would have been judged on had it been printed on it.
    /// Claims of indicators absent from the Renstra in force are left out, as before.
    /// </summary>
    private static IEnumerable<PrintedClaim> PrintedClaims(FindingsContext ctx)
    {
        foreach (var e in ctx.YearEvents)
        {
            switch (e.Event)
            {
                case RealizationRecorded r when r.ClaimedCapaian is not null || r.ClaimedProgress is not null:
                    if (ctx.Renstra.Indicator(r.Indicator) is not { } def) continue;
                    yield return new PrintedClaim(e, r.Indicator, r.Period, r.ClaimedCapaian, r.ClaimedProgress, null, def,
                        ValueAsRecorded(ctx, def, r.Indicator, r.Period, r.Value), [e]);
                    break;
                case ClaimsDeclared d:
                    foreach (var c in d.Claims)
                    {
                        if (ctx.Renstra.Indicator(c.Indicator) is not { } indicator) continue;
                        var own = ctx.OfYear<RealizationRecorded>().FirstOrDefault(x => x.Event.Indicator == c.Indicator && x.Event.Period == c.Period);
                        var value = own.Event is { } o
                            ? ValueAsRecorded(ctx, indicator, c.Indicator, c.Period, o.Value)
                            // Without its own realization only the year can have a value: accumulated from its quarters or semesters.
                            : c.Period == Wire.Name(Period.Y) ? ValueAsRecorded(ctx, indicator, c.Indicator, c.Period, null) : null;
                        var from = own.Meta is { } m ? [m]
                            : value is null ? []
                            : ctx.OfYear<RealizationRecorded>().Where(x => x.Event.Indicator == c.Indicator).Select(x => x.Meta).ToList();
                        yield return new PrintedClaim(e, c.Indicator, c.Period, c.ClaimedCapaian, c.ClaimedProgress, d.Source, indicator, value, from);
                    }
                    break;
            }
        }
    }

    /// <summary>The value a claim on <paramref name="period"/> is judged on: <paramref name="recorded"/> (the value recorded
    /// with the realization, null: none) cumulated with the other periods' current values.</summary>
    private static decimal? ValueAsRecorded(FindingsContext ctx, IndicatorDefinition def, string indicator, string wirePeriod, decimal? recorded)
    {
        var period = Enum.GetValues<Period>().First(p => Wire.Name(p) == wirePeriod);
        var values = ctx.State.RealizationValues(indicator).ToDictionary(kv => kv.Key, kv => kv.Value);
        if (recorded is { } v) values[period] = v;
        return CapaianCalculator.CumulativeValue(def.Aggregation, values, period);
    }

    private static IEnumerable<Finding> EvaluateWithoutRealization(FindingsContext ctx)
    {
        foreach (var c in PrintedClaims(ctx))
        {
            if (!c.WithoutRealization) continue;
            var endYear = ctx.Renstra.PeriodEnd;
            var claims = new List<string>();
            if (c.Capaian is { } capaian) claims.Add($"capaian {N(capaian)}");
            if (c.Progress is { } progress)
                claims.Add($"progress {N(progress)} toward the Renstra end target ({endYear})" +
                           (c.Definition.EndOfPeriodTarget(endYear) is { } end ? $" {N(end)}" : ""));
            yield return ClaimedWithoutRealization.Raise(c.Indicator,
                $"{c.Where(ctx.Year)}: claimed {string.Join(" and ", claims)}, but {c.Indicator} has no realization for " +
                $"{IndicatorHistory.Effective(ctx.Year, c.Period)}, so no capaian can be computed: a missing realization is not 100 (nor 0).",
                [c.Meta, ctx.IndicatorAddedEvent(c.Indicator)]);
        }
    }

    private static IEnumerable<Finding> EvaluateProgress(FindingsContext ctx)
    {
        foreach (var c in PrintedClaims(ctx))
        {
            if (c.Progress is not { } claimed || c.WithoutRealization) continue;
            var value = c.Value;
            var def = c.Definition;
            var endYear = ctx.Renstra.PeriodEnd;
            var evidence = new List<AuditedEvent?> { c.Meta, ctx.IndicatorAddedEvent(c.Indicator) };
            evidence.AddRange(c.Realizations);
            if (def.EndTarget is null)
                evidence.AddRange(ctx.OfRenstra<Renstras.RevisingRenstra.RenstraRevised>()
                    .Where(x => x.Event.Changes.Any(ch => ch.Indicator == c.Indicator && ch.Year == endYear)).Select(x => x.Meta));
            var where = c.Where(ctx.Year);

            if (def.EndOfPeriodTarget(endYear) is not { } end)
            {
                yield return ClaimedProgressMismatch.Raise(c.Indicator,
                    $"{where}: claimed progress {N(claimed)} toward the end of the Renstra period ({endYear}) but the Renstra has no " +
                    "end target for it, so no progress exists.", evidence);
                continue;
            }
            var result = CapaianCalculator.Compute(end, value, def.Polarity, def.LowerFormula, ctx.Policy);
            var what = $"{N(value)} against the Renstra end target ({endYear}) {N(end)}";
            if (result.Display is not { } recomputed)
            {
                yield return ClaimedProgressMismatch.Raise(c.Indicator,
                    $"{where}: claimed progress {N(claimed)} but none can be computed from {what} ({result.NotComputedReason}).", evidence);
                continue;
            }
            var shown = CapaianCalculator.RoundHalfUp(claimed, ctx.Policy.DisplayDecimals);
            if (shown == recomputed) continue;
            yield return ClaimedProgressMismatch.Raise(c.Indicator,
                $"{where}: claimed progress {N(claimed)}, recomputed {N(recomputed)} ({what}, {result.Method}); " +
                $"difference {N(shown - recomputed)}.", evidence);
        }
    }

    private static IEnumerable<Finding> Evaluate(FindingsContext ctx)
    {
        foreach (var c in PrintedClaims(ctx))
        {
            if (c.Capaian is not { } claimed || c.WithoutRealization) continue;
            var value = c.Value;
            var def = c.Definition;
            var targets = IndicatorYearView.TargetsFor(def, ctx.Year, ctx.State);
            var evidence = new List<AuditedEvent?> { c.Meta };
            evidence.AddRange(c.Realizations);
            evidence.AddRange(TargetEvidence(ctx, c.Indicator));
            var subject = c.Indicator;
            var where = c.Where(ctx.Year);

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
