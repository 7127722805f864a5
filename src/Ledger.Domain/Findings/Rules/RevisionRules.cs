using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.Findings.Rules;

public static class RevisionRules
{
    /// <summary>
    /// A change with no reason or no ground: a PK perubahan without reason or ground, a Renstra revision (of the audited
    /// year) without reason or without a legal basis, an APBD perubahan or a correction without reason. Today's
    /// commands refuse a missing reason; the rule still guards events written by older versions or imports, and a
    /// Renstra revision's legal basis is optional at write time but is what an auditor asks for.
    /// </summary>
    public static FindingRule WithoutReasonOrGround { get; } = new("revision.without-reason-or-ground", Severities.Medium,
        "a revision or correction recorded without a reason, or without its ground / legal basis", Evaluate);

    private static IEnumerable<Finding> Evaluate(FindingsContext ctx)
    {
        var year = ctx.Year.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var e in ctx.YearEvents)
        {
            switch (e.Event)
            {
                case PkRevised p when Blank(p.Reason) || Blank(p.Ground):
                    yield return WithoutReasonOrGround.Raise(year,
                        $"PK perubahan {p.Version} {year} was recorded without {Missing(p.Reason, p.Ground, "a ground")}.", [e]);
                    break;
                case BudgetRevised b when Blank(b.Reason):
                    yield return WithoutReasonOrGround.Raise(year, $"APBD perubahan {b.RevisionNumber} {year} was recorded without a reason.", [e]);
                    break;
                case RealizationCorrected c when Blank(c.Reason):
                    yield return WithoutReasonOrGround.Raise(c.Indicator,
                        $"{c.Indicator} {IndicatorHistory.Effective(ctx.Year, c.Period)}: correction {c.Before} → {c.After} without a reason.", [e]);
                    break;
            }
        }
        foreach (var (meta, r) in ctx.OfRenstra<RenstraRevised>())
        {
            var mine = r.Changes.Where(c => c.Year == ctx.Year).Select(c => c.Indicator).Distinct().ToList();
            if (mine.Count == 0 || (!Blank(r.Reason) && !Blank(r.LegalBasis))) continue;
            yield return WithoutReasonOrGround.Raise(string.Join(",", mine),
                $"Renstra revision {r.RevisionNumber} (changing {string.Join(", ", mine)} {year}) was recorded without " +
                $"{Missing(r.Reason, r.LegalBasis, "a legal basis")}.", [meta]);
        }
    }

    private static bool Blank(string? s) => string.IsNullOrWhiteSpace(s);

    private static string Missing(string? reason, string? ground, string groundWord) =>
        (Blank(reason), Blank(ground)) switch { (true, true) => $"a reason and {groundWord}", (true, false) => "a reason", _ => groundWord };
}
