// ============================================================================================
// TEMPORARY PLACEHOLDER — NOT THE REAL CAPAIAN / RATING CODE.
// The real Ledger.Domain.Capaian and Ledger.Domain.Rating are written in parallel (branch
// domain-calc). This file only lets the aggregates compile against the agreed signatures.
// DELETE THIS FILE when the real implementation is merged. Tests must not assert numbers it computes.
// ============================================================================================
namespace Ledger.Domain.Capaian
{
    public enum Polarity { Higher, Lower }
    public enum LowerFormula { Inverse2T, RatioInverse }
    public enum Aggregation { Sum, Last, Average, Annual }
    public enum Period { Q1, Q2, Q3, Q4, S1, S2, Y }

    public sealed record CapaianPolicy(string Id, int DisplayDecimals = 2, decimal? Cap = null)
    {
        public static CapaianPolicy Default { get; } = new("placeholder");
    }

    public sealed record CapaianResult(decimal? Value, string Method, string? NotComputedReason)
    {
        public decimal? Display => Value is { } v ? CapaianCalculator.RoundHalfUp(v, 2) : null;
    }

    public static class CapaianCalculator
    {
        public static CapaianResult Compute(decimal target, decimal? realization, Polarity polarity, LowerFormula lowerFormula, CapaianPolicy policy)
        {
            if (realization is not { } r) return new(null, "placeholder", "no-realization");
            if (target == 0) return new(null, "placeholder", "zero-target");
            return polarity == Polarity.Higher
                ? new(r / target * 100m, "placeholder", null)
                : new((2 * target - r) / target * 100m, "placeholder", null);
        }

        public static decimal? AnnualValue(Aggregation aggregation, IReadOnlyDictionary<Period, decimal> values) =>
            values.TryGetValue(Period.Y, out var y) ? y : values.Count == 0 ? null : values.OrderBy(p => p.Key).Last().Value;

        public static decimal? CumulativeValue(Aggregation aggregation, IReadOnlyDictionary<Period, decimal> values, Period upTo) =>
            AnnualValue(aggregation, values);

        public static decimal RoundHalfUp(decimal value, int decimals) => Math.Round(value, decimals, MidpointRounding.AwayFromZero);

        public static bool IsValidPeriod(Aggregation aggregation, Period period) =>
            aggregation != Aggregation.Annual || period == Period.Y;
    }

    public static class WireNames { }
}

namespace Ledger.Domain.Rating
{
    public sealed record RatingBand(string Label, decimal? Min, bool MinInclusive, decimal? Max, bool MaxInclusive);

    public sealed record RatingScale(string Name, int EffectiveFromYear, IReadOnlyList<RatingBand> Bands)
    {
        public IReadOnlyList<string> Validate() =>
            Bands.Count == 0 ? ["A rating scale needs at least one band."] : [];

        public string? Rate(decimal capaian) =>
            Bands.FirstOrDefault(b =>
                (b.Min is not { } min || (b.MinInclusive ? capaian >= min : capaian > min)) &&
                (b.Max is not { } max || (b.MaxInclusive ? capaian <= max : capaian < max)))?.Label;
    }
}
