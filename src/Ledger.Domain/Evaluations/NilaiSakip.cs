using System.Globalization;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;

namespace Ledger.Domain.Evaluations;

/// <summary>
/// The Nilai SAKIP an evaluation gives, carried onto the year as the annual (Y) realization of the indicator the
/// evaluation names (the agency's "Nilai SAKIP" IKU): recorded when the year has no Y value for it yet, corrected with a
/// reason naming the old value when it has another one, left alone when it already equals the score. Whatever is
/// written is decided by the year's own rules (PerformanceYear.Decide), so a closed year or an indicator outside the
/// Renstra refuses it like any other realization.
/// </summary>
public static class NilaiSakip
{
    /// <summary>Where the value comes from: the evaluation's stream and its report (LHE) number.</summary>
    public static string Evidence(string agency, int year, string? reportNumber) =>
        Evaluation.StreamName(agency, year) + (reportNumber is { } r ? $", LHE {r}" : "");

    /// <summary>The reason on the year stream's event.</summary>
    public static string Reason(int year) => $"Nilai SAKIP {year.ToString(CultureInfo.InvariantCulture)} from the Inspektorat's evaluation";

    /// <summary>The year command that carries the score, or null when the year already shows it.</summary>
    public static PerformanceYearCommand? RealizationCommand(PerformanceYearState year, string indicator, decimal score, string evidence) =>
        year.RealizationFor(indicator, Period.Y) switch
        {
            { } same when same.Value == score => null,
            { } other => new CorrectRealization(indicator, Period.Y, score, $"Nilai SAKIP per evaluasi Inspektorat ({evidence}); was {other.Value}"),
            null => new RecordRealization(indicator, Period.Y, score, Evidence: evidence),
        };
}
