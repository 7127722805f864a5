using Ledger.Projections;

namespace Ledger.ReadModels;

/// <summary>The SAKIP projections the service runs (all async; docs/read-models.md).</summary>
public static class SakipProjections
{
    /// <summary>New instances: the state projection keeps a cache, so each daemon or rebuilder host gets its own set.</summary>
    public static IReadOnlyList<IProjection> Create() =>
        [new SakipStateProjection(), new IndicatorHistoryProjection(), new PkVersionsProjection()];
}
