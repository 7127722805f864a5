using System.Globalization;
using System.Text;

namespace Ledger.Bench;

/// <summary>What the reports share: scenario rows, medians, the machine's other load, and the placement of a section in docs/performance.md.</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public static double MedianRate(Scenario s) => Median(s.Runs.Select(r => r.Run.EventsPerSecond));

    /// <summary>A run with a sealer after commit: events appended and sealed, over the run's time plus the drain that sealed what was left at its end.</summary>
    public static double SealedRate(Measurement m) =>
        m.Sealed is { } z ? z.Sealed / (m.Run.Elapsed + z.Drain).TotalSeconds : double.NaN;

    public static double MedianSealedRate(Scenario s) => Median(s.Runs.Where(r => r.Sealed is not null).Select(SealedRate));

    /// <summary>The q-quantile (0..1, nearest rank) of unsorted values; 0 when there are none.</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? 0 : v[NearestRank(v.Length, q)];
    }

    /// <summary>The index of the q-quantile (0..1) in <paramref name="count"/> sorted values, by nearest rank (count &gt; 0).</summary>
    public static int NearestRank(int count, double q) => Math.Clamp((int)Math.Ceiling(q * count) - 1, 0, count - 1);

    /// <summary>The share of the machine's CPU (all cores) used during a run by processes other than this one and our server.</summary>
    public static double OtherShare(Counters d, TimeSpan elapsed)
    {
        if (d.CpuAllTicks <= 0) return double.NaN;
        var capacity = d.CpuAllTicks / Counters.TicksPerSecond;                    // core-seconds available during the run
        var busy = d.CpuBusyTicks / Counters.TicksPerSecond;
        var ours = d.ClientCpu.TotalSeconds + d.ServerTicks / Counters.TicksPerSecond;
        return Math.Clamp((busy - ours) / capacity, 0, 1);
    }

    public static void ScenarioRow(StringBuilder sb, Scenario s, Scenario? baseline)
    {
        if (s.Runs.Count == 0)
        {
            sb.AppendLine(Inv, $"| {s.Name} | {s.WriterCount} | {s.EventsPerOp} | not run: {s.External?.Unavailable ?? "no runs"} | – | – | – | – | – | – | – | – | – |");
            return;
        }
        var rates = string.Join(" / ", s.Runs.Select(r => r.Run.EventsPerSecond.ToString("N0", Inv)));
        var median = MedianRate(s);
        var vs = baseline is null ? "100 %" : (median / MedianRate(baseline)).ToString("P0", Inv);
        var ticks = s.Runs.SelectMany(r => r.Run.LatencyTicks).Order().ToArray();
        var events = s.Runs.Sum(r => r.Run.Events);
        var wal = s.Runs.Sum(r => r.Delta.WalBytes) / (double)events;
        var fpi = s.Runs.Sum(r => r.Delta.WalFpi) * 1000.0 / events;
        var syncs = s.Runs.Sum(r => r.Delta.WalSyncs);
        var perFlush = syncs > 0 ? (events / (double)syncs).ToString("F1", Inv) : "–";
        var serverUs = s.Runs.Sum(r => r.Delta.ServerTicks) / Counters.TicksPerSecond * 1e6 / events;
        var clientUs = s.Runs.Sum(r => r.Delta.ClientCpu.TotalMicroseconds) / events;
        var cpu = $"{serverUs:F0} + {clientUs:F0}";
        var other = Median(s.Runs.Select(r => OtherShare(r.Delta, r.Run.Elapsed))).ToString("P0", Inv);
        sb.AppendLine(Inv,
            $"| {s.Name} | {s.WriterCount} | {s.EventsPerOp} | {rates} | **{median:N0}** | {vs} | " +
            $"{LoadRunner.PercentileMs(ticks, 0.50):F2} | {LoadRunner.PercentileMs(ticks, 0.99):F2} | {wal:N0} | {fpi:F1} | {perFlush} | {cpu} | {other} |");
    }

    /// <summary>Creates the file with a short intro, or replaces the section (up to the next "## " heading) in place.</summary>
    /// <param name="heading">the section's heading line (its first line).</param>
    public static void WriteSection(string path, string section, string heading)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (!File.Exists(full))
        {
            File.WriteAllText(full, Intro() + Environment.NewLine + section);
            return;
        }
        var lines = File.ReadAllLines(full).ToList();
        var start = lines.FindIndex(l => l.TrimEnd() == heading);
        if (start < 0)
        {
            File.WriteAllText(full, string.Join(Environment.NewLine, lines).TrimEnd() + Environment.NewLine + Environment.NewLine + section);
            return;
        }
        var end = lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var before = lines.Take(start);
        var after = end < 0 ? [] : lines.Skip(end);
        var text = string.Join(Environment.NewLine, before) + Environment.NewLine + section +
                   (end < 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, after) + Environment.NewLine);
        File.WriteAllText(full, text);
    }

    private static string Intro() => $"""
        # Performance

        Measurements of Ledger on the development machine ({Environment.ProcessorCount} cores; each section states the
        exact environment). They come from `ops/bench/Ledger.Bench`, which starts its own private, durable PostgreSQL
        cluster (`LocalClusterOptions {"{"} Durable = true {"}"}`: fsync, synchronous_commit and full_page_writes on, the
        defaults) in a temporary folder, measures, and deletes the cluster again. All traffic is on 127.0.0.1.

        Run it with:

            dotnet run -c Release --project ops/bench/Ledger.Bench -- marten-appends

        `--markdown docs/performance.md` replaces its section with the new figures; `--help` lists the benchmarks and
        their options (duration, rounds, writers, batch size, …).

        Why not BenchmarkDotNet: it measures one operation at a time in a tight loop and is built for CPU-bound
        micro-benchmarks. What matters here is the throughput of many concurrent writers against a durable server, where
        group commit, row-lock waits, WAL flushes and the server's CPU interact; a purpose-built closed-loop load
        generator (N writers, each doing one operation after the other for a fixed time, alternating the scenarios being
        compared) measures exactly that, gives the latency distribution, and reads WAL and CPU counters around each run.

        """;
}
