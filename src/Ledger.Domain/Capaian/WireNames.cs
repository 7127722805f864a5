namespace Ledger.Domain.Capaian;

/// <summary>
/// Stable wire strings for the capaian enums, used in events and the API. Explicit tables rather than
/// Enum.ToString/Enum.Parse, so that renaming a C# member cannot silently change or accept stored values.
/// Parsing is exact and case-sensitive: "higher", "inverse-2t", "sum" are lower case; periods are "Q1".."Y".
/// </summary>
public static class WireNames
{
    private static readonly (Polarity Value, string Wire)[] Polarities =
        [(Polarity.Higher, "higher"), (Polarity.Lower, "lower")];

    private static readonly (LowerFormula Value, string Wire)[] LowerFormulas =
        [(LowerFormula.Inverse2T, "inverse-2t"), (LowerFormula.RatioInverse, "ratio-inverse")];

    private static readonly (Aggregation Value, string Wire)[] Aggregations =
    [
        (Aggregation.Sum, "sum"), (Aggregation.Last, "last"),
        (Aggregation.Average, "average"), (Aggregation.Annual, "annual"),
    ];

    private static readonly (Period Value, string Wire)[] Periods =
    [
        (Period.Q1, "Q1"), (Period.Q2, "Q2"), (Period.Q3, "Q3"), (Period.Q4, "Q4"),
        (Period.S1, "S1"), (Period.S2, "S2"), (Period.Y, "Y"),
    ];

    public static string ToWire(Polarity value) => ToWire(Polarities, value);
    public static string ToWire(LowerFormula value) => ToWire(LowerFormulas, value);
    public static string ToWire(Aggregation value) => ToWire(Aggregations, value);
    public static string ToWire(Period value) => ToWire(Periods, value);

    public static bool TryParsePolarity(string? wire, out Polarity value) => TryParse(Polarities, wire, out value);
    public static bool TryParseLowerFormula(string? wire, out LowerFormula value) => TryParse(LowerFormulas, wire, out value);
    public static bool TryParseAggregation(string? wire, out Aggregation value) => TryParse(Aggregations, wire, out value);
    public static bool TryParsePeriod(string? wire, out Period value) => TryParse(Periods, wire, out value);

    private static string ToWire<T>((T Value, string Wire)[] table, T value) where T : struct, Enum
    {
        foreach (var (v, wire) in table)
            if (EqualityComparer<T>.Default.Equals(v, value)) return wire;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"No wire name for {typeof(T).Name} value.");
    }

    private static bool TryParse<T>((T Value, string Wire)[] table, string? wire, out T value) where T : struct, Enum
    {
        foreach (var (v, w) in table)
        {
            if (string.Equals(w, wire, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }
}
