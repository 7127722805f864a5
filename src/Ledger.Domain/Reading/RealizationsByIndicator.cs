using Ledger.Domain.PerformanceYears;

namespace Ledger.Domain.Reading;

/// <summary>
/// A year's realizations grouped by indicator, each group in the state's order: what
/// <see cref="PerformanceYearState.RealizationValues"/> and the claimed capaian filter out of the whole list, built once
/// for a year when many rows of it are computed (the read models, issue 4). Results are those of the plain overloads.
/// </summary>
public sealed class RealizationsByIndicator
{
    private static readonly IReadOnlyList<Realization> None = [];
    private readonly Dictionary<string, List<Realization>> _byIndicator = new(StringComparer.Ordinal);

    public RealizationsByIndicator(PerformanceYearState state)
    {
        State = state;
        foreach (var r in state.Realizations)
        {
            if (!_byIndicator.TryGetValue(r.Indicator, out var list)) _byIndicator[r.Indicator] = list = [];
            list.Add(r);
        }
    }

    public PerformanceYearState State { get; }

    public IReadOnlyList<Realization> For(string indicator) => _byIndicator.TryGetValue(indicator, out var list) ? list : None;

    public bool Any(string indicator) => _byIndicator.ContainsKey(indicator);
}
