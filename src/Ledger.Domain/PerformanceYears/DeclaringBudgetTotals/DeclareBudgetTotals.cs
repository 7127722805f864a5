using Ledger.Domain.PerformanceYears.EnactingBudget;

namespace Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;

/// <summary>
/// Budget figures of one line (or <see cref="EnactingBudgetDecision.GrandTotalCode"/>) as the year-end report prints
/// them: pagu, realisasi, and the efficiency it claims, in % of the pagu and in rupiah, and the absorption (serapan,
/// realisasi in % of the pagu) it claims. Every figure is optional; at least one is given.
/// </summary>
public sealed record DeclaredBudgetFigures(
    string Code, decimal? Pagu = null, decimal? Spent = null, decimal? ClaimedEfficiency = null, decimal? ClaimedEfficiencyAmount = null,
    decimal? ClaimedAbsorption = null);

/// <summary>
/// Record budget totals as printed in a report of the year (e.g. the LKjIP's "efisiensi sebesar Rp … atau 3,64%"),
/// after the APBD murni (the declared totals of <see cref="EnactBudget"/> are the pagu murni printed with the budget;
/// these are the claims made once the year's spending is known). Claims are evidence, never used to compute anything:
/// <c>budget.declared-total-mismatch</c> and <c>budget.efficiency-claim-mismatch</c> compare them with the record.
/// </summary>
/// <param name="Source">Where the figures are printed, e.g. "LKjIP 2023 Kesimpulan (L1069)".</param>
public sealed record DeclareBudgetTotals(string Source, IReadOnlyList<DeclaredBudgetFigures> Totals) : PerformanceYearCommand;

/// <summary>
/// One declared entry as printed, with the record it is judged against, as it stood when the claim was recorded:
/// <see cref="PaguOnRecord"/> the pagu in force (Σ top-level lines for the grand total) and <see cref="SpentOnRecord"/>
/// the spending to date including descendants (as <c>budget.spending-recorded</c> keeps Pagu and SpentToDate).
/// <see cref="ClaimedAbsorption"/> is optional (added later to v1: older events read it as null).
/// </summary>
public sealed record BudgetTotalDeclared(
    string Code, decimal? Pagu, decimal? Spent, decimal? ClaimedEfficiency, decimal? ClaimedEfficiencyAmount,
    decimal PaguOnRecord, decimal SpentOnRecord, decimal? ClaimedAbsorption = null);

public sealed record BudgetTotalsDeclared(string Source, IReadOnlyList<BudgetTotalDeclared> Totals) : IDomainEvent;

public static class DeclaringBudgetTotalsDecision
{
    public static Decision Decide(PerformanceYearState state, DeclareBudgetTotals command)
    {
        var budget = state.Budget;
        if (!budget.Enacted)
            return Decision.Refuse(RuleCodes.DeclaredBudgetTotalsWithoutBudget,
                $"No APBD is enacted for {state.Year}; there is nothing the declared totals could be compared with.");
        if (string.IsNullOrWhiteSpace(command.Source))
            return Decision.Refuse(RuleCodes.DeclaredBudgetTotalsSourceRequired,
                "Say where the totals are printed (e.g. 'LKjIP 2023 Kesimpulan, L1069').", "source");
        if (command.Totals.Count == 0)
            return Decision.Refuse(RuleCodes.DeclaredBudgetTotalsRequired, "Declare at least one total.", "totals");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var declared = new List<BudgetTotalDeclared>();
        var spentByLine = budget.SpentByLine(); // one pass for every declared line
        for (var i = 0; i < command.Totals.Count; i++)
        {
            var t = command.Totals[i];
            var isTotal = t.Code == EnactingBudgetDecision.GrandTotalCode;
            if (!isTotal && budget.Line(t.Code) is null)
                return Decision.Refuse(RuleCodes.BudgetDeclaredTotalUnknownCode,
                    $"Declared total '{t.Code}' names no line of the {state.Year} budget (use '{EnactingBudgetDecision.GrandTotalCode}' for the grand total).",
                    $"totals[{i}].code");
            if (!seen.Add(t.Code))
                return Decision.Refuse(RuleCodes.BudgetDuplicateCode, $"'{t.Code}' is declared twice.", $"totals[{i}].code");
            if (t.Pagu is null && t.Spent is null && t.ClaimedEfficiency is null && t.ClaimedEfficiencyAmount is null && t.ClaimedAbsorption is null)
                return Decision.Refuse(RuleCodes.DeclaredBudgetTotalFigureRequired,
                    "A declared total needs at least one printed figure: pagu, spent, claimedEfficiency, claimedEfficiencyAmount or claimedAbsorption.",
                    $"totals[{i}]");
            if (t.Pagu < 0)
                return Decision.Refuse(RuleCodes.DeclaredBudgetTotalNegative, "A pagu cannot be negative.", $"totals[{i}].pagu");
            if (t.Spent < 0)
                return Decision.Refuse(RuleCodes.DeclaredBudgetTotalNegative, "Spending cannot be negative.", $"totals[{i}].spent");
            // An efficiency may be negative (spending above pagu), so neither claim is checked for sign; an absorption
            // above 100 is overspending, also a claim to check, not to refuse.
            var pagu = isTotal ? budget.TotalPagu : budget.Line(t.Code)!.Pagu;
            var spent = isTotal ? budget.TotalSpentOf(spentByLine) : spentByLine[t.Code];
            declared.Add(new BudgetTotalDeclared(t.Code, t.Pagu, t.Spent, t.ClaimedEfficiency, t.ClaimedEfficiencyAmount, pagu, spent, t.ClaimedAbsorption));
        }
        return Decision.Accept(new BudgetTotalsDeclared(command.Source.Trim(), declared));
    }
}
