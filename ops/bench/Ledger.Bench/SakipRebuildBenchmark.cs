using System.Diagnostics;
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
using Ledger.EventStore;
using Ledger.LocalPostgres;
using Ledger.Projections;
using Ledger.ReadModels;

namespace Ledger.Bench;

/// <summary>
/// Issue 4: rebuild rate of the SAKIP projections (sakip-state, sakip-history, sakip-pk) over a generated event mix:
/// per agency a Renstra of 40 indicators; per agency-year PK murni + perubahan, APBD murni (31 lines) + perubahan,
/// 160 quarterly realizations, 40 corrections, ~195 spending entries. Agencies advance in step (chunks of 20 events
/// per append, interleaved), so a batch of 5 000 touches many agency-years, as a busy region's log would.
/// </summary>
internal static class SakipRebuildBenchmark
{
    private const int Indicators = 40, Years = 5, FirstYear = 2021, PerYear = 399, Chunk = 20;

    public static async Task<int> RunAsync(RebuildOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
        LocalPostgresCluster? cluster = null;
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log }, ct);
            await using var db = await BenchDatabase.CreateAsync(cluster, ct);
            await ProjectionSchema.MigrateAsync(db.Admin, ct);
            await ReadModelSchema.MigrateAsync(db.Admin, ct);
            await ProjectionSchema.GrantServiceRoleAsync(db.Admin, BenchDatabase.Role, ct);

            var agencies = Math.Max(1, o.Events / (43 + Years * PerYear));
            Log($"Appending the SAKIP mix for {agencies} agencies × {Years} years ...");
            var load = Stopwatch.StartNew();
            var total = await LoadAsync(db.Store, agencies, ct);
            Log($"Loaded {total:N0} events in {load.Elapsed.TotalSeconds:F1} s. VACUUM ANALYZE ...");
            await using (var cmd = db.Admin.CreateCommand("VACUUM ANALYZE eventstore.events")) await cmd.ExecuteNonQueryAsync(ct);

            var rebuilder = new ProjectionRebuilder(db.Service, o.BatchSize);
            var before = LoadAverage();
            var results = new List<(int Round, string Name, RebuildProgress Result)>();
            for (var round = 1; round <= o.Rounds; round++)
            {
                foreach (var p in Projections(o))
                {
                    var label = p is SakipStateProjection s && o.FlushEvery.Count > 0
                        ? $"{p.Name} ({(s.RebuildFlushEvery > 0 ? $"flush every {s.RebuildFlushEvery:N0}" : "batch by batch")})"
                        : p.Name;
                    var r = await rebuilder.RebuildAsync(p, null, ct);
                    results.Add((round, label, r));
                    Log($"Round {round} {label}: {r.Done:N0} events in {r.Elapsed.TotalSeconds:F2} s = {r.EventsPerSecond:N0} events/s");
                    if (p is SakipStateProjection state) Log($"Round {round} {label} phases: {state.Timings}");
                }
            }
            var rows = results.GroupBy(r => r.Name).Select(g =>
            {
                var rates = g.Select(x => x.Result.EventsPerSecond).Order().ToList();
                return $"| {g.Key} | {rates[rates.Count / 2]:N0} | {rates[0]:N0} | {rates[^1]:N0} |";
            });
            // One sakip-state variant per round counts towards "all three": the last --flush-every value (the service's
            // default comes last unless the caller says otherwise), as a rebuild of all projections would run it.
            var perRound = results.GroupBy(r => r.Round)
                .Select(g => total / g.GroupBy(x => x.Name.Split(' ')[0]).Sum(x => x.Last().Result.Elapsed.TotalSeconds)).Order().ToList();
            Console.WriteLine($"""

                ## Rebuild (issue 4): SAKIP read models

                {total:N0} events ({agencies} agencies × {Years} years), batches of {o.BatchSize:N0}, {o.Rounds} rounds, {Environment.ProcessorCount} cores, durable cluster, load average before/after {before} / {LoadAverage()}.

                | projection | median events/s | min | max |
                |---|---:|---:|---:|
                {string.Join("\n", rows)}
                | all three, one after another (log events / total time; sakip-state as in its last row) | {perRound[perRound.Count / 2]:N0} | {perRound[0]:N0} | {perRound[^1]:N0} |
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

    /// <summary>sakip-state once per --flush-every value (in that order), then the other two.</summary>
    private static IEnumerable<IProjection> Projections(RebuildOptions o)
    {
        if (o.FlushEvery.Count == 0)
        {
            foreach (var p in SakipProjections.Create()) yield return p;
            yield break;
        }
        foreach (var n in o.FlushEvery) yield return new SakipStateProjection { RebuildFlushEvery = n };
        foreach (var p in SakipProjections.Create().Where(p => p is not SakipStateProjection)) yield return p;
    }

    private static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static async Task<long> LoadAsync(PostgresEventStore store, int agencies, CancellationToken ct)
    {
        long total = 0;
        const int writers = 8;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = Enumerable.Range(0, agencies).Where(a => a % writers == w).Select(a => $"agency-{a:D4}").ToList();
            foreach (var a in mine)
            {
                await AppendAsync(store, $"agency-{a}", "agency", a, SetupAgency(a), ct);
                await AppendAsync(store, $"renstra-{a}-2021", "renstra", a, SetupRenstra(a), ct);
            }
            for (var y = FirstYear; y < FirstYear + Years; y++)
            {
                var year = y;
                var streams = mine.Select(a => (Agency: a, Events: YearEvents(a, year))).ToList();
                for (var offset = 0; offset < PerYear; offset += Chunk)
                    foreach (var (a, events) in streams)
                        await AppendAsync(store, $"year-{a}-{year}", "performance-year", a, events.Skip(offset).Take(Chunk).ToList(), ct);
            }
            Interlocked.Add(ref total, mine.Count * (43L + Years * PerYear));
        }, ct)));
        return total;
    }

    private static async Task AppendAsync(PostgresEventStore store, string stream, string type, string agency, IReadOnlyList<IDomainEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var data = events.Select(e => new EventData(Guid.NewGuid(), DomainEventTypes.NameOf(e), System.Text.Json.JsonSerializer.Serialize(e, e.GetType(), EventDecoding.Json))).ToList();
        await store.AppendAsync(new AppendRequest(new StreamName(stream), type, agency, ExpectedVersion.Any, data,
            new AppendMetadata { ActorJson = """{"name":"Perencana","nip":"198004122000031003","role":"staff"}""", Reason = "bench" }), ct);
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

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
