using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;

namespace Ledger.Domain;

/// <summary>
/// The wire words stored inside events (and used by the HTTP contract). Events keep these strings rather than enum
/// numbers so that stored JSON does not depend on enum order or on serializer options.
/// </summary>
public static class Wire
{
    private static readonly (IndicatorLevel Value, string Name)[] Levels =
    [
        (IndicatorLevel.Tujuan, "tujuan"), (IndicatorLevel.Sasaran, "sasaran"), (IndicatorLevel.Program, "program"),
        (IndicatorLevel.Kegiatan, "kegiatan"), (IndicatorLevel.Subkegiatan, "subkegiatan"),
    ];

    private static readonly (IndicatorKind Value, string Name)[] Kinds =
        [(IndicatorKind.Iku, "IKU"), (IndicatorKind.Ikk, "IKK"), (IndicatorKind.Other, "other")];

    private static readonly (PkRevisionGround Value, string Name)[] Grounds =
    [
        (PkRevisionGround.OfficialChange, "official-change"), (PkRevisionGround.BudgetChange, "budget-change"),
        (PkRevisionGround.PriorityChange, "priority-change"),
    ];

    // The Capaian enums have their own WireNames (other module); these private tables only keep our events'
    // stored words fixed, whatever that module's helpers are called.
    private static readonly (Polarity Value, string Name)[] Polarities = [(Polarity.Higher, "higher"), (Polarity.Lower, "lower")];

    private static readonly (LowerFormula Value, string Name)[] LowerFormulas =
        [(LowerFormula.Inverse2T, "inverse-2t"), (LowerFormula.RatioInverse, "ratio-inverse")];

    private static readonly (Aggregation Value, string Name)[] Aggregations =
        [(Aggregation.Sum, "sum"), (Aggregation.Last, "last"), (Aggregation.Average, "average"), (Aggregation.Annual, "annual")];

    private static readonly (Period Value, string Name)[] Periods =
    [
        (Period.Q1, "Q1"), (Period.Q2, "Q2"), (Period.Q3, "Q3"), (Period.Q4, "Q4"), (Period.S1, "S1"), (Period.S2, "S2"),
        (Period.Y, "Y"),
    ];

    /// <summary>Every word of each closed set, in declaration order (the OpenAPI document's enums).</summary>
    public static IReadOnlyList<string> LevelWords { get; } = [.. Levels.Select(l => l.Name)];
    public static IReadOnlyList<string> KindWords { get; } = [.. Kinds.Select(l => l.Name)];
    public static IReadOnlyList<string> GroundWords { get; } = [.. Grounds.Select(l => l.Name)];
    public static IReadOnlyList<string> PolarityWords { get; } = [.. Polarities.Select(l => l.Name)];
    public static IReadOnlyList<string> LowerFormulaWords { get; } = [.. LowerFormulas.Select(l => l.Name)];
    public static IReadOnlyList<string> AggregationWords { get; } = [.. Aggregations.Select(l => l.Name)];
    public static IReadOnlyList<string> PeriodWords { get; } = [.. Periods.Select(l => l.Name)];

    public static string Name(IndicatorLevel value) => NameOf(Levels, value);
    public static string Name(IndicatorKind value) => NameOf(Kinds, value);
    public static string Name(PkRevisionGround value) => NameOf(Grounds, value);
    public static string Name(Polarity value) => NameOf(Polarities, value);
    public static string Name(LowerFormula value) => NameOf(LowerFormulas, value);
    public static string Name(Aggregation value) => NameOf(Aggregations, value);
    public static string Name(Period value) => NameOf(Periods, value);

    public static bool TryParseLevel(string? name, out IndicatorLevel value) => TryParse(Levels, name, out value);
    public static bool TryParseKind(string? name, out IndicatorKind value) => TryParse(Kinds, name, out value);
    public static bool TryParseGround(string? name, out PkRevisionGround value) => TryParse(Grounds, name, out value);

    internal static IndicatorLevel ParseLevel(string name) => Parse(Levels, name);
    internal static IndicatorKind ParseKind(string name) => Parse(Kinds, name);
    internal static PkRevisionGround ParseGround(string name) => Parse(Grounds, name);
    internal static Polarity ParsePolarity(string name) => Parse(Polarities, name);
    internal static LowerFormula ParseLowerFormula(string name) => Parse(LowerFormulas, name);
    internal static Aggregation ParseAggregation(string name) => Parse(Aggregations, name);
    internal static Period ParsePeriod(string name) => Parse(Periods, name);

    // A loop, not First(predicate): names are asked per event and per row (read models, history), and a capturing
    // predicate allocates a closure and a delegate on every call.
    private static string NameOf<T>((T Value, string Name)[] table, T value) where T : struct, Enum
    {
        foreach (var e in table)
            if (EqualityComparer<T>.Default.Equals(e.Value, value)) return e.Name;
        throw new InvalidOperationException($"No wire name for {typeof(T).Name} '{value}'.");
    }

    private static bool TryParse<T>((T Value, string Name)[] table, string? name, out T value) where T : struct, Enum
    {
        foreach (var e in table)
        {
            if (string.Equals(e.Name, name, StringComparison.Ordinal)) { value = e.Value; return true; }
        }
        value = default;
        return false;
    }

    // A stored event with an unknown word is corrupt data, not user input: fail loudly.
    private static T Parse<T>((T Value, string Name)[] table, string name) where T : struct, Enum =>
        TryParse(table, name, out var value)
            ? value
            : throw new InvalidOperationException($"Unknown stored {typeof(T).Name} '{name}'.");
}
