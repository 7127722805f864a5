using System.Diagnostics;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.Domain;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.LocalPostgres;
using Ledger.ReadModels;
using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.Bench;

internal sealed record RebuildOptions
{
    public int Events { get; init; } = 200_000;
    public int Rounds { get; init; } = 1;

    /// <summary>Events per daemon page (Marten's AsyncOptions.BatchSize of the three shards), one run per value and round.</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [SakipProjection.DefaultBatchSize];

    /// <summary>Also rebuild the three at once (three RebuildProjectionAsync calls in parallel), besides one after another.</summary>
    public bool Parallel { get; init; }

    /// <summary>Also time the loading alone, four ways (LoadDiagnostics), once per round and page size.</summary>
    public bool Diagnose { get; init; }

    /// <summary>
    /// Rebuild with each scenario once before the measured rounds, not counted: the process's first rebuild runs at
    /// about half speed (the runtime's warm-up), and it always fell on the first scenario of round 1.
    /// </summary>
    public bool Warmup { get; init; }

    /// <summary>Print each page's phases (apply, writes, parts, commit) as times from the rebuild's start.</summary>
    public bool Timeline { get; init; }

    /// <summary>The state part's limit on agencies kept in memory (SakipStateProjection.AgencyCapacity); none by default, as the service.</summary>
    public int AgencyCapacity { get; init; } = SakipStateProjection.Unbounded;

    /// <summary>Only the scenarios whose names contain one of these (case-insensitive); all when empty.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    public static RebuildOptions Parse(string[] args)
    {
        var o = new RebuildOptions();
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--events" => o with { Events = a.Int(1_000, 20_000_000) },
                "--batch-size" => o with { BatchSizes = a.Ints(1, 1_000_000) },
                "--rounds" => o with { Rounds = a.Int(1, 20) },
                "--parallel" => o with { Parallel = true },
                "--diagnose" => o with { Diagnose = true },
                "--timeline" => o with { Timeline = true },
                "--warmup" => o with { Warmup = true },
                "--agency-capacity" => o with { AgencyCapacity = a.Int(1, int.MaxValue) },
                // Words are separated by a comma not followed by a space (a scenario's name has ", " in it).
                "--only" => o with { Only = System.Text.RegularExpressions.Regex.Split(a.Value(), ",(?! )").Select(w => w.Trim()).Where(w => w.Length > 0).ToArray() },
                _ => throw a.Unknown(),
            };
        }
        return o;
    }
}

/// <summary>
/// Issue 4, on Marten: rebuild rate of the SAKIP projections (sakip-state, sakip-history, sakip-pk) run by Marten's
/// async daemon (RebuildProjectionAsync: teardown, then pages of --batch-size events, each written with the shard's
/// progression in one transaction), over a generated event mix appended through Marten as the service appends (as the
/// restricted service role, Quick appends, the audit layer's seal at every commit): per agency a Renstra of 40
/// indicators; per agency-year PK murni + perubahan, APBD murni (31 lines) + perubahan, 160 quarterly realizations, 40
/// corrections, ~195 spending entries. Agencies advance in step (chunks of 20 events per append, interleaved), so a page
/// touches many agency-years, as a busy region's log would.
/// </summary>
internal static class SakipRebuildBenchmark
{
    private const int Indicators = 40, Years = 5, FirstYear = 2021, PerYear = 399, Chunk = 20;

    /// <summary>Events of one agency in the generated mix (agency, Renstra, five years).</summary>
    internal const int EventsPerAgency = 43 + Years * PerYear;
    internal const string Database = "ledger_rebuild", Role = "ledger_rebuild_svc";

    public static async Task<int> RunAsync(RebuildOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
        LocalPostgresCluster? cluster = null;
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log }, ct);
            var service = await CreateDatabaseAsync(cluster, ct);
            IReadOnlyList<SakipProjection> projections = [];
            var noop = new MartenAlone();
            SakipCombinedProjection combined = null!;
            using var store = DocumentStore.For(opts =>
            {
                LedgerMarten.Configure(opts, service);
                combined = SakipReadModels.Register(opts, o.BatchSizes[0]);
                projections = SakipReadModels.RegisterSeparately(opts, o.BatchSizes[0]);
                opts.Projections.Add(noop, ProjectionLifecycle.Async);
            });
            var state = projections.OfType<SakipStateProjection>().Single();
            state.AgencyCapacity = combined.State.AgencyCapacity = o.AgencyCapacity;

            var agencies = Math.Max(1, o.Events / (43 + Years * PerYear));
            Log($"Appending the SAKIP mix for {agencies} agencies × {Years} years through Marten (8 writers, {Chunk} events per append) ...");
            var load = Stopwatch.StartNew();
            var total = await LoadAsync(store, agencies, ct);
            Log($"Loaded {total:N0} events in {load.Elapsed.TotalSeconds:F1} s ({total / load.Elapsed.TotalSeconds:N0} events/s). VACUUM ANALYZE ...");
            await using (var owner = NpgsqlDataSource.Create(cluster.SuperUserConnectionString(Database)))
            await using (var cmd = owner.CreateCommand("VACUUM ANALYZE ledger.mt_events, ledger.mt_streams")) await cmd.ExecuteNonQueryAsync(ct);

            using var daemon = await store.BuildProjectionDaemonAsync();
            var postmaster = BenchDatabase.PostmasterPid(cluster);
            var before = LoadAverage();
            var results = new List<(int Round, int BatchSize, string Name, RunCost Cost)>();
            var scenarios = new List<(string Name, Func<Task> Run)>
            {
                ("diagnostic: Marten alone (every event loaded, nothing written)", () => daemon.RebuildProjectionAsync(noop.Name, TimeSpan.FromMinutes(10), ct)),
                ("before: sakip-state, sakip-history, sakip-pk one after another, state rows page by page", () => SeparateAsync(false)),
                ("sakip-state, sakip-history, sakip-pk one after another, state rows written once", () => SeparateAsync(true)),
                ("sakip (one projection), state rows page by page", () => CombinedAsync(false)),
                ("sakip (one projection), state rows written once", () => CombinedAsync(true)),
                ("sakip (one projection), state rows written once, each page loaded after the one before committed (Marten's loop)", () => CombinedAsync(true, overlap: false)),
                ("sakip (one projection), state rows written once, next page loaded while one is written, through Marten's event loader", () => CombinedAsync(true, rows: false)),
            };
            if (o.Parallel)
                scenarios.Add(("sakip-state, sakip-history, sakip-pk at once, state rows written once", async () =>
                {
                    state.WriteRowsOnce = true;
                    await Task.WhenAll(projections.Select(p => daemon.RebuildProjectionAsync(p.Name, TimeSpan.FromMinutes(10), ct)));
                }));
            if (o.Only.Count > 0) scenarios.RemoveAll(x => !o.Only.Any(w => x.Name.Contains(w, StringComparison.OrdinalIgnoreCase)));
            Log($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {System.Runtime.GCSettings.LatencyMode}; gen0size {Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "default"}");
            if (!System.Runtime.GCSettings.IsServerGC)
                Log("NOTE: workstation GC. The service, which runs the rebuilds (admin endpoint, `projections rebuild`), runs server GC " +
                    "(System.GC.Server in Ledger.Api's runtimeconfig); set DOTNET_gcServer=1 to measure the rebuild as it runs there.");
            Log($"Managed heap before the rounds (after a full collection): {RetainedMegabytes():N0} MB; agencies kept in memory by the state part: " +
                (o.AgencyCapacity == SakipStateProjection.Unbounded ? "no limit (the service's default)" : $"at most {o.AgencyCapacity:N0}"));
            string? reference = null;
            if (o.Warmup)
            {
                foreach (var (name, run) in scenarios)
                {
                    var warm = Stopwatch.StartNew();
                    await run();
                    Log($"Warm-up (not counted): {name}: {total / warm.Elapsed.TotalSeconds:N0} events/s");
                }
            }
            for (var round = 1; round <= o.Rounds; round++)
            {
                foreach (var batchSize in o.BatchSizes)
                {
                    foreach (var p in projections.Append(combined)) p.BatchSize = batchSize;
                    noop.Options.BatchSize = batchSize;
                    noop.Options.MaximumHopperSize = 2 * batchSize;
                    if (o.Diagnose)
                    {
                        foreach (var (name, cost, events) in await LoadDiagnostics.RunAsync(store, service, postmaster, batchSize, ct))
                        {
                            results.Add((round, batchSize, "load: " + name, cost));
                            Log($"Round {round}, pages of {batchSize:N0}: load: {name}: {events:N0} events, {events / cost.Wall.TotalSeconds:N0} events/s; {cost}");
                        }
                    }
                    // Alternate: each round starts one scenario later (A B C D, B C D A, ...).
                    for (var k = 0; k < scenarios.Count; k++)
                    {
                        var (name, run) = scenarios[(k + round - 1) % scenarios.Count];
                        var phases = projections.Append(combined).Concat(combined.Parts).ToDictionary(p => p, p => p.Timings.Snapshot());
                        var statePhases = (Separate: state.StatePhases.ToString(), Combined: combined.State.StatePhases.ToString());
                        foreach (var p in projections.Append(combined).Concat(combined.Parts)) { p.Timings.Timeline = o.Timeline; p.Timings.Marks(); }
                        var meter = CostMeter.Start(postmaster);
                        var started = Stopwatch.GetTimestamp();
                        await run();
                        var cost = meter.Stop();
                        results.Add((round, batchSize, name, cost));
                        Log($"Round {round}, pages of {batchSize:N0}: {name}: {total / cost.Wall.TotalSeconds:N0} events/s; {cost}");
                        if (o.Timeline)
                            foreach (var (p, what, at) in projections.Append(combined).Concat(combined.Parts)
                                         .SelectMany(p => p.Timings.Marks().Select(m => (p, m.What, m.At))).OrderBy(m => m.At))
                                Log($"  t+{Stopwatch.GetElapsedTime(started, at).TotalSeconds:F3} s {(combined.Parts.Contains(p) ? "sakip/" : "")}{p.Name}: {what}");
                        foreach (var (p, earlier) in phases)
                            if (p.Timings.Snapshot() - earlier is var d && (d.Pages > 0 || d.Write > TimeSpan.Zero))
                                Log($"  {(combined.Parts.Contains(p) ? "sakip's part " : "")}{p.Name}: {d}");
                        if (state.StatePhases.ToString() != statePhases.Separate) Log($"  sakip-state phases (cumulative; before: {statePhases.Separate}): {state.StatePhases}");
                        if (combined.State.StatePhases.ToString() != statePhases.Combined) Log($"  sakip's state phases (cumulative; before: {statePhases.Combined}): {combined.State.StatePhases}");
                        // What the projections keep between pages (the state part's folded agencies): the heap after a full collection.
                        Log($"  managed heap after the rebuild (full collection): {RetainedMegabytes():N0} MB; state part's agencies in memory: {combined.State.AgenciesInMemory:N0} (sakip), {state.AgenciesInMemory:N0} (sakip-state); " +
                            $"dropped so far {combined.State.AgenciesDropped + state.AgenciesDropped:N0}, re-folded from the log {combined.State.AgenciesLoaded + state.AgenciesLoaded:N0}");
                        if (name.StartsWith("diagnostic", StringComparison.Ordinal)) continue;
                        var tables = await CheckAsync(cluster, total, ct);
                        reference ??= tables;
                        if (tables != reference) throw new InvalidOperationException($"{name}: the tables differ from the first run's: {tables} vs {reference}");
                    }
                }
            }

            static double RetainedMegabytes()
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                return GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
            }

            async Task SeparateAsync(bool once)
            {
                state.WriteRowsOnce = once;
                foreach (var p in projections) await daemon.RebuildProjectionAsync(p.Name, TimeSpan.FromMinutes(10), ct);
            }

            async Task CombinedAsync(bool once, bool overlap = true, bool rows = true)
            {
                combined.State.WriteRowsOnce = once;
                combined.OverlapReplayLoads = overlap;
                combined.ReplayReadsRows = rows;
                try
                {
                    await daemon.RebuildProjectionAsync(combined.Name, TimeSpan.FromMinutes(10), ct);
                }
                finally
                {
                    combined.OverlapReplayLoads = true;
                    combined.ReplayReadsRows = true;
                }
            }
            var rows = results.GroupBy(r => (r.BatchSize, r.Name)).Select(g =>
            {
                var rates = g.Select(x => total / x.Cost.Wall.TotalSeconds).ToList();
                var sorted = rates.Order().ToList();
                var others = g.Select(x => x.Cost.OthersShare).Order().ToList();
                return $"| {g.Key.Name} | {g.Key.BatchSize:N0} | {string.Join(" / ", rates.Select(r => r.ToString("N0")))} | {sorted[sorted.Count / 2]:N0} | " +
                       $"{g.Average(x => x.Cost.ClientCpu.TotalSeconds):F2} | {g.Average(x => x.Cost.ServerCpu.TotalSeconds):F2} | {g.Average(x => x.Cost.GcPause.TotalSeconds):F2} | {others[0]:P0}–{others[^1]:P0} |";
            });
            Console.WriteLine($"""

                ## Rebuild (issue 4): SAKIP read models on Marten's async daemon

                {total:N0} events ({agencies} agencies × {Years} years), {o.Rounds} round(s), {Environment.ProcessorCount} cores, durable cluster, load average before/after {before} / {LoadAverage()}.
                Rates are log events / wall time of RebuildProjectionAsync (teardown included), per round in run order.

                | run | page (events) | events/s per round | median | client CPU s (mean) | server CPU s | GC pause s | other processes' share of the machine |
                |---|---:|---|---:|---:|---:|---:|---:|
                {string.Join("\n", rows)}
                """);
            return 0;
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

    /// <summary>A database as the owner sets it up (Marten's schema for this configuration, the audit layer, the read
    /// models' migrations, the grants) and the service role's connection string (what Marten runs as).</summary>
    internal static async Task<string> CreateDatabaseAsync(LocalPostgresCluster cluster, CancellationToken ct)
    {
        await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
        await using (var cmd = root.CreateCommand($"CREATE DATABASE {Database}"))
            await cmd.ExecuteNonQueryAsync(ct);
        var ownerCs = cluster.SuperUserConnectionString(Database);
        await LedgerSchema.MigrateAsync(ownerCs, o => SakipReadModels.Register(o), ct);
        await using var owner = NpgsqlDataSource.Create(ownerCs);
        await ReadModelSchema.MigrateAsync(owner, ct);
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await using (var cmd = owner.CreateCommand($"CREATE ROLE {Role} LOGIN PASSWORD '{password}'")) await cmd.ExecuteNonQueryAsync(ct);
        await LedgerSchema.GrantServiceRoleAsync(owner, Role, ct);
        await ReadModelSchema.GrantServiceRoleAsync(owner, Role, ct);
        return LedgerMarten.ForLedger(new NpgsqlConnectionStringBuilder(ownerCs) { Username = Role, Password = password, MaxPoolSize = 100 }.ConnectionString);
    }

    /// <summary>
    /// A check after each run: rows in every table, and a digest of every table (the runs must leave the same rows,
    /// whichever layout wrote them).
    /// </summary>
    private static async Task<string> CheckAsync(LocalPostgresCluster cluster, long total, CancellationToken ct)
    {
        await using var owner = NpgsqlDataSource.Create(cluster.SuperUserConnectionString(Database));
        string[] tables = ["indicator_state", "lkjip_rows", "budget_lines", "performance_years", "indicator_history", "pk_versions"];
        var counts = new List<long>();
        var digests = new List<string>();
        foreach (var t in tables)
        {
            await using var cmd = owner.CreateCommand($"SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM readmodel.{t} x");
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            counts.Add(r.GetInt64(0));
            digests.Add(r.GetString(1)[..8]);
        }
        Log($"  rows: {string.Join(" / ", counts.Select(c => c.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} (state, lkjip, budget, years, history, pk) for {total:N0} events; md5 {string.Join(" ", digests)}");
        if (counts.Any(c => c == 0)) throw new InvalidOperationException("A readmodel table is empty after the rebuild.");
        return string.Join(" ", digests);
    }

    internal static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    internal static async Task<long> LoadAsync(DocumentStore store, int agencies, CancellationToken ct)
    {
        long total = 0;
        const int writers = 8;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = Enumerable.Range(0, agencies).Where(a => a % writers == w).Select(a => $"agency-{a:D4}").ToList();
            foreach (var a in mine)
            {
                await AppendAsync(store, $"agency-{a}", a, SetupAgency(a), ct);
                await AppendAsync(store, $"renstra-{a}-2021", a, SetupRenstra(a), ct);
            }
            for (var y = FirstYear; y < FirstYear + Years; y++)
            {
                var year = y;
                var streams = mine.Select(a => (Agency: a, Events: YearEvents(a, year))).ToList();
                for (var offset = 0; offset < PerYear; offset += Chunk)
                    foreach (var (a, events) in streams)
                        await AppendAsync(store, $"year-{a}-{year}", a, events.Skip(offset).Take(Chunk).ToList(), ct);
            }
            Interlocked.Add(ref total, mine.Count * (43L + Years * PerYear));
        }, ct)));
        return total;
    }

    internal static async Task AppendAsync(DocumentStore store, string stream, string agency, IReadOnlyList<IDomainEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        await using var session = store.LightweightSession();
        session.SetHeader(EventHeaders.Actor, new Dictionary<string, string> { ["name"] = "Perencana", ["nip"] = "198004122000031003", ["role"] = "staff" });
        session.SetHeader(EventHeaders.Reason, "bench");
        session.SetHeader(EventHeaders.Agency, agency);
        session.Events.Append(stream, events.Cast<object>().ToArray());
        await session.SaveChangesAsync(ct);
    }

    private static string Code(int i) => $"IK{i:D2}";

    private static List<IDomainEvent> SetupAgency(string a) =>
    [
        new AgencyRegistered(a, "Badan " + a),
        new RatingScaleSet("Permendagri 86/2017", 2021,
        [
            new RatingBandData("Sangat Tinggi", 90, false, null, false), new RatingBandData("Tinggi", 75, false, 90, true),
            new RatingBandData("Sedang", 65, false, 75, true), new RatingBandData("Rendah", 50, false, 65, true),
            new RatingBandData("Sangat Rendah", null, false, 50, true),
        ]),
    ];

    private static List<IDomainEvent> SetupRenstra(string a) =>
    [
        new RenstraCreated(a, 2021, 2026, "Renstra " + a, null, null),
        .. Enumerable.Range(0, Indicators).Select(i => (IDomainEvent)new IndicatorAdded(Code(i), "Indikator " + i, "sasaran", "IKU", null, "%",
            "higher", "inverse-2t", "sum", 50, 2020, Enumerable.Range(2021, 6).Select(y => new YearTarget(y, 60 + i % 10 + (y - 2021) * 2)).ToList(), 80)),
    ];

    private static List<IDomainEvent> YearEvents(string a, int year)
    {
        var rnd = new Random(HashCode.Combine(a.GetHashCode(StringComparison.Ordinal), year));
        var signer = new Signer("Kepala " + a, "19800412 200003 1 003", "Kepala Badan");
        var targets = Enumerable.Range(0, Indicators).Select(i => new PkTargetSigned(Code(i), 60 + i % 10, 60 + i % 10)).ToList();
        var lines = new List<BudgetLineEnacted>();
        for (var p = 0; p < 6; p++)
        {
            lines.Add(new BudgetLineEnacted($"P{p}", "Program " + p, null, 5_000_000_000m));
            for (var k = 0; k < 4; k++) lines.Add(new BudgetLineEnacted($"P{p}.{k}", "Kegiatan " + k, $"P{p}", 1_250_000_000m));
        }
        lines.Add(new BudgetLineEnacted("P9", "Program 9", null, 1_000_000_000m));
        var events = new List<IDomainEvent>
        {
            new BudgetEnacted(lines, [], lines.Where(l => l.Parent is null).Sum(l => l.Pagu)),
            new PkSigned(0, new DateOnly(year, 1, 31), signer, 2021, targets),
        };
        var realizations = new List<IDomainEvent>();
        foreach (var q in new[] { "Q1", "Q2", "Q3", "Q4" })
            for (var i = 0; i < Indicators; i++) realizations.Add(new Domain.PerformanceYears.RecordingRealization.RealizationRecorded(Code(i), q, 10 + rnd.Next(0, 2000) / 100m, null, null, null, null, null));
        var spending = Enumerable.Range(0, PerYear - 4 - 160 - 40).Select(n =>
        {
            var line = $"P{n % 6}.{n / 6 % 4}";
            return (IDomainEvent)new SpendingRecorded(line, 1_000_000m + rnd.Next(0, 1000) * 1000m, "Q" + (1 + n % 4), 0, 1_250_000_000m, false);
        }).ToList();
        // Interleave realizations and spending over the year, with PK and APBD perubahan mid-year and corrections late.
        for (var n = 0; n < Math.Max(realizations.Count, spending.Count); n++)
        {
            if (n < realizations.Count) events.Add(realizations[n]);
            if (n < spending.Count) events.Add(spending[n]);
            if (n == 80)
            {
                var changed = targets.Take(5).Select(t => new PkTargetChanged(t.Indicator, t.Target, t.Target + 3)).ToList();
                events.Add(new PkRevised(1, "Perubahan anggaran", "budget-change", new DateOnly(year, 10, 2), signer,
                    targets.Select(t => changed.Find(c => c.Indicator == t.Indicator) is { } c ? t with { Target = c.After } : t).ToList(), changed));
                events.Add(new BudgetRevised(1, "APBD perubahan", [new BudgetLineRevised("P0.0", "Kegiatan 0", "P0", 1_250_000_000m, 1_300_000_000m),
                    new BudgetLineRevised("P0", "Program 0", null, 5_000_000_000m, 5_050_000_000m)], 31_000_000_000m, 31_050_000_000m));
            }
        }
        for (var i = 0; i < 40; i++)
            events.Add(new RealizationCorrected(Code(i), "Q4", 0, 15 + i % 7, "Koreksi data", false));
        return events;
    }

    /// <summary>Diagnostic: a projection that loads every event through the daemon and writes nothing (Marten's own cost).</summary>
    private sealed class MartenAlone : ProjectionBase, Marten.Events.Projections.IProjection
    {
        private long _events;
        public MartenAlone() => Name = "bench-marten-alone";
        public long Events => Interlocked.Read(ref _events);

        public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<JasperFx.Events.IEvent> events, CancellationToken cancellation)
        {
            Interlocked.Add(ref _events, events.Count);
            return Task.CompletedTask;
        }
    }

    internal static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
