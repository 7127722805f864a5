using Ledger.Domain.PerformanceYears;

namespace Ledger.Domain.Reading;

/// <summary>
/// A year's realizations grouped by indicator (each group in the state's order: what
/// <see cref="PerformanceYearState.RealizationValues"/> and the claimed capaian filter out of the whole list) and its
/// PK targets by indicator, built once for a year when many rows of it are computed (the read models, issue 4).
/// Results are those of the plain overloads, which scan the lists for every row.
/// </summary>
public sealed class IndexedYear
{
    private static readonly IReadOnlyList<Realization> None = [];
    private readonly Dictionary<string, List<Realization>> _byIndicator = new(StringComparer.Ordinal);

    // indicator → (target in PK murni = PkMurni.TargetFor), (latest version with a target for it, and that target).
    private readonly Dictionary<string, decimal> _murni = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PkVersion Version, decimal Target)> _latest = new(StringComparer.Ordinal);

    public IndexedYear(PerformanceYearState state)
    {
        State = state;
        for (var i = 0; i < state.PkVersions.Count; i++)
        {
            var v = state.PkVersions[i];
            var first = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var t in v.Targets) first.TryAdd(t.Indicator, t.Target); // TargetFor takes the first match
            if (i == 0) foreach (var (code, target) in first) _murni[code] = target;
            foreach (var (code, target) in first) _latest[code] = (v, target); // later versions win: LastOrDefault
        }
        foreach (var r in state.Realizations)
        {
            if (!_byIndicator.TryGetValue(r.Indicator, out var list)) _byIndicator[r.Indicator] = list = [];
            list.Add(r);
        }
    }

    public PerformanceYearState State { get; }

    public IReadOnlyList<Realization> For(string indicator) => _byIndicator.TryGetValue(indicator, out var list) ? list : None;

    public bool Any(string indicator) => _byIndicator.ContainsKey(indicator);

    /// <summary>= State.PkMurni?.TargetFor(indicator).</summary>
    public decimal? PkMurniTarget(string indicator) => _murni.TryGetValue(indicator, out var t) ? t : null;

    /// <summary>= the last PK version with a target for the indicator, and that target.</summary>
    public (PkVersion Version, decimal Target)? LatestPkTarget(string indicator) =>
        _latest.TryGetValue(indicator, out var l) ? l : null;
}
