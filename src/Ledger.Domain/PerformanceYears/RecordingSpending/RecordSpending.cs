using Ledger.Domain.Capaian;

namespace Ledger.Domain.PerformanceYears.RecordingSpending;

/// <summary>
/// Record spending (realisasi anggaran) on a budget line. Spending is recorded at one level per branch: not on a line
/// whose ancestor or descendant already carries spending, so roll-ups never count a rupiah twice. Spending above pagu
/// is not refused (it happens; APBD rules forbid it) but the event says so.
/// </summary>
/// <param name="ClaimedEfficiency">
/// The efficiency the agency reports for this line (efisiensi, percent of the pagu left unspent), kept as claimed so a
/// finding can compare it with the recomputation (LKjIP: "efisiensi 5,36%"). Never used to compute anything.
/// </param>
public sealed record RecordSpending(string Code, decimal Amount, Period Period, decimal? ClaimedEfficiency = null) : PerformanceYearCommand;

/// <summary>
/// <see cref="SpentToDate"/> is the line's spending including its descendants after this entry; <see cref="ExceedsPagu"/>
/// is true when that, or the spending of any ancestor, is above its current pagu.
/// </summary>
/// <see cref="ClaimedEfficiency"/> is optional (added later to v1: older events read it as null).
public sealed record SpendingRecorded(
    string Code, decimal Amount, string Period, decimal SpentToDate, decimal Pagu, bool ExceedsPagu, decimal? ClaimedEfficiency = null)
    : IDomainEvent;

public static class RecordingSpendingDecision
{
    public static Decision Decide(PerformanceYearState state, RecordSpending command)
    {
        var budget = state.Budget;
        if (!budget.Enacted)
            return Decision.Refuse(RuleCodes.SpendingNoBudget, $"There is no APBD {state.Year} to spend against yet.");
        if (budget.Line(command.Code) is not { } line)
            return Decision.Refuse(RuleCodes.SpendingUnknownLine, $"Budget line '{command.Code}' is not in the APBD {state.Year}.", "code");
        if (command.Amount < 0)
            return Decision.Refuse(RuleCodes.SpendingAmountNegative, "Spending cannot be negative.", "amount");
        var otherLevel = budget.Ancestors(line.Code).Concat(budget.Descendants(line.Code)).FirstOrDefault(l => l.SpendingEntries > 0);
        if (otherLevel is not null)
            return Decision.Refuse(RuleCodes.SpendingLevelMixed,
                $"Spending for this branch is recorded on '{otherLevel.Code}'; record it at one level only.", "code");

        var spent = budget.SpentByLine(); // the line's and every ancestor's, in one pass
        var spentToDate = spent[line.Code] + command.Amount;
        var exceeds = spentToDate > line.Pagu
            || budget.Ancestors(line.Code).Any(a => spent[a.Code] + command.Amount > a.Pagu);
        return Decision.Accept(new SpendingRecorded(line.Code, command.Amount, Wire.Name(command.Period), spentToDate, line.Pagu, exceeds,
            command.ClaimedEfficiency));
    }
}
