using System.Collections.Immutable;
using Ledger.Domain.Capaian;

namespace Ledger.Domain.Renstras.AddingIndicator;

/// <summary>
/// Add an indicator to a Renstra. For lower-is-better indicators without an explicit formula the official
/// (2T − R) / T formula (<see cref="LowerFormula.Inverse2T"/>) is chosen and written into the event, so every later
/// capaian can say which method produced it. <paramref name="TargetsSource"/> optionally says where the targets are
/// printed (e.g. "Tabel 4.1"), so a finding can name both tables when another table prints different values.
/// </summary>
public sealed record AddIndicator(
    string Code,
    string Name,
    IndicatorLevel Level,
    IndicatorKind Kind,
    string? Parent,
    string Unit,
    Polarity Polarity,
    LowerFormula? LowerFormula,
    Aggregation Aggregation,
    decimal? Baseline,
    int? BaselineYear,
    IReadOnlyDictionary<int, decimal> Targets,
    decimal? EndTarget,
    string? TargetsSource = null) : RenstraCommand;

public sealed record YearTarget(int Year, decimal Target);

/// <summary>Enum-like fields are stored as their wire words (see <see cref="Wire"/>). <see cref="TargetsSource"/> is
/// optional (added later to v1: older events read it as null).</summary>
public sealed record IndicatorAdded(
    string Code,
    string Name,
    string Level,
    string Kind,
    string? Parent,
    string Unit,
    string Polarity,
    string LowerFormula,
    string Aggregation,
    decimal? Baseline,
    int? BaselineYear,
    IReadOnlyList<YearTarget> Targets,
    decimal? EndTarget,
    string? TargetsSource = null) : IDomainEvent
{
    public IndicatorDefinition ToDefinition()
    {
        var targets = Targets.ToImmutableSortedDictionary(t => t.Year, t => t.Target);
        return new IndicatorDefinition(Code, Name, Wire.ParseLevel(Level), Wire.ParseKind(Kind), Parent, Unit, Wire.ParsePolarity(Polarity),
            Wire.ParseLowerFormula(LowerFormula), Wire.ParseAggregation(Aggregation), Baseline, BaselineYear, targets, targets, EndTarget);
    }
}

public static class AddingIndicatorDecision
{
    /// <summary>
    /// The refusal for the first yearly target outside the Renstra period (and its transition year) or negative, else
    /// null. Shared by every write that carries yearly targets of an indicator (adding it, declaring another table's).
    /// </summary>
    internal static Decision? RefuseYearlyTargets(RenstraState state, IReadOnlyDictionary<int, decimal> targets)
    {
        foreach (var (year, target) in targets)
        {
            if (!state.AcceptsTargetYear(year))
                return Decision.Refuse(RuleCodes.IndicatorTargetYearOutsidePeriod,
                    $"{year} is outside the Renstra period {state.PeriodStart}–{state.PeriodEnd}"
                    + (state.TransitionYear is { } t ? $" and its transition year {t}." : " (no transition year declared)."),
                    $"targets.{year}");
            if (target < 0)
                return Decision.Refuse(RuleCodes.IndicatorTargetNegative, $"The {year} target cannot be negative.", $"targets.{year}");
        }
        return null;
    }

    public static Decision Decide(RenstraState state, AddIndicator command)
    {
        if (!state.Exists) return Decision.Missing("renstra");
        if (string.IsNullOrWhiteSpace(command.Code))
            return Decision.Refuse(RuleCodes.IndicatorCodeRequired, "An indicator needs a code.", "code");
        if (string.IsNullOrWhiteSpace(command.Name))
            return Decision.Refuse(RuleCodes.IndicatorNameRequired, "An indicator needs a name.", "name");
        if (string.IsNullOrWhiteSpace(command.Unit))
            return Decision.Refuse(RuleCodes.IndicatorUnitRequired, "An indicator needs a unit (satuan).", "unit");
        if (state.Indicator(command.Code) is not null)
            return Decision.Refuse(RuleCodes.IndicatorDuplicateCode,
                $"Indicator code '{command.Code}' is already used in this Renstra.", "code");
        if (command.Parent is { } parent && state.Indicator(parent) is null)
            return Decision.Refuse(RuleCodes.IndicatorParentNotFound,
                $"Parent indicator '{parent}' is not in this Renstra; add it first.", "parent");
        if (RefuseYearlyTargets(state, command.Targets) is { } refused) return refused;
        if (command.EndTarget < 0)
            return Decision.Refuse(RuleCodes.IndicatorTargetNegative, "The end target cannot be negative.", "endTarget");
        if (command.LowerFormula is not null && command.Polarity != Polarity.Lower)
            return Decision.Refuse(RuleCodes.IndicatorLowerFormulaWithoutLowerPolarity,
                "A lower-is-better formula only applies to an indicator with polarity 'lower'.", "lowerFormula");

        var formula = command.LowerFormula ?? LowerFormula.Inverse2T;
        return Decision.Accept(new IndicatorAdded(
            command.Code.Trim(), command.Name.Trim(), Wire.Name(command.Level), Wire.Name(command.Kind), command.Parent,
            command.Unit.Trim(), Wire.Name(command.Polarity), Wire.Name(formula), Wire.Name(command.Aggregation),
            command.Baseline, command.BaselineYear,
            command.Targets.OrderBy(t => t.Key).Select(t => new YearTarget(t.Key, t.Value)).ToList(),
            command.EndTarget, string.IsNullOrWhiteSpace(command.TargetsSource) ? null : command.TargetsSource.Trim()));
    }
}
