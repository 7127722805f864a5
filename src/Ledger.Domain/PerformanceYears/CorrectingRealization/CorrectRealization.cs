using Ledger.Domain.Capaian;

namespace Ledger.Domain.PerformanceYears.CorrectingRealization;

/// <summary>Correct a reported realization. Allowed even after the year is closed; then it is flagged AfterClose.</summary>
public sealed record CorrectRealization(string Indicator, Period Period, decimal Value, string Reason) : PerformanceYearCommand;

public sealed record RealizationCorrected(string Indicator, string Period, decimal Before, decimal After, string Reason, bool AfterClose)
    : IDomainEvent;

public static class CorrectingRealizationDecision
{
    public static Decision Decide(PerformanceYearState state, CorrectRealization command)
    {
        if (string.IsNullOrWhiteSpace(command.Reason))
            return Decision.Refuse(RuleCodes.CorrectionReasonRequired, "A correction needs a reason.", "reason");
        if (state.RealizationFor(command.Indicator, command.Period) is not { } existing)
            return Decision.Refuse(RuleCodes.CorrectionNoRealization,
                $"{command.Indicator} {Wire.Name(command.Period)} {state.Year} has no realization to correct; record one first.",
                "period");
        if (command.Value < 0)
            return Decision.Refuse(RuleCodes.RealizationValueNegative, "A realization cannot be negative.", "value");
        if (command.Value == existing.Value)
            return Decision.Refuse(RuleCodes.CorrectionSameValue,
                $"The realization is already {existing.Value}; a correction must change it.", "value");
        return Decision.Accept(new RealizationCorrected(command.Indicator, Wire.Name(command.Period), existing.Value,
            command.Value, command.Reason.Trim(), state.Closed));
    }
}
