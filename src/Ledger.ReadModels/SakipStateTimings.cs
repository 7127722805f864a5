using System.Diagnostics;

namespace Ledger.ReadModels;

/// <summary>
/// Cumulative time per phase of <see cref="SakipStateProjection"/> batches (docs/performance.md, issue 4): read by the
/// rebuild benchmark. Cheap (a few <see cref="Stopwatch.GetTimestamp"/> per batch); batches are written one at a time
/// (under the projection's gate). Marten's own time (loading and deserializing pages, its statements) is not in here.
/// </summary>
public sealed class SakipStateTimings
{
    /// <summary>Batches written (one daemon transaction each; a retried commit counts again).</summary>
    public long Batches { get; private set; }
    public long Events { get; private set; }
    /// <summary>Progression reads (in the transaction and Marten's committed one) and cold-cache re-fold (SQL + fold).</summary>
    public TimeSpan Checkpoint { get; private set; }
    /// <summary>Folding the batch's events (decoded by Marten) into the cached states.</summary>
    public TimeSpan DecodeAndEvolve { get; private set; }
    /// <summary>Building the rows (IndicatorYearView, PerformanceTable.Row, budget sums) from the states.</summary>
    public TimeSpan Compute { get; private set; }
    /// <summary>SQL writes: deletes or upserts and COPYs.</summary>
    public TimeSpan Write { get; private set; }

    /// <summary>Part of <see cref="Write"/>: the deletes.</summary>
    public TimeSpan Delete { get; private set; }
    /// <summary>indicator_state and lkjip_rows rows computed and written.</summary>
    public long Rows { get; private set; }

    internal void Add(int events, long checkpoint, long decodeAndEvolve, long compute, long write, long delete, long rows)
    {
        Delete += Stopwatch.GetElapsedTime(0, delete);
        Rows += rows;
        if (events > 0) Batches++;
        Events += events;
        Checkpoint += Stopwatch.GetElapsedTime(0, checkpoint);
        DecodeAndEvolve += Stopwatch.GetElapsedTime(0, decodeAndEvolve);
        Compute += Stopwatch.GetElapsedTime(0, compute);
        Write += Stopwatch.GetElapsedTime(0, write);
    }

    public override string ToString() =>
        $"{Batches} batches, {Events:N0} events: progression+reload {Checkpoint.TotalSeconds:F2} s, fold {DecodeAndEvolve.TotalSeconds:F2} s, " +
        $"compute rows {Compute.TotalSeconds:F2} s, SQL writes {Write.TotalSeconds:F2} s " +
        $"(of which deletes {Delete.TotalSeconds:F2} s); {Rows:N0} indicator_state + lkjip_rows rows";
}
