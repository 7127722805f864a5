namespace Ledger.Domain.PerformanceYears.RevisingBudget;

/// <summary>
/// A line of an APBD perubahan. An existing code gets a new pagu. A code not yet in the budget is a new line and must
/// give its <paramref name="Name"/> and an existing <paramref name="Parent"/> (a new sub kegiatan under an existing
/// kegiatan, say); new top-level programs are not added by a revision.
/// </summary>
public sealed record BudgetRevisionLine(string Code, decimal Pagu, string? Name = null, string? Parent = null);

/// <summary>Enact the APBD perubahan: only after the murni, with a reason, and changing at least one pagu.</summary>
public sealed record ReviseBudget(string Reason, IReadOnlyList<BudgetRevisionLine> Lines) : PerformanceYearCommand;

/// <summary>One pagu that changed; <see cref="Before"/> is null for a line the revision adds.</summary>
public sealed record BudgetLineRevised(string Code, string Name, string? Parent, decimal? Before, decimal After);

public sealed record BudgetRevised(
    int RevisionNumber, string Reason, IReadOnlyList<BudgetLineRevised> Changes, decimal TotalBefore, decimal TotalAfter) : IDomainEvent;

public static class RevisingBudgetDecision
{
    public static Decision Decide(PerformanceYearState state, ReviseBudget command)
    {
        if (!state.Budget.Enacted)
            return Decision.Refuse(RuleCodes.BudgetRevisionWithoutMurni, $"There is no APBD murni {state.Year} to revise yet.");
        if (string.IsNullOrWhiteSpace(command.Reason))
            return Decision.Refuse(RuleCodes.BudgetRevisionReasonRequired, "An APBD perubahan needs a reason.", "reason");
        if (command.Lines.Count == 0)
            return Decision.Refuse(RuleCodes.BudgetLinesRequired, "An APBD perubahan needs at least one line.", "lines");

        var budget = state.Budget;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changes = new List<BudgetLineRevised>();
        for (var i = 0; i < command.Lines.Count; i++)
        {
            var line = command.Lines[i];
            if (string.IsNullOrWhiteSpace(line.Code))
                return Decision.Refuse(RuleCodes.BudgetLineIncomplete, "Every budget line needs a code.", $"lines[{i}].code");
            if (!seen.Add(line.Code))
                return Decision.Refuse(RuleCodes.BudgetDuplicateCode, $"Budget line '{line.Code}' is listed twice.", $"lines[{i}].code");
            if (line.Pagu < 0)
                return Decision.Refuse(RuleCodes.BudgetPaguNegative, "A pagu cannot be negative.", $"lines[{i}].pagu");

            if (budget.Line(line.Code) is { } existing)
            {
                if (existing.Pagu != line.Pagu)
                    changes.Add(new BudgetLineRevised(existing.Code, existing.Name, existing.Parent, existing.Pagu, line.Pagu));
                continue;
            }
            var parentKnown = line.Parent is { } p && (budget.Line(p) is not null || changes.Any(c => c.Code == p));
            if (string.IsNullOrWhiteSpace(line.Name) || !parentKnown)
                return Decision.Refuse(RuleCodes.BudgetRevisionUnknownLine,
                    $"Budget line '{line.Code}' is not in the APBD murni; to add a line give its name and an existing parent.",
                    $"lines[{i}].code");
            changes.Add(new BudgetLineRevised(line.Code.Trim(), line.Name.Trim(), line.Parent, null, line.Pagu));
        }
        if (changes.Count == 0)
            return Decision.Refuse(RuleCodes.BudgetRevisionNoChange, "Every pagu equals the current one; the revision changes nothing.", "lines");

        // New lines always have a parent, so only top-level lines move the total.
        var totalAfter = budget.Roots.Sum(r => changes.FirstOrDefault(c => c.Code == r.Code)?.After ?? r.Pagu);
        return Decision.Accept(new BudgetRevised(budget.Revisions + 1, command.Reason.Trim(), changes, budget.TotalPagu, totalAfter));
    }
}
