using Ledger.Domain.Rating;

namespace Ledger.Domain.Agencies.SettingRatingScale;

/// <summary>Choose the rating scale (predikat bands) in force from <paramref name="EffectiveFromYear"/> on.</summary>
public sealed record SetRatingScale(string Name, int EffectiveFromYear, IReadOnlyList<RatingBand> Bands) : AgencyCommand;

/// <summary>The stored band; our own record so the event's shape never follows changes in the Rating module.</summary>
public sealed record RatingBandData(string Label, decimal? Min, bool MinInclusive, decimal? Max, bool MaxInclusive);

public sealed record RatingScaleSet(string Name, int EffectiveFromYear, IReadOnlyList<RatingBandData> Bands) : IDomainEvent;

public static class SettingRatingScaleDecision
{
    public static Decision Decide(AgencyState state, SetRatingScale command)
    {
        if (!state.Exists) return Decision.Missing("agency");
        var problems = new RatingScale(command.Name, command.EffectiveFromYear, command.Bands).Validate();
        if (problems.Count > 0)
            return Decision.Refuse(RuleCodes.RatingScaleInvalid, string.Join(" ", problems), "bands");
        return Decision.Accept(new RatingScaleSet(command.Name, command.EffectiveFromYear,
            command.Bands.Select(b => new RatingBandData(b.Label, b.Min, b.MinInclusive, b.Max, b.MaxInclusive)).ToList()));
    }
}
