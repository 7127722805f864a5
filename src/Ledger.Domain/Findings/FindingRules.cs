using Ledger.Domain.Findings.Rules;

namespace Ledger.Domain.Findings;

/// <summary>
/// The rule engine: every rule, in the order docs/findings.md lists them. Pure: the same events give the same
/// findings. A rule that throws is a bug in the rule, not a finding, so nothing is caught here.
/// </summary>
public static class FindingRules
{
    public static IReadOnlyList<FindingRule> All { get; } =
    [
        CapaianRules.ClaimedCapaianMismatch,
        CapaianRules.ClaimedProgressMismatch,
        CapaianRules.ClaimedWithoutRealization,
        BudgetRules.RollupMismatch,
        BudgetRules.DeclaredTotalMismatch,
        BudgetRules.DuplicateSiblingPagu,
        BudgetRules.SpendingAbovePagu,
        BudgetRules.EfficiencyClaimMismatch,
        BudgetRules.AbsorptionClaimMismatch,
        BudgetRules.AbsorptionClaimRounded,
        TargetRules.PkTargetDiffersFromRenstra,
        TargetRules.DiffersBetweenTables,
        TargetRules.RevisedAfterRealization,
        TargetRules.BelowBaseline,
        TargetRules.RaisedWhileBudgetCut,
        RealizationRules.CorrectedAfterClose,
        RealizationRules.MissingAtYearEnd,
        RealizationRules.RatioAbove100,
        RevisionRules.WithoutReasonOrGround,
    ];

    public static IReadOnlyList<Finding> Evaluate(FindingsInput input)
    {
        var context = new FindingsContext(input);
        return All.SelectMany(rule => rule.Evaluate(context)).ToList();
    }
}
