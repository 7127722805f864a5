using Ledger.Domain.Capaian;

namespace Ledger.Domain.PerformanceYears.RecordingRealization;

/// <summary>
/// Record what was achieved for an indicator in a period. A value for an indicator-period that already has one is
/// refused: changing a reported value is a correction, which needs a reason and keeps the before value.
/// <paramref name="ClaimedCapaian"/> is the capaian the agency printed; it is kept as a claim to check, never used.
/// <paramref name="ClaimedProgress"/> is the progress toward the Renstra's end-of-period target (kondisi akhir) the
/// agency printed for this realization (LKjIP "Tahun 2026 (Akhir RPJMD) Capaian (%)"); also a claim, never used.
/// </summary>
public sealed record RecordRealization(
    string Indicator, Period Period, decimal Value, decimal? Numerator = null, decimal? Denominator = null,
    string? Evidence = null, string? Note = null, decimal? ClaimedCapaian = null, decimal? ClaimedProgress = null) : PerformanceYearCommand;

/// <summary><see cref="ClaimedProgress"/> is optional (added later to v1: older events read it as null).</summary>
public sealed record RealizationRecorded(
    string Indicator, string Period, decimal Value, decimal? Numerator, decimal? Denominator, string? Evidence, string? Note,
    decimal? ClaimedCapaian, decimal? ClaimedProgress = null) : IDomainEvent;

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
        if (MixesGranularity(state, command))
            return Decision.Refuse(RuleCodes.RealizationGranularityMixed,
                $"{command.Indicator} {state.Year} is already reported by "
                + (IsQuarter(command.Period) ? "semester" : "quarter")
                + "; an indicator reports either quarters or semesters, so its cumulative value is never counted twice.",
                "period");
        if (command.Value < 0)
            return Decision.Refuse(RuleCodes.RealizationValueNegative, "A realization cannot be negative.", "value");
        if (command.Numerator < 0)
            return Decision.Refuse(RuleCodes.RealizationFractionInvalid, "A numerator cannot be negative.", "numerator");
        if (command.Denominator <= 0)
            return Decision.Refuse(RuleCodes.RealizationFractionInvalid, "A denominator must be positive.", "denominator");
        return Decision.Accept(new RealizationRecorded(command.Indicator, Wire.Name(command.Period), command.Value,
            command.Numerator, command.Denominator, command.Evidence, command.Note, command.ClaimedCapaian, command.ClaimedProgress));
    }

    private static bool IsQuarter(Period p) => p is Period.Q1 or Period.Q2 or Period.Q3 or Period.Q4;
    private static bool IsSemester(Period p) => p is Period.S1 or Period.S2;

    private static bool MixesGranularity(PerformanceYearState state, RecordRealization command)
    {
        var others = state.Realizations.Where(r => r.Indicator == command.Indicator).Select(r => r.Period);
        return (IsQuarter(command.Period) && others.Any(IsSemester)) || (IsSemester(command.Period) && others.Any(IsQuarter));
    }
}
