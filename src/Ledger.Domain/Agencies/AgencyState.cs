using System.Collections.Immutable;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.Rating;

namespace Ledger.Domain.Agencies;

/// <summary>An agency (perangkat daerah, the tenant) and the rating scales it has chosen over time.</summary>
public sealed record AgencyState(bool Exists, string Code, string Name, ImmutableList<RatingScale> RatingScales)
{
    public static AgencyState Initial { get; } = new(false, "", "", []);

    /// <summary>The scale in force for <paramref name="year"/>: the latest one set with EffectiveFromYear ≤ year.</summary>
    public RatingScale? ScaleFor(int year)
    {
        RatingScale? best = null;
        foreach (var scale in RatingScales)
        {
            // ">=": a later SetRatingScale for the same effective year replaces the earlier one.
            if (scale.EffectiveFromYear <= year && (best is null || scale.EffectiveFromYear >= best.EffectiveFromYear))
                best = scale;
        }
        return best;
    }

    public AgencyState Evolve(IDomainEvent @event) => @event switch
    {
        AgencyRegistered e => this with { Exists = true, Code = e.Code, Name = e.Name },
        RatingScaleSet e => this with
        {
            RatingScales = RatingScales
                .Add(new RatingScale(e.Name, e.EffectiveFromYear,
                    e.Bands.Select(b => new RatingBand(b.Label, b.Min, b.MinInclusive, b.Max, b.MaxInclusive)).ToList())),
        },
        _ => this,
    };
}
