using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;

namespace Ledger.ReadModels;

/// <summary>
/// One agency's aggregates folded with the domain's own Evolve functions: the agency (rating scales), its Renstras and
/// its performance years. The read models are computed from this exactly as the HTTP reads compute from a replay.
/// </summary>
internal sealed class AgencyModel(string code)
{
    public string Code { get; } = code;
    public AgencyState Agency { get; set; } = AgencyState.Initial;
    public SortedDictionary<int, RenstraState> Renstras { get; } = [];
    public Dictionary<int, YearModel> Years { get; } = [];

    /// <summary>
    /// Which of the agency's year streams are folded into <see cref="Years"/>; null: every stream of the agency is (the
    /// default: an agency met from its first event, or re-folded whole). A set: the agency's own and Renstra streams are
    /// folded, and of its year streams only these (sakip-state's first touch after a start re-folds the years a batch
    /// needs, not the agency's whole history: <see cref="SakipStateProjection.NeededYears"/>). A year missing from the
    /// set is unknown, not empty: nothing may read it.
    /// </summary>
    public HashSet<int>? YearsLoaded { get; set; }

    /// <summary>When the cache last folded an event of this agency (a counter of folded events): it drops the oldest first.</summary>
    public long Touched { get; set; }

    /// <summary>The Renstra in force for the year, by the domain's one rule (<see cref="Renstra.InForce"/>).</summary>
    public RenstraState? Covering(int year) => Renstra.InForce(year, start => Renstras.GetValueOrDefault(start));

    public YearModel Year(int year)
    {
        if (!Years.TryGetValue(year, out var y)) Years[year] = y = new YearModel(PerformanceYearState.Initial(Code, year));
        return y;
    }

    /// <summary>Years with a stream or covered by a plan: the years that have read-model rows.</summary>
    public IEnumerable<int> KnownYears() =>
        Years.Where(y => y.Value.Version > 0).Select(y => y.Key)
            .Concat(Renstras.Values.SelectMany(r => r.YearsCovered()))
            .Distinct();
}

internal sealed class YearModel(PerformanceYearState state)
{
    public PerformanceYearState State { get; set; } = state;
    public long Version { get; set; }
}

/// <summary>What a batch touched, at the finest grain that keeps rebuilds cheap (a realization rewrites one row, not a year).</summary>
internal sealed class DirtySet
{
    public HashSet<string> Agencies { get; } = [];
    public HashSet<(string Agency, int Year)> IndicatorYears { get; } = [];
    public HashSet<(string Agency, int Year, string Code)> Indicators { get; } = [];
    public HashSet<(string Agency, int Year)> LkjipYears { get; } = [];
    public HashSet<(string Agency, int Year, string Code)> LkjipRows { get; } = [];
    public HashSet<(string Agency, int Year)> BudgetYears { get; } = [];
    public HashSet<(string Agency, int Year, string Code)> BudgetLines { get; } = [];
    public HashSet<(string Agency, int Year)> Years { get; } = [];

    /// <summary>Everything of a year; its LKjIP table and next year's (whose "previous" columns show this year).</summary>
    public void WholeYear(string a, int y)
    {
        IndicatorYears.Add((a, y));
        LkjipYears.Add((a, y));
        LkjipYears.Add((a, y + 1));
        Years.Add((a, y));
        Years.Add((a, y + 1));
    }

    public void Indicator(string a, int y, string code)
    {
        Indicators.Add((a, y, code));
        LkjipRows.Add((a, y, code));
        LkjipRows.Add((a, y + 1, code));
    }
}
