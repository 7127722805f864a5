using System.Diagnostics;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Projection <c>sakip</c>: the three SAKIP read models (state, history, PK versions) as one Marten projection, so the
/// daemon loads and deserializes each page of the log once for all six tables, converts it once, and commits the
/// page's rows of every table with one progression in one transaction. The parts are the single-table projections'
/// writers, run one after another on the page's connection.
/// </summary>
public sealed class SakipCombinedProjection : SakipProjection
{
    public const string ProjectionName = "sakip";

    private readonly SakipStateProjection _state;
    private readonly IndicatorHistoryProjection _history;
    private readonly PkVersionsProjection _pk;

    public SakipCombinedProjection() : this(new SakipStateProjection(), new IndicatorHistoryProjection(), new PkVersionsProjection())
    {
    }

    private SakipCombinedProjection(SakipStateProjection state, IndicatorHistoryProjection history, PkVersionsProjection pk)
        : base(ProjectionName, null, new SakipProjection[] { state, history, pk }.SelectMany(p => p.TableNames))
    {
        _state = state;
        _history = history;
        _pk = pk;
    }

    /// <summary>The parts (their write times are in their <see cref="SakipProjection.Timings"/>).</summary>
    public IReadOnlyList<SakipProjection> Parts => [_state, _history, _pk];

    /// <summary>The state part (its cache counters and phases).</summary>
    public SakipStateProjection State => _state;

    /// <summary>
    /// The state part folds the page in memory while the history part writes its rows on the connection (the two share
    /// nothing but the page); then the state part writes its rows and the PK part its own. Marten's daemon loads the next
    /// page only once this one has committed, so what the parts do one after another adds to the rebuild's time.
    /// </summary>
    internal override async Task<object?> WriteAsync(SakipBatch batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var t0 = Stopwatch.GetTimestamp();
        long history = 0;
        var written = await _state.WriteAsync(batch, connection, transaction, async () =>
        {
            var h0 = Stopwatch.GetTimestamp();
            await _history.WriteAsync(batch, connection, transaction, ct);
            history = Stopwatch.GetTimestamp() - h0;
            Timings.Mark("history part done");
        }, ct);
        var t1 = Stopwatch.GetTimestamp();
        Timings.Mark("state part done");
        await _pk.WriteAsync(batch, connection, transaction, ct);
        var t2 = Stopwatch.GetTimestamp();
        // The state part's time is what it adds beyond the history part's, which ran during its fold.
        _state.Timings.Wrote(t1 - t0 - history);
        _history.Timings.Wrote(history);
        _pk.Timings.Wrote(t2 - t1);
        return written;
    }

    internal override Task CommittedAsync(object? written, CancellationToken ct) => _state.CommittedAsync(written, ct);
}
