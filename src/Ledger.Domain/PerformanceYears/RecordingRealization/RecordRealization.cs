using Ledger.Domain.Capaian;

namespace Ledger.Domain.PerformanceYears.RecordingRealization;

/// <summary>
/// Record what was achieved for an indicator in a period. A value for an indicator-period that already has one is
/// refused: changing a reported value is a correction, which needs a reason and keeps the before value.
/// <paramref name="ClaimedCapaian"/> is the capaian the agency printed; it is kept as a claim to check, never used.
/// </summary>
public sealed record RecordRealization(
    string Indicator, Period Period, decimal Value, decimal? Numerator = null, decimal? Denominator = null,
    string? Evidence = null, string? Note = null, decimal? ClaimedCapaian = null) : PerformanceYearCommand;

public sealed record RealizationRecorded(
    string Indicator, string Period, decimal Value, decimal? Numerator, decimal? Denominator, string? Evidence, string? Note,
    decimal? ClaimedCapaian) : IDomainEvent;

public static class RecordingRealizationDecision
{
    public static Decision Decide(PerformanceYearState state, RecordRealization command, PerformanceYearContext context)
    {
        if (context.RenstraCovering(state.Year) is not { } renstra) return Decision.Missing($"renstra covering {state.Year}");
        if (renstra.Indicator(command.Indicator) is not { } indicator) return Decision.Missing($"indicator {command.Indicator}");
        if (!CapaianCalculator.IsValidPeriod(indicator.Aggregation, command.Period))
            return Decision.Refuse(RuleCodes.RealizationPeriodInvalid,
                $"Period {Wire.Name(command.Period)} is not valid for an indicator aggregated by '{Wire.Name(indicator.Aggregation)}'.",
                "period");
        if (state.RealizationFor(command.Indicator, command.Period) is { } existing)
            return Decision.Refuse(RuleCodes.RealizationAlreadyRecorded,
                $"{command.Indicator} {Wire.Name(command.Period)} {state.Year} already has the value {existing.Value}; "
                + "record a correction (with a reason) instead.", "period");
        if (command.Value < 0)
            return Decision.Refuse(RuleCodes.RealizationValueNegative, "A realization cannot be negative.", "value");
        if (command.Numerator < 0)
            return Decision.Refuse(RuleCodes.RealizationFractionInvalid, "A numerator cannot be negative.", "numerator");
        if (command.Denominator <= 0)
            return Decision.Refuse(RuleCodes.RealizationFractionInvalid, "A denominator must be positive.", "denominator");
        return Decision.Accept(new RealizationRecorded(command.Indicator, Wire.Name(command.Period), command.Value,
            command.Numerator, command.Denominator, command.Evidence, command.Note, command.ClaimedCapaian));
    }
}
