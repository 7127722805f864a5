namespace Ledger.Domain.Capaian;

// Year values from period values (README "Aggregation over the year"; "Missing is not zero").
//
// Rules chosen for mixed inputs, the same for every aggregation except annual:
//  1. Y wins. When a Y value is present it is the year's value: it is the figure the LKjIP reports (001 digest
//     §3: all its figures are annual) and the one evaluated. If Y disagrees with the sub-year values that is an
//     audit finding for the caller to raise (compare with the value computed without Y), not something to average away.
//  2. Quarters win over semesters for sum and average. An indicator reports either by triwulan or by semester;
//     both at once is a data problem (see HasMixedGranularity) and we do not add S1 to Q1+Q2 twice.
//  3. last takes the period that ends latest, whatever its kind; at equal end (Q2/S1, Q4/S2) the quarter wins.
//  4. Absent periods are absent: sum adds only what is present, average divides by the count present, never by 4.
//  5. annual reads Y only; any quarter or semester value is ignored (it is not a valid period, see IsValidPeriod).
public static partial class CapaianCalculator
{
    private static readonly Period[] Quarters = [Period.Q1, Period.Q2, Period.Q3, Period.Q4];
    private static readonly Period[] Semesters = [Period.S1, Period.S2];

    /// <summary>The year's value per aggregation; null when no applicable period is present.</summary>
    public static decimal? AnnualValue(Aggregation aggregation, IReadOnlyDictionary<Period, decimal> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckAggregation(aggregation);
        if (values.TryGetValue(Period.Y, out var year)) return year; // rule 1 (and rule 5 for annual)
        if (aggregation == Aggregation.Annual) return null;
        return SubYearValue(aggregation, values);
    }

    /// <summary>
    /// The value accumulated up to and including <paramref name="upTo"/>, to compare with the year's target
    /// (README: quarterly capaian compares the cumulative value with the year's target). For upTo = Y this is
    /// <see cref="AnnualValue"/>. Otherwise only quarters and semesters that end no later than upTo count (Q3 with
    /// semester reporting sees S1 only); Y is not a sub-year value and is ignored. annual has no sub-year
    /// value, so its cumulative value before Y is null.
    /// </summary>
    public static decimal? CumulativeValue(
        Aggregation aggregation, IReadOnlyDictionary<Period, decimal> values, Period upTo)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckAggregation(aggregation);
        if (!Enum.IsDefined(upTo)) throw new ArgumentOutOfRangeException(nameof(upTo), upTo, "Unknown period.");
        if (upTo == Period.Y) return AnnualValue(aggregation, values);
        if (aggregation == Aggregation.Annual) return null;

        var soFar = values
            .Where(kv => kv.Key != Period.Y && EndMonth(kv.Key) <= EndMonth(upTo))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        return SubYearValue(aggregation, soFar);
    }

    /// <summary>annual accepts only Y; sum, last and average accept Q1..Q4, S1, S2 and Y.</summary>
    public static bool IsValidPeriod(Aggregation aggregation, Period period) =>
        Enum.IsDefined(period) && aggregation switch
        {
            Aggregation.Annual => period == Period.Y,
            Aggregation.Sum or Aggregation.Last or Aggregation.Average => true,
            _ => false,
        };

    /// <summary>True when both quarter and semester values are present: an indicator should report one way only.</summary>
    public static bool HasMixedGranularity(IReadOnlyDictionary<Period, decimal> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Quarters.Any(values.ContainsKey) && Semesters.Any(values.ContainsKey);
    }

    /// <summary>Month (1-12) in which a period ends: Q1 3, Q2 and S1 6, Q3 9, Q4, S2 and Y 12.</summary>
    public static int EndMonth(Period period) => period switch
    {
        Period.Q1 => 3,
        Period.Q2 or Period.S1 => 6,
        Period.Q3 => 9,
        Period.Q4 or Period.S2 or Period.Y => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, "Unknown period."),
    };

    private static decimal? SubYearValue(Aggregation aggregation, IReadOnlyDictionary<Period, decimal> values)
    {
        if (aggregation == Aggregation.Last) // rule 3: Quarters listed first, so a quarter wins a tie.
        {
            var latest = Quarters.Concat(Semesters).Where(values.ContainsKey)
                .OrderByDescending(EndMonth).Cast<Period?>().FirstOrDefault();
            return latest is { } p ? values[p] : null;
        }

        var present = Quarters.Where(values.ContainsKey).ToArray(); // rule 2
        if (present.Length == 0) present = Semesters.Where(values.ContainsKey).ToArray();
        if (present.Length == 0) return null;

        var sum = present.Sum(p => values[p]);
        return aggregation == Aggregation.Sum ? sum : sum / present.Length;
    }

    private static void CheckAggregation(Aggregation aggregation)
    {
        if (!Enum.IsDefined(aggregation))
            throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Unknown aggregation.");
    }
}
