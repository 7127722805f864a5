using System.Diagnostics;

namespace Ledger.Bench;

/// <summary>What one timed run of one scenario produced.</summary>
internal sealed record RunResult(TimeSpan Elapsed, long Operations, long Events, long[] LatencyTicks)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>
/// A closed-loop load generator: every writer runs one operation after another on its own task until the time is up
/// or it has done its share of the operation budget, then stops by itself. Throughput is events completed divided by
/// the wall time from the start to the last writer finishing its last operation.
/// </summary>
internal static class LoadRunner
{
    /// <summary>How long a run may overrun its duration (an operation stuck on a lock, a stalled server) before it is cancelled.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    public static async Task<RunResult> RunAsync(IReadOnlyList<IWriter> writers, TimeSpan duration, long maxOperations, CancellationToken ct)
    {
        var perWriter = Math.Max(1, maxOperations / writers.Count);
        using var hard = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hard.CancelAfter(duration + Grace);
        var token = hard.Token;

        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = writers.Select(writer => Task.Run(async () =>
        {
            var latencies = new List<long>(4096);
            long events = 0;
            while (latencies.Count < perWriter && Stopwatch.GetTimestamp() < deadline)
            {
                token.ThrowIfCancellationRequested();
                var t0 = Stopwatch.GetTimestamp();
                events += await writer.ExecuteOnceAsync(token);
                latencies.Add(Stopwatch.GetTimestamp() - t0);
            }
            return (latencies, events);
        }, token)).ToArray();

        var results = await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var all = results.SelectMany(r => r.latencies).ToArray();
        return new RunResult(elapsed, all.Length, results.Sum(r => r.events), all);
    }

    /// <summary>The q-quantile (0..1) of the given latencies, in milliseconds (nearest rank).</summary>
    public static double PercentileMs(long[] sortedTicks, double q)
    {
        if (sortedTicks.Length == 0) return double.NaN;
        return sortedTicks[Report.NearestRank(sortedTicks.Length, q)] * 1000.0 / Stopwatch.Frequency;
    }
}
