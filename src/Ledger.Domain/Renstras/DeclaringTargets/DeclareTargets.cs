using Ledger.Domain.Renstras.AddingIndicator;

namespace Ledger.Domain.Renstras.DeclaringTargets;

/// <summary>
/// Record the yearly targets of a Renstra indicator as a second table of the source prints them (e.g. Paser Renstra
/// Tabel 4.4 beside Tabel 4.1, whose targets the indicator was added with). A declaration is evidence, never a target:
/// it changes no target in force (that is a Renstra revision); the finding <c>target.differs-between-tables</c>
/// compares it with the Renstra's own target. Declarations are append-only: a later one for the same source and year
/// is the one the finding reads.
/// </summary>
/// <param name="Source">Where the values are printed, e.g. "Renstra 2025-2029 Tabel 4.4".</param>
public sealed record DeclareTargets(string Indicator, string Source, IReadOnlyDictionary<int, decimal> Targets, string? Note = null)
    : RenstraCommand;

/// <summary>One printed value with the Renstra's own target of that year when it was declared (null: none).</summary>
public sealed record DeclaredTarget(int Year, decimal Target, decimal? RenstraTarget);

public sealed record TargetsDeclared(string Indicator, string Source, string? Note, IReadOnlyList<DeclaredTarget> Targets) : IDomainEvent;

public static class DeclaringTargetsDecision
{
    public static Decision Decide(RenstraState state, DeclareTargets command)
    {
        if (!state.Exists) return Decision.Missing("renstra");
        if (string.IsNullOrWhiteSpace(command.Source))
            return Decision.Refuse(RuleCodes.DeclaredTargetsSourceRequired,
                "Say where the targets are printed (e.g. 'Renstra 2025-2029 Tabel 4.4').", "source");
        if (state.Indicator(command.Indicator) is not { } indicator)
            return Decision.Refuse(RuleCodes.DeclaredTargetsUnknownIndicator,
                $"Indicator '{command.Indicator}' is not in this Renstra; add it first (with its own targets).", "indicator");
        if (command.Targets.Count == 0)
            return Decision.Refuse(RuleCodes.DeclaredTargetsRequired, "A declaration needs at least one printed target.", "targets");
        if (AddingIndicatorDecision.RefuseYearlyTargets(state, command.Targets) is { } refused) return refused;
        return Decision.Accept(new TargetsDeclared(indicator.Code, command.Source.Trim(),
            string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim(),
            command.Targets.OrderBy(t => t.Key).Select(t => new DeclaredTarget(t.Key, t.Value, indicator.TargetFor(t.Key))).ToList()));
    }
}
