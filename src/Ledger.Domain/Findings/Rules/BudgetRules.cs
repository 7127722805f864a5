using Ledger.Domain.Capaian;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using static Ledger.Domain.Findings.Rules.CapaianRules;

namespace Ledger.Domain.Findings.Rules;

public static class BudgetRules
{
    /// <summary>A parent line whose pagu is not the sum of its children's (checked for the APBD murni and, if revised,
    /// for the pagu now in force; 001 digest A25, §7 T8).</summary>
    public static FindingRule RollupMismatch { get; } = new("budget.rollup-mismatch", Severities.High,
        "a parent budget line whose pagu differs from the sum of its children", EvaluateRollup);

    /// <summary>A total printed in the document (declaredTotals) that is not the sum of the lines it totals.</summary>
    public static FindingRule DeclaredTotalMismatch { get; } = new("budget.declared-total-mismatch", Severities.High,
        "a declared (printed) total that differs from the sum of the lines", EvaluateDeclared);

    /// <summary>Two sibling lines with the same non-zero pagu: often a copy error (001 digest A25, T8 DUPLICATE_AMOUNT).</summary>
    public static FindingRule DuplicateSiblingPagu { get; } = new("budget.duplicate-sibling-pagu", Severities.Low,
        "sibling budget lines with exactly the same pagu (a likely copy error)", EvaluateDuplicates);

    /// <summary>Spending that took a line (or an ancestor) above its pagu, as the event recorded it (ExceedsPagu).</summary>
    public static FindingRule SpendingAbovePagu { get; } = new("budget.spending-above-pagu", Severities.High,
        "spending recorded above the pagu of its line or of an ancestor", EvaluateSpending);

    public static FindingRule EfficiencyClaimMismatch { get; } = new("budget.efficiency-claim-mismatch", Severities.Medium,
        "a claimed efficiency (efisiensi, % of pagu unspent) that differs from (pagu − spent) / pagu × 100", EvaluateEfficiency);

    /// <summary>A declared total's claimed absorption (serapan) that is the recomputation rounded to fewer than 2 decimals
    /// (001 A24: "96 %" for 95,5575 → 95,56; the digest rates it a whole-percent rounding, info).</summary>
    public static FindingRule AbsorptionClaimRounded { get; } = new("budget.absorption-claim-rounded", Severities.Info,
        "a claimed absorption that is spent / pagu × 100 rounded to fewer decimals (e.g. a whole percent)", EvaluateAbsorptionRounded);

    /// <summary>A declared total's claimed absorption that is not spent / pagu × 100 at 2 decimals, nor its rounding to
    /// the claim's own precision (a wrong figure, as a wrong efficiency is).</summary>
    public static FindingRule AbsorptionClaimMismatch { get; } = new("budget.absorption-claim-mismatch", Severities.Medium,
        "a claimed absorption (serapan) that differs from spent / pagu × 100", EvaluateAbsorptionMismatch);

    private static IEnumerable<Finding> EvaluateAbsorptionRounded(FindingsContext ctx) =>
        from x in Absorptions(ctx) where x.Rounded select AbsorptionClaimRounded.Raise(x.Code, x.Message, [x.Meta]);

    private static IEnumerable<Finding> EvaluateAbsorptionMismatch(FindingsContext ctx) =>
        from x in Absorptions(ctx) where !x.Rounded select AbsorptionClaimMismatch.Raise(x.Code, x.Message, [x.Meta]);

    /// <summary>
    /// Every declared absorption claim that is not the recomputation (spent on record / pagu in force × 100, both as they
    /// stood when the claim was recorded) at 2 decimals, half-up. Rounded: the claim has fewer decimals (0 or 1) and
    /// equals the recomputation rounded half-up to them; otherwise a mismatch.
    /// </summary>
    private static IEnumerable<(AuditedEvent Meta, string Code, bool Rounded, string Message)> Absorptions(FindingsContext ctx)
    {
        foreach (var (meta, declared) in ctx.OfYear<BudgetTotalsDeclared>())
        foreach (var t in declared.Totals)
        {
            if (t.ClaimedAbsorption is not { } claimed) continue;
            var where = $"{ctx.Year} ({declared.Source}): {Subject(t.Code)} claims absorption {N(claimed)} %";
            if (t.PaguOnRecord == 0)
            {
                yield return (meta, t.Code, false, $"{where} but its pagu in force is 0, so no absorption exists.");
                continue;
            }
            var exact = t.SpentOnRecord / t.PaguOnRecord * 100m;
            var shown = CapaianCalculator.RoundHalfUp(exact, 2);
            if (CapaianCalculator.RoundHalfUp(claimed, 2) == shown) continue;
            var recomputed = $"spent {N(t.SpentOnRecord)} / pagu {N(t.PaguOnRecord)} = {N(shown)} %";
            var decimals = Enumerable.Range(0, 2).FirstOrDefault(d => CapaianCalculator.RoundHalfUp(claimed, d) == claimed, 2);
            if (decimals < 2 && CapaianCalculator.RoundHalfUp(exact, decimals) == claimed)
                yield return (meta, t.Code, true,
                    $"{where}; {recomputed}: the claim is that rounded to " + (decimals == 0 ? "a whole percent." : "1 decimal."));
            else
                yield return (meta, t.Code, false, $"{where} but {recomputed}; difference {N(CapaianCalculator.RoundHalfUp(claimed, 2) - shown)}.");
        }
    }

    /// <summary>
    /// Compares each claim with the recomputation from the same entry's pagu and spending to date, both rounded half-up
    /// to 2 decimals (the rule capaian.claimed-mismatch uses too). Surakarta L774: 5,36 % claimed, 5,35 % recomputed (A22).
    /// Claims on totals (<see cref="BudgetTotalsDeclared"/>) are checked the same way against the pagu in force and the
    /// spending on record when the claim was recorded; a claimed amount (Rp) must equal pagu − spent exactly
    /// (Surakarta L1069: Rp 502.637.577 = 3,64 % claimed, 632.212.574 = 4,44 % recomputed, A23).
    /// </summary>
    private static IEnumerable<Finding> EvaluateEfficiency(FindingsContext ctx) =>
        EvaluateLineEfficiency(ctx).Concat(EvaluateDeclaredEfficiency(ctx));

    private static IEnumerable<Finding> EvaluateDeclaredEfficiency(FindingsContext ctx)
    {
        foreach (var (meta, declared) in ctx.OfYear<BudgetTotalsDeclared>())
        foreach (var t in declared.Totals)
        {
            if (t.ClaimedEfficiency is null && t.ClaimedEfficiencyAmount is null) continue;
            var amount = t.PaguOnRecord - t.SpentOnRecord;
            decimal? percent = t.PaguOnRecord == 0 ? null : CapaianCalculator.RoundHalfUp(amount / t.PaguOnRecord * 100m, 2);
            var percentWrong = t.ClaimedEfficiency is { } p && (percent is null || CapaianCalculator.RoundHalfUp(p, 2) != percent);
            var amountWrong = t.ClaimedEfficiencyAmount is { } a && a != amount;
            if (!percentWrong && !amountWrong) continue;

            var claim = string.Join(" = ", new[]
            {
                t.ClaimedEfficiencyAmount is { } ca ? $"Rp {N(ca)}" : null,
                t.ClaimedEfficiency is { } cp ? $"{N(cp)} %" : null,
            }.OfType<string>());
            var notes = new List<string>();
            if (t.ClaimedEfficiencyAmount is { } claimedAmount && t.PaguOnRecord != 0)
                notes.Add($"the claimed amount is {N(CapaianCalculator.RoundHalfUp(claimedAmount / t.PaguOnRecord * 100m, 2))} % of the pagu");
            if (t.Pagu is { } printedPagu && printedPagu != t.PaguOnRecord && printedPagu != 0)
            {
                var spent = t.Spent ?? t.SpentOnRecord;
                notes.Add($"on the printed pagu {N(printedPagu)} with spending {N(spent)} it would be " +
                          $"{N(CapaianCalculator.RoundHalfUp((printedPagu - spent) / printedPagu * 100m, 2))} %");
            }
            yield return EfficiencyClaimMismatch.Raise(t.Code,
                $"{ctx.Year} ({declared.Source}): {Subject(t.Code)} claims efficiency {claim} but pagu {N(t.PaguOnRecord)} − spent " +
                $"{N(t.SpentOnRecord)} = {N(amount)}" + (percent is { } pc ? $" = {N(pc)} % of the pagu." : " (no pagu, so no percentage).") +
                (notes.Count == 0 ? "" : $" ({string.Join("; ", notes)}.)"), [meta]);
        }
    }

    private static string Subject(string code) => code == EnactingBudgetDecision.GrandTotalCode ? "the budget total" : code;

    private static IEnumerable<Finding> EvaluateLineEfficiency(FindingsContext ctx)
    {
        foreach (var x in ctx.OfYear<SpendingRecorded>())
        {
            if (x.Event.ClaimedEfficiency is not { } claimed || x.Event.Pagu == 0) continue;
            var recomputed = (x.Event.Pagu - x.Event.SpentToDate) / x.Event.Pagu * 100m;
            var shown = CapaianCalculator.RoundHalfUp(recomputed, 2);
            if (CapaianCalculator.RoundHalfUp(claimed, 2) == shown) continue;
            yield return EfficiencyClaimMismatch.Raise(x.Event.Code,
                $"{ctx.Year}: {x.Event.Code} claims efficiency {claimed} % but (pagu {N(x.Event.Pagu)} − spent {N(x.Event.SpentToDate)}) / pagu = " +
                $"{shown} %.", [x.Meta]);
        }
    }

    private static IEnumerable<Finding> EvaluateRollup(FindingsContext ctx)
    {
        var budget = ctx.State.Budget;
        if (!budget.Enacted) yield break;
        var enacted = ctx.OfYear<BudgetEnacted>().Select(x => x.Meta).FirstOrDefault();
        var revisions = ctx.OfYear<BudgetRevised>().ToList();
        foreach (var parent in budget.Lines.Where(l => budget.Children(l.Code).Any()))
        {
            var children = budget.Children(parent.Code).ToList();
            var murniSum = children.Sum(c => c.PaguMurni);
            if (murniSum != parent.PaguMurni)
                yield return RollupMismatch.Raise(parent.Code,
                    $"APBD murni {ctx.Year}: {parent.Code} pagu {N(parent.PaguMurni)} but its {children.Count} children sum to {N(murniSum)} " +
                    $"(Δ {N(murniSum - parent.PaguMurni)}).", [enacted]);
            if (budget.Revisions == 0) continue;
            var sum = children.Sum(c => c.Pagu);
            if (sum == parent.Pagu) continue;
            var codes = children.Select(c => c.Code).Append(parent.Code).ToHashSet(StringComparer.Ordinal);
            yield return RollupMismatch.Raise(parent.Code,
                $"APBD perubahan {budget.Revisions} {ctx.Year}: {parent.Code} pagu {N(parent.Pagu)} but its {children.Count} children sum to " +
                $"{N(sum)} (Δ {N(sum - parent.Pagu)}).",
                revisions.Where(r => r.Event.Changes.Any(c => codes.Contains(c.Code))).Select(r => r.Meta).Prepend(enacted));
        }
    }

    private static IEnumerable<Finding> EvaluateDeclared(FindingsContext ctx)
    {
        var budget = ctx.State.Budget;
        foreach (var (meta, enacted) in ctx.OfYear<BudgetEnacted>())
        foreach (var declared in enacted.DeclaredTotals)
        {
            var (what, sum) = declared.Code == EnactingBudgetDecision.GrandTotalCode
                ? ("the top-level lines", budget.Roots.Sum(l => l.PaguMurni))
                : budget.Children(declared.Code).Any()
                    ? ($"the children of {declared.Code}", budget.Children(declared.Code).Sum(l => l.PaguMurni))
                    : ($"line {declared.Code}", budget.Line(declared.Code)?.PaguMurni ?? 0m);
            if (sum == declared.Amount) continue;
            yield return DeclaredTotalMismatch.Raise(declared.Code,
                $"APBD murni {ctx.Year}: declared total {declared.Code} = {N(declared.Amount)} but {what} sum to {N(sum)} " +
                $"(Δ {N(sum - declared.Amount)}).", [meta]);
        }
        // Totals printed in a report of the year (pagu in force, realisasi), against the record when they were declared.
        foreach (var (meta, declared) in ctx.OfYear<BudgetTotalsDeclared>())
        foreach (var t in declared.Totals)
        {
            var wrong = new List<string>();
            if (t.Pagu is { } pagu && pagu != t.PaguOnRecord)
                wrong.Add($"pagu {N(pagu)} but the pagu in force is {N(t.PaguOnRecord)} (Δ {N(t.PaguOnRecord - pagu)})");
            if (t.Spent is { } spent && spent != t.SpentOnRecord)
                wrong.Add($"spent {N(spent)} but the spending on record is {N(t.SpentOnRecord)} (Δ {N(t.SpentOnRecord - spent)})");
            if (wrong.Count == 0) continue;
            yield return DeclaredTotalMismatch.Raise(t.Code,
                $"{ctx.Year} ({declared.Source}): declared {Subject(t.Code)} {string.Join("; ", wrong)}.", [meta]);
        }
    }

    private static IEnumerable<Finding> EvaluateDuplicates(FindingsContext ctx)
    {
        var budget = ctx.State.Budget;
        var sources = ctx.YearEvents.Where(e => e.Event is BudgetEnacted or BudgetRevised).ToList();
        foreach (var group in budget.Lines.Where(l => l.Parent is not null && l.Pagu != 0m).GroupBy(l => (l.Parent, l.Pagu)).Where(g => g.Count() > 1))
        {
            var codes = group.Select(l => l.Code).ToList();
            yield return DuplicateSiblingPagu.Raise(string.Join(",", codes),
                $"{ctx.Year}: {string.Join(" and ", codes)} under {group.Key.Parent} have the same pagu {N(group.Key.Pagu)}; check for a copy error.",
                sources.Where(e => SetsPagu(e.Event, codes)));
        }
    }

    private static bool SetsPagu(IDomainEvent e, IReadOnlyCollection<string> codes) => e switch
    {
        BudgetEnacted b => b.Lines.Any(l => codes.Contains(l.Code)),
        BudgetRevised r => r.Changes.Any(c => codes.Contains(c.Code)),
        _ => false,
    };

    private static IEnumerable<Finding> EvaluateSpending(FindingsContext ctx) =>
        ctx.OfYear<SpendingRecorded>().Where(x => x.Event.ExceedsPagu).Select(x => SpendingAbovePagu.Raise(x.Event.Code,
            $"{IndicatorHistory.Effective(ctx.Year, x.Event.Period)}: spending {N(x.Event.Amount)} on {x.Event.Code} brought it to " +
            $"{N(x.Event.SpentToDate)} against a pagu of {N(x.Event.Pagu)} (or exceeded an ancestor's pagu).", [x.Meta]));

}
