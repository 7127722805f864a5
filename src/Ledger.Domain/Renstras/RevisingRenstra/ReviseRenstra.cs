namespace Ledger.Domain.Renstras.RevisingRenstra;

public sealed record RenstraTargetChange(string Indicator, int Year, decimal Target);

/// <summary>A perubahan Renstra: new targets for existing indicators and years, with a reason and optional legal basis.</summary>
public sealed record ReviseRenstra(string Reason, string? LegalBasis, IReadOnlyList<RenstraTargetChange> Changes) : RenstraCommand;

/// <summary>One changed target; <see cref="Before"/> is null when the year had no target yet.</summary>
public sealed record RenstraTargetRevised(string Indicator, int Year, decimal? Before, decimal After);

/// <summary>Only the targets that really changed are listed; unchanged entries of the command are not recorded.</summary>
public sealed record RenstraRevised(int RevisionNumber, string Reason, string? LegalBasis, IReadOnlyList<RenstraTargetRevised> Changes)
    : IDomainEvent;

public static class RevisingRenstraDecision
{
    public static Decision Decide(RenstraState state, ReviseRenstra command)
    {
        if (!state.Exists) return Decision.Missing("renstra");
        if (string.IsNullOrWhiteSpace(command.Reason))
            return Decision.Refuse(RuleCodes.RenstraRevisionReasonRequired, "A Renstra revision needs a reason.", "reason");
        if (command.Changes.Count == 0)
            return Decision.Refuse(RuleCodes.RenstraRevisionNoChanges, "A Renstra revision must list at least one change.", "changes");

        var changed = new List<RenstraTargetRevised>();
        var seen = new HashSet<(string, int)>();
        for (var i = 0; i < command.Changes.Count; i++)
        {
            var change = command.Changes[i];
            if (state.Indicator(change.Indicator) is not { } indicator)
                return Decision.Refuse(RuleCodes.RenstraRevisionUnknownIndicator,
                    $"Indicator '{change.Indicator}' is not in this Renstra.", $"changes[{i}].indicator");
            if (!state.AcceptsTargetYear(change.Year))
                return Decision.Refuse(RuleCodes.RenstraRevisionYearOutsidePeriod,
                    $"{change.Year} is outside the Renstra period {state.PeriodStart}–{state.PeriodEnd}.", $"changes[{i}].year");
            if (!seen.Add((change.Indicator, change.Year)))
                return Decision.Refuse(RuleCodes.RenstraRevisionDuplicateChange,
                    $"{change.Indicator} {change.Year} is listed twice.", $"changes[{i}]");
            if (change.Target < 0)
                return Decision.Refuse(RuleCodes.RenstraRevisionTargetNegative, "A target cannot be negative.", $"changes[{i}].target");
            var before = indicator.TargetFor(change.Year);
            if (before != change.Target)
                changed.Add(new RenstraTargetRevised(change.Indicator, change.Year, before, change.Target));
        }
        if (changed.Count == 0)
            return Decision.Refuse(RuleCodes.RenstraRevisionNoChange,
                "Every listed target equals the current one; the revision would change nothing.", "changes");
        return Decision.Accept(new RenstraRevised(state.Revisions + 1, command.Reason.Trim(),
            string.IsNullOrWhiteSpace(command.LegalBasis) ? null : command.LegalBasis.Trim(), changed));
    }
}
