using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Rating;
using Ledger.Domain.Renstras;

namespace Ledger.Domain.Reading;

/// <summary>
/// The targets of one indicator-year and where the one in force came from. <see cref="Renstra"/> is the current
/// (revised, if revised) Renstra target; <see cref="Pk"/> the latest PK version's target. <see cref="Source"/> is
/// "pk-perubahan-N", "pk-murni", "renstra", or "none" when no target exists at all.
/// </summary>
public sealed record TargetsView(decimal? Renstra, bool RenstraRevised, decimal? PkMurni, decimal? Pk, string Source)
{
    public decimal? InForce => Pk ?? Renstra;
}

/// <summary>
/// One indicator in one year, as the HTTP read <c>GET …/indicators/{code}?year=Y</c> shows it. Realizations are keyed
/// by period wire name (Q1…Y) and hold the latest (corrected) values. Capaian is full precision; the predikat is
/// rated on the displayed (rounded) capaian so that a reader can check it against the number shown.
/// </summary>
public sealed record IndicatorYearView(
    string Code,
    string Name,
    string Unit,
    string Polarity,
    int Year,
    TargetsView Targets,
    IReadOnlyDictionary<string, decimal> Realizations,
    decimal? AnnualValue,
    decimal? Capaian,
    decimal? CapaianDisplay,
    string? CapaianMethod,
    string? CapaianNotComputedReason,
    string? Predikat,
    decimal? ClaimedCapaian)
{
    /// <summary>
    /// Why there is no capaian when no target exists at all (no Renstra target, no PK). Worded like the calculator's
    /// reasons (<see cref="CapaianCalculator.ReasonNoRealization"/>: "no realization") so a client sees one vocabulary.
    /// </summary>
    public const string ReasonNoTarget = "no target";

    public static IndicatorYearView Build(
        IndicatorDefinition definition, int year, PerformanceYearState state, RatingScale? scale, CapaianPolicy policy) =>
        Build(definition, year, scale, policy, [.. state.Realizations.Where(r => r.Indicator == definition.Code)],
            TargetsFor(definition, year, state));

    /// <summary>As the overload above, with the state's realizations already grouped (a caller building many rows).</summary>
    public static IndicatorYearView Build(
        IndicatorDefinition definition, int year, IndexedYear realizations, RatingScale? scale, CapaianPolicy policy) =>
        Build(definition, year, scale, policy, realizations.For(definition.Code),
            TargetsFor(definition, year, realizations));

    /// <param name="mine">the state's realizations of this indicator, in the state's order.</param>
    private static IndicatorYearView Build(
        IndicatorDefinition definition, int year, RatingScale? scale, CapaianPolicy policy,
        IReadOnlyList<Realization> mine, TargetsView targets)
    {
        // = state.RealizationValues(definition.Code)
        var values = mine.ToDictionary(r => r.Period, r => r.Value);
        var annual = CapaianCalculator.AnnualValue(definition.Aggregation, values);

        CapaianResult? result = targets.InForce is { } target
            ? CapaianCalculator.Compute(target, annual, definition.Polarity, definition.LowerFormula, policy)
            : null;
        var display = result?.Display;

        var realizations = AllPeriods
            .Where(values.ContainsKey)
            .ToDictionary(Wire.Name, p => values[p]);
        var claimed = mine
            .Where(r => r.ClaimedCapaian is not null)
            .OrderByDescending(r => r.Period == Period.Y)
            .ThenByDescending(r => r.Period)
            .FirstOrDefault()?.ClaimedCapaian;

        return new IndicatorYearView(
            definition.Code, definition.Name, definition.Unit, Wire.Name(definition.Polarity), year, targets, realizations, annual,
            result?.Value, display, result?.Method, result is null ? ReasonNoTarget : result.NotComputedReason,
            display is { } d ? scale?.Rate(d) : null, claimed);
    }

    /// <summary>As the overload below, from a year's indexed PK targets.</summary>
    public static TargetsView TargetsFor(IndicatorDefinition definition, int year, IndexedYear indexed)
    {
        var renstra = definition.TargetFor(year);
        var latest = indexed.LatestPkTarget(definition.Code);
        var source = latest?.Version switch
        {
            { Number: 0 } => "pk-murni",
            { } v => $"pk-perubahan-{v.Number}",
            null when renstra is not null => "renstra",
            _ => "none",
        };
        return new TargetsView(renstra, definition.TargetRevised(year), indexed.PkMurniTarget(definition.Code), latest?.Target, source);
    }

    private static readonly Period[] AllPeriods = Enum.GetValues<Period>();

    public static TargetsView TargetsFor(IndicatorDefinition definition, int year, PerformanceYearState state)
    {
        var renstra = definition.TargetFor(year);
        var murni = state.PkMurni?.TargetFor(definition.Code);
        var latest = state.PkVersions.LastOrDefault(v => v.TargetFor(definition.Code) is not null);
        var source = latest switch
        {
            { Number: 0 } => "pk-murni",
            { } v => $"pk-perubahan-{v.Number}",
            null when renstra is not null => "renstra",
            _ => "none",
        };
        return new TargetsView(renstra, definition.TargetRevised(year), murni, latest?.TargetFor(definition.Code), source);
    }
}
