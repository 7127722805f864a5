using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using static Ledger.Domain.Findings.Rules.CapaianRules;

namespace Ledger.Domain.Findings.Rules;

public static class RealizationRules
{
    /// <summary>
    /// The year ends at 1 January of the next year, 00:00 WIB (UTC+7), the earliest Indonesian time zone to reach it, so
    /// no agency is flagged before its own year is over.
    /// </summary>
    public static readonly TimeSpan YearEndOffset = TimeSpan.FromHours(7);

    /// <summary>A realization corrected after the year was closed (the event's AfterClose flag).</summary>
    public static FindingRule CorrectedAfterClose { get; } = new("realization.corrected-after-close", Severities.High,
        "a realization corrected after the year was closed (the frozen snapshot no longer matches)", EvaluateCorrected);

    /// <summary>
    /// An indicator committed for the year (in the PK in force, else with a Renstra target for the year) with no
    /// realization at year end: as listed by the year close, or, for a year not closed, once the year has ended.
    /// </summary>
    public static FindingRule MissingAtYearEnd { get; } = new("realization.missing-at-year-end", Severities.High,
        "an indicator committed for the year without any realization at year end", EvaluateMissing);

    /// <summary>A realization above 100 for an indicator whose unit is "%" (a done/requested ratio cannot exceed it).</summary>
    public static FindingRule RatioAbove100 { get; } = new("realization.ratio-above-100", Severities.Medium,
        "a realization above 100 for an indicator measured in %", EvaluateRatio);

    private static IEnumerable<Finding> EvaluateCorrected(FindingsContext ctx)
    {
        foreach (var (meta, c) in ctx.OfYear<RealizationCorrected>().Where(x => x.Event.AfterClose))
        {
            var close = ctx.OfYear<YearClosed>().LastOrDefault(x => x.Meta.Sequence < meta.Sequence).Meta;
            yield return CorrectedAfterClose.Raise(c.Indicator,
                $"{c.Indicator} {IndicatorHistory.Effective(ctx.Year, c.Period)}: corrected {N(c.Before)} → {N(c.After)} on " +
                $"{meta.RecordedAt:yyyy-MM-dd} after the year was closed" + (close is null ? "" : $" on {close.RecordedAt:yyyy-MM-dd}") +
                $" (reason: {c.Reason}). The year-end snapshot no longer matches the record.", [close, meta]);
        }
    }

    private static IEnumerable<Finding> EvaluateMissing(FindingsContext ctx)
    {
        var closed = ctx.OfYear<YearClosed>().LastOrDefault();
        IEnumerable<string> missing;
        if (closed.Meta is not null)
        {
            missing = closed.Event.IndicatorsWithoutRealization;
        }
        else
        {
            var yearEnd = new DateTimeOffset(ctx.Year + 1, 1, 1, 0, 0, 0, YearEndOffset);
            if (ctx.Input.Now < yearEnd) yield break;
            IEnumerable<string> committed = ctx.State.CurrentPk is { } pk
                ? pk.Targets.Select(t => t.Indicator)
                : ctx.Renstra.Indicators.Where(i => i.TargetFor(ctx.Year) is not null).Select(i => i.Code);
            missing = committed;
        }
        foreach (var code in missing.Where(c => ctx.State.Realizations.All(r => r.Indicator != c)))
        {
            yield return MissingAtYearEnd.Raise(code,
                $"{code} {ctx.Year}: committed for the year but no realization was recorded" +
                (closed.Meta is null ? " and the year has ended." : $"; the year was closed on {closed.Meta.RecordedAt:yyyy-MM-dd} without it."),
                TargetEvidence(ctx, code).Append(closed.Meta));
        }
    }

    private static IEnumerable<Finding> EvaluateRatio(FindingsContext ctx)
    {
        foreach (var r in ctx.State.Realizations.Where(r => r.Value > 100m))
        {
            if (ctx.Renstra.Indicator(r.Indicator) is not { } def || def.Unit.Trim() != "%") continue;
            var period = Wire.Name(r.Period);
            yield return RatioAbove100.Raise(r.Indicator,
                $"{r.Indicator} {IndicatorHistory.Effective(ctx.Year, period)}: realization {N(r.Value)} % is above 100 % for a ratio indicator.",
                ctx.OfYear<RealizationRecorded>().Where(x => x.Event.Indicator == r.Indicator && x.Event.Period == period).Select(x => x.Meta)
                    .Concat(CorrectionsOf(ctx, r.Indicator, period)));
        }
    }
}
