namespace Ledger.Domain.Rating;

/// <summary>
/// One band of a rating scale. Null Min means −∞ and null Max means +∞ (the inclusive flag of a null bound is
/// ignored). Bounds are exact decimals with explicit inclusivity because the printed scales differ exactly there
/// ("n &gt; 85" vs "n ≤ 85", 001 digest §4.3).
/// </summary>
public sealed record RatingBand(string Label, decimal? Min, bool MinInclusive, decimal? Max, bool MaxInclusive)
{
    public bool Contains(decimal value) =>
        (Min is not { } min || value > min || (MinInclusive && value == min)) &&
        (Max is not { } max || value < max || (MaxInclusive && value == max));

    /// <summary>True when no value can be in the band (Min above Max, or Min = Max without both inclusive).</summary>
    public bool IsEmpty =>
        Min is { } min && Max is { } max && (min > max || (min == max && !(MinInclusive && MaxInclusive)));

    /// <summary>Interval notation, e.g. "(70, 85]" or "(-∞, 55)".</summary>
    public override string ToString() =>
        $"'{Label}' {(Min is null || !MinInclusive ? "(" : "[")}{(Min is { } min ? RatingScale.Format(min) : "-∞")}, " +
        $"{(Max is { } max ? RatingScale.Format(max) : "+∞")}{(Max is null || !MaxInclusive ? ")" : "]")}";
}
