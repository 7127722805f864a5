using System.Globalization;
using System.Text;

namespace Ledger.Bench;

/// <summary>The markdown section "## Appends on Marten (issue 11)" (placed in a file by <see cref="Report.WriteSection"/>).</summary>
internal static class MartenReport
{
    public const string Heading = "## Appends on Marten (issue 11)";

    /// <summary>The goal: the audit layer costs at most 15 % of plain Marten's throughput.</summary>
    private const double Goal = 0.85;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Build(AppendsOptions o, string environment, DateTimeOffset started, IReadOnlyList<ScenarioGroup> groups, IReadOnlyList<CountCheck> checks)
    {
        var all = groups.SelectMany(g => g.Scenarios).ToDictionary(s => s.Key);
        var sb = new StringBuilder();
        sb.AppendLine(Heading).AppendLine();
        var writers = o.Writers == 1 ? "1 writer" : $"1 and {o.Writers} writers";
        sb.AppendLine(Inv, $"Measured {started:yyyy-MM-dd HH:mm} UTC with `marten-appends`: {o.DurationSeconds} s per run, {o.Rounds} rounds, " +
                           $"{o.WarmupSeconds} s warm-up per scenario, {writers} for single events, " +
                           $"{o.BatchWriters} writers for {o.BatchSize}-event batches. {environment}.");
        sb.AppendLine();
        sb.AppendLine("One durable cluster, one database per design (raw from .NET and from pgbench share `ledger_bench`). Every run starts right after a " +
                      "`CHECKPOINT`; in each round every scenario of a group runs once, in the order listed below. Figures are the median " +
                      "over the rounds; latencies are per operation (one append / one INSERT), pooled over the rounds. Client and server " +
                      "share the same 2 cores.");
        sb.AppendLine();

        sb.AppendLine("### Against the goal").AppendLine();
        sb.AppendLine("| Comparison | Writers | Ledger path, events/s | Plain Marten, events/s | Ledger path / plain Marten | Goal | Met | Ledger path / raw |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|:--|--:|");
        foreach (var g in groups) GoalRow(sb, g);
        sb.AppendLine();

        sb.AppendLine("### All scenarios").AppendLine();
        sb.AppendLine("| Scenario | Writers | Events/op | Events/s per round | Median events/s | vs raw | p50 ms/op | p99 ms/op | WAL bytes/event | Full-page images per 1k events | Events per WAL flush | CPU µs/event: server + client | Other processes' share of the machine |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var s in groups.SelectMany(g => g.Scenarios)) Report.ScenarioRow(sb, s, s.BaselineKey is null ? null : all[s.BaselineKey]);
        sb.AppendLine();

        sb.AppendLine("What each scenario does (in-process writers open a pooled connection per operation, as login roles without " +
                      "superuser rights; payloads are ~300-byte realization events; Marten appends use `EventAppendMode.Quick` and the " +
                      "rest of `LedgerMarten.Configure`, with the domain's `realization.recorded.v1` event):");
        sb.AppendLine();
        foreach (var s in groups.SelectMany(g => g.Scenarios).DistinctBy(s => s.Name)) sb.AppendLine(Inv, $"- **{s.Name}**: {s.What}.");
        sb.AppendLine();

        sb.AppendLine("*New streams.* `FetchForWriting` of a stream that does not exist makes Marten start it, and in Quick mode Marten " +
                      "starts a stream with per-event INSERTs stamped with the client's clock (only appends to existing streams, or " +
                      "with an expected version, go through `mt_quick_append_events`, which stamps `now()`); the seal refuses that " +
                      "at commit (23514), and Marten then writes a tombstone event that is never sealed. So every Marten writer, on " +
                      "every design alike, creates its streams the way the audit tests do: the same live read (`FetchLatest<T>`) and " +
                      "`Events.Append(key, expected version after the append, events)` (the function with expected version 0). " +
                      string.Create(Inv, $"Single-event writers do that for 1 append in {MartenWriter.AppendsPerStream}, batch writers for every batch."));
        sb.AppendLine();

        var diagnostics = groups.SelectMany(Diagnostics).ToList();
        if (diagnostics.Count > 0)
        {
            sb.AppendLine("### Diagnostics (computed by the run)").AppendLine();
            foreach (var line in diagnostics) sb.AppendLine(line);
            sb.AppendLine();
        }

        sb.AppendLine("### Written and stored").AppendLine();
        sb.AppendLine("Events the writers reported (warm-up and one priming operation per scenario included) against the rows in each table at the end:");
        sb.AppendLine();
        sb.AppendLine("| Table | Written | Stored | Match |");
        sb.AppendLine("|---|--:|--:|:--|");
        foreach (var c in checks) sb.AppendLine(Inv, $"| {c.What} | {c.Expected:N0} | {c.Found:N0} | {(c.Ok ? "yes" : "**NO**")} |");
        return sb.ToString().TrimEnd() + Environment.NewLine;
    }

    private static void GoalRow(StringBuilder sb, ScenarioGroup g)
    {
        if (g.Find("ledger") is not { } ledger || g.Find("marten") is not { } plain) return;
        var (l, p) = (Report.MedianRate(ledger), Report.MedianRate(plain));
        var raw = g.Find("raw") is { } r ? Report.MedianRate(r) : double.NaN;
        var ratio = l / p;
        sb.AppendLine(Inv,
            $"| {g.Title} | {ledger.WriterCount} | {l:N0} | {p:N0} | **{ratio:P0}** | ≥ {Goal:P0} | {(ratio >= Goal ? "**yes**" : "**no**")} | " +
            $"{l / raw:P0} |");
    }

    private static IEnumerable<string> Diagnostics(ScenarioGroup g)
    {
        string Rate(Scenario s) => Report.MedianRate(s).ToString("N0", Inv);
        if (g.Find("raw") is { } raw && g.Find("pgbench") is { Runs.Count: > 0 } pgbench)
            yield return string.Create(Inv, $"- {g.Title}: raw INSERT from .NET {Rate(raw)} events/s = {Report.MedianRate(raw) / Report.MedianRate(pgbench):P0} of the same INSERT from pgbench ({Rate(pgbench)}).");
        var plain = g.Find("marten");
        if (plain is not null && g.Find("defaults") is { } defaults)
            yield return string.Create(Inv, $"- {g.Title}: Ledger's two extra Marten settings (exclusive lock on concurrent appends, unique index on event id): plain Marten {Rate(plain)} events/s = {Report.MedianRate(plain) / Report.MedianRate(defaults):P0} of Marten's defaults ({Rate(defaults)}).");
        foreach (var d in MartenAppendsBenchmark.Diagnostics)
        {
            if (d.VsLedger is not { } names || plain is null || g.Find("ledger") is not { } ledger || g.Find(d.Key) is not { } variant) continue;
            yield return string.Create(Inv,
                $"- {g.Title}: {names.Variant} {Rate(variant)} events/s = {Report.MedianRate(variant) / Report.MedianRate(plain):P0} of plain Marten; " +
                $"{names.LedgerPath} {Rate(ledger)} = {Report.MedianRate(ledger) / Report.MedianRate(plain):P0}.");
        }
        foreach (var (key, what) in new[] { ("sealer", "the sealer after commit"), ("sealerblocks", "the sealer after commit storing blocks") })
        {
            if (plain is null || g.Find("ledger") is not { } atCommit || g.Find(key) is not { Runs.Count: > 0 } sealer) continue;
            var sealedRate = Report.MedianSealedRate(sealer);
            var runs = sealer.Runs.Select(r => r.Sealed!).ToList();
            var backlog = string.Join(" / ", runs.Select(z => z.Backlog.ToString("N0", Inv)));
            var drain = string.Join(" / ", runs.Select(z => z.Drain.TotalMilliseconds.ToString("N0", Inv)));
            var ages = runs.SelectMany(z => z.OldestMs).ToList();
            yield return string.Create(Inv,
                $"- {g.Title}: {what}: appends {Rate(sealer)} events/s = {Report.MedianRate(sealer) / Report.MedianRate(plain):P0} of plain Marten; " +
                $"**sealed {sealedRate:N0} events/s = {sealedRate / Report.MedianRate(plain):P0}** (appended and sealed, over each run and its drain); " +
                $"left unsealed when the writers stopped {backlog} events, drained in {drain} ms; recorded → sealed, the oldest event of each call: " +
                $"p50 {Report.Quantile(ages, 0.5):N0} ms, p99 {Report.Quantile(ages, 0.99):N0} ms, max {(ages.Count > 0 ? ages.Max() : 0):N0} ms; " +
                $"the seal at commit (Ledger path) {Rate(atCommit)} = {Report.MedianRate(atCommit) / Report.MedianRate(plain):P0}.");
        }
    }
}
