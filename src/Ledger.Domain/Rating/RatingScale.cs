using System.Globalization;

namespace Ledger.Domain.Rating;

/// <summary>
/// A predikat scale: data, chosen per agency and effective from a year (README "Rating scales are data").
/// A valid scale covers [0, +∞) with no gap and no overlap. Values above 100 must be rated too, because
/// capaian is not capped (001 digest §4.2: 115 and 140,7 are printed), so the top band is open-ended.
/// </summary>
public sealed partial record RatingScale(string Name, int EffectiveFromYear, IReadOnlyList<RatingBand> Bands)
{
    /// <summary>
    /// Empty when valid; otherwise one precise message per problem. Coverage is checked exactly, not by sampling:
    /// every bound in [0, +∞) and 0 itself are tested as points, and one value strictly between each pair of
    /// consecutive bounds (and one above the largest) stands for its whole open interval, since no band can
    /// start or stop inside it.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) problems.Add("name is empty");
        if (Bands is null || Bands.Count == 0)
        {
            problems.Add("no bands");
            return problems;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Bands.Count; i++)
        {
            var band = Bands[i];
            if (band is null) { problems.Add($"band {i + 1} is null"); continue; }
            if (string.IsNullOrWhiteSpace(band.Label)) problems.Add($"band {i + 1} has no label");
            else if (!seen.Add(band.Label)) problems.Add($"duplicate label '{band.Label}'");
            if (band.IsEmpty) problems.Add($"empty band: {band} contains no value");
        }

        var bounds = Bands.Where(b => b is not null)
            .SelectMany(b => new[] { b.Min, b.Max })
            .OfType<decimal>().Where(v => v >= 0m).Append(0m)
            .Distinct().Order().ToArray();

        for (var i = 0; i < bounds.Length; i++)
        {
            Check(bounds[i], Format(bounds[i]), problems);
            var (between, text) = i + 1 < bounds.Length
                ? ((bounds[i] + bounds[i + 1]) / 2m, $"values in ({Format(bounds[i])}, {Format(bounds[i + 1])})")
                : (bounds[i] + 1m, $"values above {Format(bounds[i])}");
            Check(between, text, problems);
        }
        return problems;
    }

    /// <summary>Label of the first band (in list order) containing the value; null if none. On a valid scale
    /// at most one band contains it.</summary>
    public string? Rate(decimal capaian) => Bands.FirstOrDefault(b => b is not null && b.Contains(capaian))?.Label;

    private void Check(decimal value, string text, List<string> problems)
    {
        var labels = Bands.Where(b => b is not null && b.Contains(value)).Select(b => $"'{b.Label}'").ToArray();
        var isAre = text.StartsWith("values ", StringComparison.Ordinal) ? "are" : "is";
        if (labels.Length == 0) problems.Add($"gap: {text} {isAre} in no band");
        else if (labels.Length > 1)
            problems.Add($"overlap: {text} {isAre} in {string.Join(", ", labels[..^1])} and {labels[^1]}");
    }

    /// <summary>Invariant, no trailing zeros: 55.00m → "55", 85.5m → "85.5".</summary>
    internal static string Format(decimal value) =>
        value.ToString("0.############################", CultureInfo.InvariantCulture);
}
