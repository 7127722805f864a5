using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.DeclaringTargets;
using Ledger.Domain.Renstras.RevisingRenstra;
using static Ledger.Domain.Findings.Rules.CapaianRules;

namespace Ledger.Domain.Findings.Rules;

public static class TargetRules
{
    /// <summary>
    /// A PK target (murni, or one a perubahan changed) that differs from the Renstra target of that year as it stood
    /// when the PK was signed (the event keeps it). A Renstra revision recorded before signing moves that Renstra target,
    /// so only a difference that no revision on record explains is raised; the message says whether revisions exist.
    /// </summary>
    public static FindingRule PkTargetDiffersFromRenstra { get; } = new("pk.target-differs-from-renstra", Severities.Medium,
        "a PK target that differs from the Renstra target with no Renstra revision on record that explains it", EvaluatePkVsRenstra);

    /// <summary>A PK perubahan or Renstra revision of an indicator-year recorded after a realization of it was recorded.</summary>
    public static FindingRule RevisedAfterRealization { get; } = new("target.revised-after-realization", Severities.High,
        "a target revised (PK perubahan or Renstra revision) after a realization for that indicator-year was recorded", EvaluateRevisedAfter);

    /// <summary>A higher-is-better indicator whose target in force (Renstra or PK) for the year is below its baseline.</summary>
    public static FindingRule BelowBaseline { get; } = new("target.below-baseline", Severities.Medium,
        "a higher-is-better target below the indicator's baseline", EvaluateBelowBaseline);

    /// <summary>
    /// A PK perubahan that made targets more demanding in a year whose APBD perubahan cut the total budget (001 digest §7
    /// T10 TARGET_UP_BUDGET_DOWN). Informational: it asks the reviewer to look, it does not assert an error.
    /// </summary>
    public static FindingRule RaisedWhileBudgetCut { get; } = new("target.raised-while-budget-cut", Severities.Info,
        "PK targets raised in a year whose APBD perubahan cut the total budget", EvaluateRaisedWhileCut);

    /// <summary>
    /// A target the source prints in another table (a declaration, <see cref="TargetsDeclared"/>) that differs from the
    /// Renstra's own target of the audited year as it stood when the declaration was recorded (the event keeps it). The
    /// latest declaration per source counts; a year the Renstra has no target for is nothing to compare (004 digest §6.2:
    /// "Persentase ASN Yang Memenuhi Standar Kompetensi Jabatan" Tabel 4.1 82/85/87 vs Tabel 4.4 52/55/57).
    /// </summary>
    public static FindingRule DiffersBetweenTables { get; } = new("target.differs-between-tables", Severities.High,
        "a target printed in another table of the source that differs from the Renstra's own target", EvaluateBetweenTables);

    private static IEnumerable<Finding> EvaluateBetweenTables(FindingsContext ctx)
    {
        var latest = ctx.OfRenstra<TargetsDeclared>()
            .SelectMany(x => x.Event.Targets.Where(t => t.Year == ctx.Year).Select(t => (x.Meta, x.Event, Target: t)))
            .GroupBy(d => (d.Event.Indicator, d.Event.Source))
            .Select(g => g.Last());
        foreach (var (meta, declared, target) in latest)
        {
            if (target.RenstraTarget is not { } renstra || renstra == target.Target) continue;
            var added = ctx.OfRenstra<IndicatorAdded>().Where(x => x.Event.Code == declared.Indicator).Select(x => x.Event).FirstOrDefault();
            var own = added?.TargetsSource is { } source ? $"the Renstra target ({source})" : "the Renstra target";
            var revisions = ctx.RenstraRevisionsOf(declared.Indicator).Where(r => r.Sequence < meta.Sequence).ToList();
            var now = ctx.Renstra.Indicator(declared.Indicator)?.TargetFor(ctx.Year);
            yield return DiffersBetweenTables.Raise(declared.Indicator,
                $"{declared.Indicator} {ctx.Year}: {declared.Source} prints {N(target.Target)} but {own} is {N(renstra)} " +
                $"(difference {N(target.Target - renstra)})." +
                (now is { } n && n != renstra ? $" The Renstra target is now {N(n)} after a later revision." : ""),
                revisions.Prepend(ctx.IndicatorAddedEvent(declared.Indicator)).Append(meta));
        }
    }

    private static IEnumerable<Finding> EvaluatePkVsRenstra(FindingsContext ctx)
    {
        var differing = new List<(string Code, AuditedEvent Meta, string Version, decimal Target, decimal? Renstra)>();
        foreach (var e in ctx.YearEvents)
        {
            switch (e.Event)
            {
                case PkSigned s:
                    differing.AddRange(s.Targets.Where(t => t.Target != t.RenstraTarget)
                        .Select(t => (t.Indicator, e, "PK murni", t.Target, t.RenstraTarget)));
                    break;
                case PkRevised p:
                    differing.AddRange(p.Changes
                        .Select(c => p.Targets.FirstOrDefault(t => t.Indicator == c.Indicator))
                        .OfType<PkTargetSigned>()
                        .Where(t => t.Target != t.RenstraTarget)
                        .Select(t => (t.Indicator, e, $"PK perubahan {p.Version}", t.Target, t.RenstraTarget)));
                    break;
            }
        }
        foreach (var group in differing.GroupBy(d => d.Code))
        {
            var revisions = ctx.RenstraRevisionsOf(group.Key).ToList();
            var parts = string.Join("; ", group.Select(d => $"{d.Version} {N(d.Target)} vs Renstra {(d.Renstra is null ? "none" : N(d.Renstra))}"));
            yield return PkTargetDiffersFromRenstra.Raise(group.Key,
                $"{group.Key} {ctx.Year}: {parts}. " + (revisions.Count == 0
                    ? $"No Renstra revision of {group.Key} {ctx.Year} is on record."
                    : $"{revisions.Count} Renstra revision(s) of {group.Key} {ctx.Year} on record do not bring the Renstra target in line."),
                group.Select(d => d.Meta).Append(ctx.IndicatorAddedEvent(group.Key)).Concat(revisions));
        }
    }

    private static IEnumerable<Finding> EvaluateRevisedAfter(FindingsContext ctx)
    {
        var revisions = ctx.YearEvents.SelectMany(e => e.Event is PkRevised p
                ? p.Changes.Select(c => (Meta: e, c.Indicator, What: $"PK perubahan {p.Version} ({N(c.Before)} → {N(c.After)})"))
                : [])
            .Concat(ctx.OfRenstra<RenstraRevised>().SelectMany(x => x.Event.Changes.Where(c => c.Year == ctx.Year)
                .Select(c => (x.Meta, c.Indicator, What: $"Renstra revision {x.Event.RevisionNumber} ({N(c.Before)} → {N(c.After)})"))));
        var realizations = ctx.OfYear<RealizationRecorded>().ToList();
        foreach (var (meta, indicator, what) in revisions)
        {
            var known = realizations.Where(r => r.Event.Indicator == indicator && r.Meta.Sequence < meta.Sequence).ToList();
            if (known.Count == 0) continue;
            yield return RevisedAfterRealization.Raise(indicator,
                $"{indicator} {ctx.Year}: target revised by {what} on {meta.RecordedAt:yyyy-MM-dd} after the realization " +
                $"{string.Join(", ", known.Select(k => $"{k.Event.Period} = {N(k.Event.Value)}"))} was recorded.",
                known.Select(k => k.Meta).Append(meta));
        }
    }

    private static IEnumerable<Finding> EvaluateBelowBaseline(FindingsContext ctx)
    {
        foreach (var def in ctx.Renstra.Indicators)
        {
            if (def.Polarity != Polarity.Higher || def.Baseline is not { } baseline) continue;
            if (def.BaselineYear is { } by && by >= ctx.Year) continue;
            var low = new List<string>();
            var evidence = new List<AuditedEvent?>();
            if (def.TargetFor(ctx.Year) is { } renstra && renstra < baseline)
            {
                low.Add($"Renstra target {N(renstra)}");
                evidence.Add(ctx.IndicatorAddedEvent(def.Code));
                evidence.AddRange(ctx.RenstraRevisionsOf(def.Code));
            }
            if (ctx.State.CurrentPk?.TargetFor(def.Code) is { } pk && pk < baseline)
            {
                low.Add($"PK target {N(pk)}");
                evidence.Add(ctx.IndicatorAddedEvent(def.Code));
                evidence.AddRange(TargetEvidence(ctx, def.Code));
            }
            if (low.Count == 0) continue;
            yield return BelowBaseline.Raise(def.Code,
                $"{def.Code} {ctx.Year} (higher is better): {string.Join(" and ", low)} below the baseline {N(baseline)}" +
                (def.BaselineYear is { } y ? $" ({y})." : "."), evidence);
        }
    }

    private static IEnumerable<Finding> EvaluateRaisedWhileCut(FindingsContext ctx)
    {
        var cuts = ctx.OfYear<BudgetRevised>().Where(x => x.Event.TotalAfter < x.Event.TotalBefore).ToList();
        if (cuts.Count == 0) yield break;
        var cut = cuts[^1].Event;
        var first = cuts[0].Event;
        var percent = first.TotalBefore == 0 ? 0m
            : CapaianCalculator.RoundHalfUp((cut.TotalAfter - first.TotalBefore) / first.TotalBefore * 100m, 2);
        foreach (var (meta, pk) in ctx.OfYear<PkRevised>())
        {
            var raised = pk.Changes.Where(c => c.Before is { } before && ctx.Renstra.Indicator(c.Indicator) is { } def
                && (def.Polarity == Polarity.Higher ? c.After > before : c.After < before)).ToList();
            if (raised.Count == 0) continue;
            yield return RaisedWhileBudgetCut.Raise(ctx.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{ctx.Year}: PK perubahan {pk.Version} made {raised.Count} target(s) more demanding " +
                $"({string.Join(", ", raised.Select(c => $"{c.Indicator} {N(c.Before)} → {N(c.After)}"))}) while the APBD perubahan cut the " +
                $"budget from {N(first.TotalBefore)} to {N(cut.TotalAfter)} ({N(percent)} %). Ground given: {pk.Ground}.",
                cuts.Select(c => c.Meta).Prepend(meta));
        }
    }
}
