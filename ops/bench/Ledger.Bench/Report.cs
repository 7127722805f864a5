using System.Globalization;
using System.Text;

namespace Ledger.Bench;

/// <summary>The markdown section "## Appends (issue 2)" and its placement in docs/performance.md.</summary>
internal static class Report
{
    public const string Heading = "## Appends (issue 2)";
    private const double SingleGoal = 0.80, BatchGoal = 0.60;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Build(AppendsOptions o, string environment, DateTimeOffset started,
        IReadOnlyList<Scenario> singles, IReadOnlyList<Scenario> batches, HashCost? hash)
    {
        var all = singles.Concat(batches).ToDictionary(s => s.Key);
        var sb = new StringBuilder();
        sb.AppendLine(Heading).AppendLine();
        sb.AppendLine(Inv, $"Measured {started:yyyy-MM-dd HH:mm} UTC: {o.DurationSeconds} s per run, {o.Rounds} rounds, " +
                           $"{o.WarmupSeconds} s warm-up per scenario, {o.Writers} writers for single events, " +
                           $"{o.BatchWriters} writers for {o.BatchSize}-event batches. {environment}.");
        sb.AppendLine();
        sb.AppendLine("Every run starts right after a `CHECKPOINT`; in each round every scenario of a group runs once, in the " +
                      "order listed below (A B C … A B C …). Figures are the median over the rounds; latencies are per " +
                      "operation (one append call / one INSERT statement), pooled over the rounds. Client and server share the same 2 cores.");
        sb.AppendLine();

        sb.AppendLine("### Against the goals").AppendLine();
        sb.AppendLine("| Comparison | Writers | Store, events/s | Raw, events/s | Store / raw | Goal | Met |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|:--|");
        GoalRow(sb, "single events, own streams", all["store-1"], all["raw-1"], SingleGoal);
        GoalRow(sb, "single events, ONE shared stream (`Any`)", all["store-1-shared"], all["raw-1"], null);
        GoalRow(sb, $"{o.BatchSize}-event batches", all["store-b"], all["raw-b"], BatchGoal);
        sb.AppendLine();

        sb.AppendLine("### All scenarios").AppendLine();
        sb.AppendLine("| Scenario | Writers | Events/op | Events/s per round | Median events/s | vs raw | p50 ms/op | p99 ms/op | WAL bytes/event | Full-page images per 1k events | Events per WAL flush | CPU µs/event: server + client | Other processes' share of the machine |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var s in singles.Concat(batches)) ScenarioRow(sb, s, s.BaselineKey is null ? null : all[s.BaselineKey]);
        sb.AppendLine();

        sb.AppendLine("What each scenario does (all through the same pooled `NpgsqlDataSource`, a connection opened per operation as " +
                      "`PostgresEventStore` does, as a login role with the service's rights; payloads are ~300-byte realization " +
                      "events, time-ordered `Guid.CreateVersion7()` ids as the command pipeline makes them, on both sides; the store's appends carry an actor and a correlation id as commands do):");
        sb.AppendLine();
        foreach (var s in singles.Concat(batches)) sb.AppendLine(Inv, $"- **{s.Name}**: {s.What}.");
        sb.AppendLine();
        var grouped = singles.Concat(batches).Where(s => s.GroupStore is not null).Select(s =>
        {
            var (appends, trips) = (s.Runs.Sum(r => r.Group.Appends), s.Runs.Sum(r => r.Group.RoundTrips));
            return trips == 0 ? $"{s.Name}: not grouped" : $"{s.Name}: {appends / (double)trips:F1} appends per round trip";
        }).ToList();
        if (grouped.Count > 0)
        {
            sb.AppendLine(Inv, $"Group commit during the runs (appends taken from the queue / round trips used): {string.Join("; ", grouped)}.");
            sb.AppendLine();
        }

        sb.AppendLine("### Where the time goes (computed by the run)").AppendLine();
        Ladder(sb, "Single events", all, ["raw-1", "lock-1", "shaped-1", "alone-1", "store-1"]);
        Ladder(sb, $"{o.BatchSize}-event batches", all, ["raw-b", "lock-b", "shaped-b", "store-b"]);
        if (hash is not null)
        {
            sb.AppendLine(Inv, $"- Canonical form + SHA-256 inside PostgreSQL: **{hash.MicrosecondsPerEvent:F1} µs of CPU per event** " +
                               $"(difference of two {hash.Events:N0}-row loops, best of 3).");
        }
        return sb.ToString().TrimEnd() + Environment.NewLine;
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public static double MedianRate(Scenario s) => Median(s.Runs.Select(r => r.Run.EventsPerSecond));

    /// <summary>The share of the machine's CPU (all cores) used during a run by processes other than this one and our server.</summary>
    public static double OtherShare(Counters d, TimeSpan elapsed)
    {
        if (d.CpuAllTicks <= 0) return double.NaN;
        var capacity = d.CpuAllTicks / Counters.TicksPerSecond;                    // core-seconds available during the run
        var busy = d.CpuBusyTicks / Counters.TicksPerSecond;
        var ours = d.ClientCpu.TotalSeconds + d.ServerTicks / Counters.TicksPerSecond;
        return Math.Clamp((busy - ours) / capacity, 0, 1);
    }

    private static void GoalRow(StringBuilder sb, string what, Scenario store, Scenario raw, double? goal)
    {
        var ratio = MedianRate(store) / MedianRate(raw);
        var met = goal is null ? "–" : ratio >= goal ? "**yes**" : "**no**";
        var goalText = goal is null ? "–" : $"≥ {goal:P0}";
        sb.AppendLine(Inv, $"| {what} | {store.WriterCount} | {MedianRate(store):N0} | {MedianRate(raw):N0} | {ratio:P0} | {goalText} | {met} |");
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

    private static void Ladder(StringBuilder sb, string title, Dictionary<string, Scenario> all, string[] keys)
    {
        var present = keys.Where(all.ContainsKey).Select(k => all[k]).ToArray();
        if (present.Length < 2) return;
        var raw = MedianRate(present[0]);
        var steps = present.Select(s => $"{s.Name} {MedianRate(s):N0} ({MedianRate(s) / raw:P0})");
        sb.AppendLine(Inv, $"- {title}: {string.Join(" → ", steps)}.");
    }

    /// <summary>Creates the file with a short intro, or replaces the section (up to the next "## " heading) in place.</summary>
    /// <param name="heading">the section's heading line (its first line), <see cref="Heading"/> unless stated.</param>
    public static void WriteSection(string path, string section, string heading = Heading)
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

            dotnet run -c Release --project ops/bench/Ledger.Bench -- appends

        `--markdown docs/performance.md` replaces the section below with the new figures; `--help` lists the options
        (duration, rounds, writers, batch size, …).

        Why not BenchmarkDotNet: it measures one operation at a time in a tight loop and is built for CPU-bound
        micro-benchmarks. What matters here is the throughput of many concurrent writers against a durable server, where
        group commit, row-lock waits, WAL flushes and the server's CPU interact; a purpose-built closed-loop load
        generator (N writers, each doing one operation after the other for a fixed time, alternating the scenarios being
        compared) measures exactly that, gives the latency distribution, and reads WAL and CPU counters around each run.

        """;
}
