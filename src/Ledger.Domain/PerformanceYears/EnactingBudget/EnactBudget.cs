namespace Ledger.Domain.PerformanceYears.EnactingBudget;

public sealed record BudgetLineInput(string Code, string Name, string? Parent, decimal Pagu);

/// <summary>A total as printed in the source document (audit evidence), kept beside the derived one.</summary>
public sealed record DeclaredTotal(string Code, decimal Amount);

/// <summary>
/// Enact the APBD murni for the year: program / kegiatan / sub kegiatan lines with their pagu. Parents must be in the
/// same budget. A parent whose pagu differs from the sum of its children is accepted (real documents have such
/// errors, e.g. Surakarta 2023 Program Penunjang) and left to findings. Declared totals name a line code or
/// <see cref="EnactingBudgetDecision.GrandTotalCode"/>.
/// </summary>
public sealed record EnactBudget(IReadOnlyList<BudgetLineInput> Lines, IReadOnlyList<DeclaredTotal>? DeclaredTotals = null)
    : PerformanceYearCommand;

public sealed record BudgetLineEnacted(string Code, string Name, string? Parent, decimal Pagu);

/// <summary><see cref="Total"/> is the sum of the top-level lines' pagu.</summary>
public sealed record BudgetEnacted(IReadOnlyList<BudgetLineEnacted> Lines, IReadOnlyList<DeclaredTotal> DeclaredTotals, decimal Total)
    : IDomainEvent;

public static class EnactingBudgetDecision
{
    public const string GrandTotalCode = "total";

    public static Decision Decide(PerformanceYearState state, EnactBudget command)
    {
        if (state.Budget.Enacted)
            return Decision.Refuse(RuleCodes.BudgetAlreadyEnacted,
                $"The APBD murni {state.Year} is already enacted; changes are an APBD perubahan.");
        if (command.Lines.Count == 0)
            return Decision.Refuse(RuleCodes.BudgetLinesRequired, "A budget needs at least one line.", "lines");

        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < command.Lines.Count; i++)
        {
            var line = command.Lines[i];
            if (string.IsNullOrWhiteSpace(line.Code) || string.IsNullOrWhiteSpace(line.Name))
                return Decision.Refuse(RuleCodes.BudgetLineIncomplete, "Every budget line needs a code and a name.", $"lines[{i}]");
            if (!codes.Add(line.Code))
                return Decision.Refuse(RuleCodes.BudgetDuplicateCode, $"Budget line '{line.Code}' is listed twice.", $"lines[{i}].code");
            if (line.Pagu < 0)
                return Decision.Refuse(RuleCodes.BudgetPaguNegative, "A pagu cannot be negative.", $"lines[{i}].pagu");
        }
        var parents = command.Lines.ToDictionary(l => l.Code, l => l.Parent, StringComparer.Ordinal);
        for (var i = 0; i < command.Lines.Count; i++)
        {
            var line = command.Lines[i];
            if (line.Parent is { } parent && !codes.Contains(parent))
                return Decision.Refuse(RuleCodes.BudgetParentNotFound,
                    $"Parent '{parent}' of budget line '{line.Code}' is not in this budget.", $"lines[{i}].parent");
            if (HasCycle(line.Code, parents))
                return Decision.Refuse(RuleCodes.BudgetParentCycle,
                    $"Budget line '{line.Code}' is its own ancestor.", $"lines[{i}].parent");
        }
        var declared = command.DeclaredTotals ?? [];
        for (var i = 0; i < declared.Count; i++)
        {
            if (declared[i].Code != GrandTotalCode && !codes.Contains(declared[i].Code))
                return Decision.Refuse(RuleCodes.BudgetDeclaredTotalUnknownCode,
                    $"Declared total '{declared[i].Code}' names no line of this budget (use '{GrandTotalCode}' for the grand total).",
                    $"declaredTotals[{i}].code");
            if (declared[i].Amount < 0)
                return Decision.Refuse(RuleCodes.BudgetPaguNegative, "A declared total cannot be negative.", $"declaredTotals[{i}].amount");
        }

        var lines = command.Lines.Select(l => new BudgetLineEnacted(l.Code.Trim(), l.Name.Trim(), l.Parent, l.Pagu)).ToList();
        return Decision.Accept(new BudgetEnacted(lines, declared.ToList(), lines.Where(l => l.Parent is null).Sum(l => l.Pagu)));
    }

    private static bool HasCycle(string code, IReadOnlyDictionary<string, string?> parents)
    {
        var current = code;
        for (var steps = 0; steps <= parents.Count; steps++)
        {
            if (!parents.TryGetValue(current, out var parent) || parent is null) return false;
            if (parent == code) return true;
            current = parent;
        }
        return true;
    }
}
