using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using DomainRealizationRecorded = Ledger.Domain.PerformanceYears.RecordingRealization.RealizationRecorded;
using Ledger.Domain.PerformanceYears.SigningPk;
using JasperFx.Events;
using Ledger.LocalPostgres;
using Ledger.Storage;

namespace Ledger.Bench;

internal sealed record AsOfOptions
{
    public int Events { get; init; } = 10_000;
    public int Reads { get; init; } = 500;
    public int SnapshotEvery { get; init; } = 250;
    public string? Markdown { get; init; }

    public static AsOfOptions Parse(string[] args)
    {
        var o = new AsOfOptions();
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--events" => o with { Events = a.Int(100, 1_000_000) },
                "--reads" => o with { Reads = a.Int(10, 100_000) },
                "--snapshot-every" => o with { SnapshotEvery = a.Int(10, 100_000) },
                "--markdown" => o with { Markdown = a.Value() },
                _ => throw a.Unknown(),
            };
        }
        return o;
    }
}

/// <summary>
/// Issue 4: as-of reads of one long year stream (one indicator: realizations and corrections), at random recorded
/// instants, through the API's <see cref="ReadLoader"/>: with stream snapshots and with a full replay, side by side on the
/// same instants in the same run (alternating which goes first). Every pair of answers is compared.
/// </summary>
internal static class AsOfBenchmark
{
    private const string Heading = "## As-of reads (issue 4)";

    public static async Task<int> RunAsync(AsOfOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
        LocalPostgresCluster? cluster = null;
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log }, ct);
            var password = await MartenDatabase.CreateRoleAsync(cluster, ct);
            await using var db = await MartenDatabase.CreateAsync(cluster, "ledger_asof", MartenSetup.LedgerPath, password, ct);
            var store = new StreamLoader(db.Store, db.Service);

            const string agency = "bkpsdm-bench", indicator = "I1";
            const int year = 2023;
            Log($"Appending {o.Events:N0} events to {PerformanceYear.StreamName(agency, year)} (5 per append) ...");
            var load = Stopwatch.StartNew();
            var events = await LoadAsync(db.Store, store, agency, year, indicator, o.Events, ct);
            Log($"Loaded in {load.Elapsed.TotalSeconds:F1} s. VACUUM ANALYZE ...");
            await using (var cmd = db.Owner.CreateCommand("VACUUM ANALYZE ledger.mt_events")) await cmd.ExecuteNonQueryAsync(ct);

            var full = new ReadLoader(store);
            var snapshots = new StreamSnapshots(db.Service, StreamSnapshots.NewKey());
            var withSnapshots = new ReadLoader(store, snapshots, new ReadLoaderOptions { SnapshotEvery = o.SnapshotEvery });

            // The first read replays the whole stream and leaves the snapshots behind (lazy, on read).
            var first = Stopwatch.StartNew();
            await withSnapshots.YearAsync(agency, year, null, ct);
            var firstMs = first.Elapsed.TotalMilliseconds;
            Log($"First read (full replay + {o.Events / o.SnapshotEvery} snapshots saved): {firstMs:F1} ms");

            // Warm-up (JIT, plans, pool), not measured.
            var rng = new Random(42);
            for (var i = 0; i < 20; i++)
            {
                var at = events[rng.Next(events.Count)].Timestamp;
                await full.YearAsync(agency, year, at, ct);
                await withSnapshots.YearAsync(agency, year, at, ct);
            }

            var snapMs = new List<double>(o.Reads);
            var fullMs = new List<double>(o.Reads);
            var mismatches = 0;
            var instants = Enumerable.Range(0, o.Reads).Select(_ => events[rng.Next(events.Count)].Timestamp).ToList();
            for (var i = 0; i < o.Reads; i++)
            {
                var at = instants[i];
                Loaded<PerformanceYearState> a, b;
                if (i % 2 == 0)
                {
                    (a, var ta) = await Time(() => withSnapshots.YearAsync(agency, year, at, ct));
                    (b, var tb) = await Time(() => full.YearAsync(agency, year, at, ct));
                    snapMs.Add(ta); fullMs.Add(tb);
                }
                else
                {
                    (b, var tb) = await Time(() => full.YearAsync(agency, year, at, ct));
                    (a, var ta) = await Time(() => withSnapshots.YearAsync(agency, year, at, ct));
                    snapMs.Add(ta); fullMs.Add(tb);
                }
                if (a.Version != b.Version || Json(a.State) != Json(b.State)) mismatches++;
            }

            // The same instants again with snapshots only: the full replays above allocate heavily, and their garbage
            // collections land on the snapshot reads too. This pass shows the snapshot read without that neighbour.
            GC.Collect();
            var aloneMs = new List<double>(o.Reads);
            foreach (var at in instants) aloneMs.Add((await Time(() => withSnapshots.YearAsync(agency, year, at, ct))).Ms);

            // Where a snapshot read's time and allocations go: the same steps as ReadLoader, timed one by one.
            var phases = await PhasesAsync(store, snapshots, agency, year, instants, o.SnapshotEvery, ct);
            var allocSnap = await AllocatedPerReadAsync(i => withSnapshots.YearAsync(agency, year, instants[i % instants.Count], ct), instants.Count / 5);
            var allocFull = await AllocatedPerReadAsync(i => full.YearAsync(agency, year, instants[i % instants.Count], ct), 20);

            var history = await HistoryAsync(db.Store, store, new StreamLoader(db.Store, db.Service, new StreamEventCache(StreamEventCache.DefaultCapacity)),
                agency, year, (int)events[^1].Version, Math.Max(10, o.Reads / 5), ct);
            mismatches += history.Mismatches;

            var section = Section(o, firstMs, snapMs, fullMs, aloneMs, mismatches, phases, allocSnap, allocFull) + history.Line;
            Console.WriteLine();
            Console.WriteLine(section);
            if (o.Markdown is { } path) WriteSection(path, section);
            return mismatches == 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Log("Cancelled.");
            return 130;
        }
        finally
        {
            cluster?.Stop();
        }
    }

    /// <summary>
    /// Issue 13: an indicator's history reads its year stream's events that may concern it (<see cref="Ledger.Api.Features.Audit.AuditLoader.YearsForIndicatorAsync"/>)
    /// at the head, after every append of one more correction: through a loader that keeps the events it read
    /// (<see cref="StreamEventCache"/>, as the service's) and through one that does not (the store's filtered query every
    /// time), alternating which goes first, for an indicator every event concerns (I1) and one none of the realizations
    /// concern (I9). The answers are compared.
    /// </summary>
    private static async Task<(string Line, int Mismatches)> HistoryAsync(Marten.IDocumentStore marten, StreamLoader plain, StreamLoader keeping,
        string agency, int year, int version, int rounds, CancellationToken ct)
    {
        var (without, with) = (new Ledger.Api.Features.Audit.AuditLoader(plain), new Ledger.Api.Features.Audit.AuditLoader(keeping));
        var first = Stopwatch.StartNew();
        await with.YearsForIndicatorAsync(agency, [year], "I1", null, ct);
        var firstMs = first.Elapsed.TotalMilliseconds;
        var times = new Dictionary<(string Code, bool Kept), List<double>>();
        var mismatches = 0;
        var stream = PerformanceYear.StreamName(agency, year);
        for (var round = 0; round < rounds; round++)
        {
            await using (var session = marten.LightweightSession())
            {
                session.SetHeader(EventHeaders.Actor, new { name = "Bench", role = "staff" });
                session.SetHeader(EventHeaders.Reason, "bench");
                session.SetHeader(EventHeaders.Agency, agency);
                session.Events.Append(stream, ++version, new RealizationCorrected("I1", "Y", round, round + 1, "koreksi", false));
                await session.SaveChangesAsync(ct);
            }
            foreach (var code in new[] { "I1", "I9" })
            {
                var order = round % 2 == 0 ? new[] { true, false } : [false, true];
                var answers = new Dictionary<bool, Guid[]>();
                foreach (var kept in order)
                {
                    var (read, ms) = await Time(() => (kept ? with : without).YearsForIndicatorAsync(agency, [year], code, null, ct));
                    answers[kept] = [.. read.Select(e => e.Id)];
                    (times.TryGetValue((code, kept), out var list) ? list : times[(code, kept)] = []).Add(ms);
                }
                if (!answers[true].SequenceEqual(answers[false])) mismatches++;
            }
        }
        var inv = CultureInfo.InvariantCulture;
        string Of(string code, bool kept) => string.Create(inv, $"{Report.Quantile(times[(code, kept)], 0.5):F2} / {Report.Quantile(times[(code, kept)], 0.99):F2}");
        return (string.Create(inv,
            $"- History's year events at the head (issue 13, `AuditLoader.YearsForIndicatorAsync`), {rounds} rounds each after one more correction appended ({version:N0} events at the end), median / p99 ms: " +
            $"indicator I1 (every event concerns it) {Of("I1", true)} keeping the events read (`StreamEventCache`) against {Of("I1", false)} with the store's filtered query; " +
            $"I9 (no realization concerns it) {Of("I9", true)} against {Of("I9", false)}; the kept loader's first read (the whole stream) {firstMs:F1} ms; answers compared: {mismatches} mismatches.\n"), mismatches);
    }

    /// <summary>Median ms of each step of a snapshot read over the instants, and the events replayed after the snapshot.</summary>
    private static async Task<string> PhasesAsync(StreamLoader store, StreamSnapshots snapshots, string agency, int year,
        IReadOnlyList<DateTimeOffset> instants, int every, CancellationToken ct)
    {
        var stream = PerformanceYear.StreamName(agency, year);
        var lookup = new List<double>(); var restore = new List<double>(); var read = new List<double>(); var fold = new List<double>();
        var folded = new List<double>(); var jsonChars = new List<double>();
        foreach (var at in instants)
        {
            var sw = Stopwatch.StartNew();
            // As ReadLoader: the snapshot and the chain hash it is checked against, in one query.
            var snap = (await snapshots.LatestWithChainHashAsync(stream, ReadLoader.YearCodec.StateType, at, ct))?.Snapshot;
            lookup.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            var state = snap is null ? PerformanceYearState.Initial(agency, year) : ReadLoader.YearCodec.TryDeserialize(snap.Json)!;
            restore.Add(sw.Elapsed.TotalMilliseconds);
            jsonChars.Add(snap?.Json.Length ?? 0);
            sw.Restart();
            // As ReadLoader: one snapshot interval by version range, then the rest if the range was all recorded by then.
            var events = await store.ReadAsync(stream, new StreamBound { AsOf = at, FromVersion = snap?.Version + 1, UpToVersion = snap?.Version + every }, ct);
            if (snap is not null && events.Count > 0 && events[^1].Version == snap.Version + every)
                events = [.. events, .. await store.ReadAsync(stream, new StreamBound { AsOf = at, FromVersion = snap.Version + every + 1 }, ct)];
            read.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            foreach (var e in events) state = PerformanceYear.Evolve(state, DomainCommands.Decode(e));
            fold.Add(sw.Elapsed.TotalMilliseconds);
            folded.Add(events.Count);
        }
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $"snapshot lookup {Report.Quantile(lookup, 0.5):F2} / {Report.Quantile(lookup, 0.99):F2}, " +
            $"state JSON → state {Report.Quantile(restore, 0.5):F2} / {Report.Quantile(restore, 0.99):F2} (JSON {Report.Quantile(jsonChars, 0.5):N0} chars), " +
            $"read events after it {Report.Quantile(read, 0.5):F2} / {Report.Quantile(read, 0.99):F2} ({Report.Quantile(folded, 0.5):N0} events median), " +
            $"decode + evolve {Report.Quantile(fold, 0.5):F2} / {Report.Quantile(fold, 0.99):F2}");
    }

    /// <summary>Bytes allocated per read (all threads) and gen0/gen1/gen2 collections over <paramref name="reads"/> reads.</summary>
    private static async Task<string> AllocatedPerReadAsync<T>(Func<int, Task<T>> read, int reads)
    {
        GC.Collect();
        var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < reads; i++) await read(i);
        var bytes = (GC.GetTotalAllocatedBytes(precise: true) - before) / reads;
        return string.Create(CultureInfo.InvariantCulture,
            $"{bytes / 1024.0:N0} KiB allocated per read; collections over {reads} reads: gen0 {GC.CollectionCount(0) - g0}, gen1 {GC.CollectionCount(1) - g1}, gen2 {GC.CollectionCount(2) - g2}");
    }

    private static async Task<(T Result, double Ms)> Time<T>(Func<Task<T>> read)
    {
        var sw = Stopwatch.StartNew();
        var result = await read();
        return (result, sw.Elapsed.TotalMilliseconds);
    }

    private static string Json(PerformanceYearState s) => JsonSerializer.Serialize(s, DomainCommands.Json);

    /// <summary>A PK, then realizations of the seven periods and corrections to them, 5 events per append (so instants differ).</summary>
    private static async Task<IReadOnlyList<IEvent>> LoadAsync(
        Marten.IDocumentStore marten, StreamLoader store, string agency, int year, string indicator, int count, CancellationToken ct)
    {
        var rng = new Random(7);
        var periods = new[] { "Q1", "Q2", "Q3", "Q4", "S1", "S2", "Y" };
        var values = new Dictionary<string, decimal>();
        var all = new List<IDomainEvent>
        {
            new PkSigned(0, new DateOnly(year, 1, 2), new Signer("Kepala", "19800412 200003 1 003", "Kepala Badan"), 2021,
                [new PkTargetSigned(indicator, 90.50m, 90m)]),
        };
        while (all.Count < count)
        {
            var period = periods[rng.Next(periods.Length)];
            var value = Math.Round((decimal)rng.NextDouble() * 100m, rng.Next(0, 4));
            if (!values.TryGetValue(period, out var before))
                all.Add(new DomainRealizationRecorded(indicator, period, value, null, null, "bukti", null, null));
            else if (before != value)
                all.Add(new RealizationCorrected(indicator, period, before, value, "koreksi", false));
            else continue;
            values[period] = value;
        }
        var stream = PerformanceYear.StreamName(agency, year);
        long version = 0;
        foreach (var chunk in all.Chunk(5))
        {
            await using var session = marten.LightweightSession();
            session.SetHeader(EventHeaders.Actor, new { name = "Bench", role = "staff" });
            session.SetHeader(EventHeaders.Reason, "bench");
            session.SetHeader(EventHeaders.Agency, agency);
            version += chunk.Length;
            session.Events.Append(stream, version, chunk.Cast<object>().ToArray());
            await session.SaveChangesAsync(ct);
        }
        return await store.ReadAsync(stream, ct: ct);
    }

    private static string Section(AsOfOptions o, double firstMs, List<double> snap, List<double> full, List<double> alone, int mismatches,
        string phases, string allocSnap, string allocFull)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(Heading);
        sb.AppendLine();
        sb.AppendLine(inv, $"`dotnet run -c Release --project ops/bench/Ledger.Bench -- asof --events {o.Events} --reads {o.Reads} --snapshot-every {o.SnapshotEvery}`, run {DateTimeOffset.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, durable private cluster on this machine.");
        sb.AppendLine();
        sb.AppendLine(inv, $"One year stream of {o.Events:N0} events (one PK, then realizations and corrections of one indicator over seven periods, 5 events per append). {o.Reads} as-of reads at random recorded instants through the API's `ReadLoader.YearAsync` (read + deserialise + fold), each instant read both ways, alternating which goes first; latency measured in-process (no HTTP).");
        sb.AppendLine();
        sb.AppendLine("| read | median ms | p99 ms | max ms |");
        sb.AppendLine("|---|---:|---:|---:|");
        sb.AppendLine(inv, $"| with stream snapshots (every {o.SnapshotEvery}) | {Report.Quantile(snap, 0.5):F2} | {Report.Quantile(snap, 0.99):F2} | {snap.Max():F2} |");
        sb.AppendLine(inv, $"| full replay (no snapshots) | {Report.Quantile(full, 0.5):F2} | {Report.Quantile(full, 0.99):F2} | {full.Max():F2} |");
        sb.AppendLine(inv, $"| with stream snapshots, alone (same instants, no full replays in between) | {Report.Quantile(alone, 0.5):F2} | {Report.Quantile(alone, 0.99):F2} | {alone.Max():F2} |");
        sb.AppendLine();
        sb.AppendLine(inv, $"- First read of the stream (full replay that also saves the {o.Events / o.SnapshotEvery} snapshots): {firstMs:F1} ms.");
        sb.AppendLine(inv, $"- Answers compared on every instant: {mismatches} mismatches.");
        sb.AppendLine(inv, $"- Steps of a snapshot read, median / p99 ms over the same instants: {phases}.");
        sb.AppendLine(inv, $"- Allocations, the first instants again: with snapshots {allocSnap}; full replay {allocFull}.");
        sb.AppendLine(inv, $"- Server GC: {System.Runtime.GCSettings.IsServerGC}, concurrent: {AppContext.GetData("System.GC.Concurrent") ?? "default"}; load average {LoadAverage()}.");
        sb.AppendLine(inv, $"- Goal (issue 4): under 10 ms. With snapshots, side by side: median {(Report.Quantile(snap, 0.5) < 10 ? "meets" : "misses")} it, p99 {(Report.Quantile(snap, 0.99) < 10 ? "meets" : "misses")} it; alone: median {(Report.Quantile(alone, 0.5) < 10 ? "meets" : "misses")}, p99 {(Report.Quantile(alone, 0.99) < 10 ? "meets" : "misses")}.");
        return sb.ToString();
    }

    private static void WriteSection(string path, string section)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path).ToList() : [];
        var start = lines.FindIndex(l => l.TrimEnd() == Heading);
        if (start < 0)
        {
            File.WriteAllText(path, string.Join("\n", lines).TrimEnd() + "\n\n" + section);
            return;
        }
        var end = lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var after = end < 0 ? "" : "\n" + string.Join("\n", lines.Skip(end)) + "\n";
        File.WriteAllText(path, string.Join("\n", lines.Take(start)) + "\n" + section + after);
    }

    private static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
