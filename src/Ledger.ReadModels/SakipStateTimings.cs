using System.Diagnostics;

namespace Ledger.ReadModels;

/// <summary>
/// Cumulative time per phase of <see cref="SakipStateProjection"/> batches (docs/performance.md, issue 4): read by the
/// rebuild benchmark. Cheap (a few <see cref="Stopwatch.GetTimestamp"/> per batch); batches run one at a time.
/// </summary>
public sealed class SakipStateTimings
{
    public long Batches { get; private set; }
    public long Events { get; private set; }
    /// <summary>Checkpoint read and cold-cache re-fold (SQL + fold).</summary>
    public TimeSpan Checkpoint { get; private set; }
    public TimeSpan Decode { get; private set; }
    public TimeSpan Evolve { get; private set; }
    /// <summary>Building the rows (IndicatorYearView, PerformanceTable.Row, budget sums) from the states.</summary>
    public TimeSpan Compute { get; private set; }
    /// <summary>SQL writes: deletes or upserts and COPYs.</summary>
    public TimeSpan Write { get; private set; }

    /// <summary>Part of <see cref="Write"/>: the deletes.</summary>
    public TimeSpan Delete { get; private set; }
    /// <summary>indicator_state and lkjip_rows rows computed and written.</summary>
    public long Rows { get; private set; }

    internal void Add(int events, long checkpoint, long decode, long evolve, long compute, long write, long delete, long rows)
    {
        Delete += Stopwatch.GetElapsedTime(0, delete);
        Rows += rows;
        Batches++;
        Events += events;
        Checkpoint += Stopwatch.GetElapsedTime(0, checkpoint);
        Decode += Stopwatch.GetElapsedTime(0, decode);
        Evolve += Stopwatch.GetElapsedTime(0, evolve);
        Compute += Stopwatch.GetElapsedTime(0, compute);
        Write += Stopwatch.GetElapsedTime(0, write);
    }

    public override string ToString() =>
        $"{Batches} batches, {Events:N0} events: checkpoint+load {Checkpoint.TotalSeconds:F2} s, decode {Decode.TotalSeconds:F2} s, " +
        $"evolve {Evolve.TotalSeconds:F2} s, compute rows {Compute.TotalSeconds:F2} s, SQL writes {Write.TotalSeconds:F2} s " +
        $"(of which deletes {Delete.TotalSeconds:F2} s); {Rows:N0} indicator_state + lkjip_rows rows";
}
