using System.Diagnostics;
using Ledger.Api.Features.Audit;
using Ledger.Api.Features.Reads;
using Ledger.Api.Features.Snapshots;
using Ledger.Audit;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.LocalPostgres;
using Ledger.ReadModels;
using Ledger.Storage;
using Marten;
using Npgsql;
using static Ledger.Bench.SakipRebuildBenchmark;

namespace Ledger.Bench;

internal sealed record VerifyOptions
{
    public int Events { get; init; } = 200_000;
    public int Rounds { get; init; } = 3;
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>Agencies the state part's recompute folds at a time (SakipStateProjection.RecomputeAgencies; the service's default unless given).</summary>
    public int RecomputeAgencies { get; init; } = SakipStateProjection.DefaultRecomputeAgencies;

    public static VerifyOptions Parse(string[] args)
    {
        var o = new VerifyOptions();
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--events" => o with { Events = a.Int(1_000, 20_000_000) },
                "--rounds" => o with { Rounds = a.Int(1, 20) },
                "--snapshot-every" => o with { SnapshotEvery = a.Int(10, 100_000) },
                "--recompute-agencies" => o with { RecomputeAgencies = a.Int(1, int.MaxValue) },
                _ => throw a.Unknown(),
            };
        }
        return o;
    }
}

/// <summary>
/// Issue 11: the cost of verification over derived state (GET /api/audit/verify, the verify verb), on the generated SAKIP
/// mix of rebuild-readmodels (appended through Marten as the service role), with the read models caught up by the daemon
/// and a stream snapshot every --snapshot-every events of every year stream (written by the API's ReadLoader under a
/// key). Times, as the service role: the chain walk (ChainVerifier), the snapshot check (StreamSnapshotVerifier) and the
/// read-model check (ReadModelVerifier: recompute into temporary tables, compare) with its per-projection split. Then,
/// while the read-model check runs, a writer appends one realization correction at a time and the daemon projects them: the
/// appends' latency and the daemon's progress during the check, against the same writer without a check running.
/// </summary>
internal static class VerifyBenchmark
{
    public static async Task<int> RunAsync(VerifyOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
        LocalPostgresCluster? cluster = null;
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log }, ct);
            var service = await CreateDatabaseAsync(cluster, ct);
            await using var serviceDs = NpgsqlDataSource.Create(service);
            using var store = DocumentStore.For(opts =>
            {
                LedgerMarten.Configure(opts, service);
                SakipReadModels.Register(opts).State.RecomputeAgencies = o.RecomputeAgencies;
                opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
            });

            var agencies = Math.Max(1, o.Events / EventsPerAgency);
            Log($"Appending the SAKIP mix for {agencies} agencies through Marten ...");
            var total = await LoadAsync(store, agencies, ct);
            await using (var owner = NpgsqlDataSource.Create(cluster.SuperUserConnectionString(Database)))
            await using (var cmd = owner.CreateCommand("VACUUM ANALYZE ledger.mt_events, ledger.mt_streams, ledger_audit.event_hashes")) await cmd.ExecuteNonQueryAsync(ct);

            Log("Running the daemon until every shard is at the head ...");
            using var daemon = await store.BuildProjectionDaemonAsync();
            await daemon.StartAllAsync();
            await WaitForHeadAsync(serviceDs, ct);

            Log($"Writing stream snapshots every {o.SnapshotEvery} events of every year stream ...");
            var snapshots = new StreamSnapshots(serviceDs, StreamSnapshots.NewKey());
            var streams = new StreamLoader(store, serviceDs);
            var reader = new ReadLoader(streams, snapshots, new ReadLoaderOptions { SnapshotEvery = o.SnapshotEvery });
            var years = new List<(string Agency, int Year)>();
            await using (var cmd = serviceDs.CreateCommand("SELECT id FROM ledger.mt_streams WHERE id LIKE 'year-%' ORDER BY id"))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                {
                    var id = r.GetString(0);
                    years.Add((id[5..id.LastIndexOf('-')], int.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
                }
            foreach (var (a, y) in years) await reader.YearAsync(a, y, null, ct);
            await using (var vacuum = NpgsqlDataSource.Create(cluster.SuperUserConnectionString(Database)))
            await using (var cmd = vacuum.CreateCommand("VACUUM ANALYZE ledger_cache.stream_snapshots, readmodel.indicator_state, readmodel.lkjip_rows, readmodel.budget_lines, readmodel.performance_years, readmodel.indicator_history, readmodel.pk_versions"))
                await cmd.ExecuteNonQueryAsync(ct);

            var before = LoadAverage();
            var results = new List<(string What, TimeSpan Elapsed)>();
            ReadModelVerification? last = null;
            StreamSnapshotVerification? lastSnapshots = null;
            for (var round = 1; round <= o.Rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var chain = await ChainVerifier.VerifyAsync(serviceDs, ct);
                results.Add(("chain walk (ChainVerifier)", clock.Elapsed));
                if (!chain.Ok) throw new InvalidOperationException("The chain does not verify.");
                clock.Restart();
                lastSnapshots = await new StreamSnapshotVerifier(streams, snapshots).VerifyAsync(keyKept: true, ct);
                results.Add(("stream snapshots (StreamSnapshotVerifier)", clock.Elapsed));
                if (!lastSnapshots.Ok) throw new InvalidOperationException("A snapshot does not verify: " + lastSnapshots.Problems[0].Sentence);
                // The managed heap while the read-model check runs, sampled (garbage included), above what was live before it.
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                var live = GC.GetTotalMemory(forceFullCollection: true);
                using var sampling = new CancellationTokenSource();
                var peak = live;
                var sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                        try { await Task.Delay(10, sampling.Token); } catch (OperationCanceledException) { }
                    }
                }, CancellationToken.None);
                clock.Restart();
                last = await ReadModelVerifier.VerifyAsync(serviceDs, store, ct: ct);
                results.Add(("read models (ReadModelVerifier)", clock.Elapsed));
                await sampling.CancelAsync();
                await sampler;
                Log($"Round {round}: managed heap during the read-model check: peak {(peak - live) / 1048576.0:N0} MB above the {live / 1048576.0:N0} MB live before it (sampled every 10 ms; the state part's recompute folds {o.RecomputeAgencies:N0} agencies at a time)");
                if (!last.Ok) throw new InvalidOperationException("A read model does not verify: " + last.NotChecked + string.Join("; ", last.Tables.Where(t => !t.Ok).Select(LedgerVerification.Describe)));
                foreach (var t in last.Timings)
                {
                    results.Add(($"  {t.Projection}: replay into temporary tables", t.Recompute));
                    results.Add(($"  {t.Projection}: compare (EXCEPT ALL both ways)", t.Compare));
                }
                Log($"Round {round}: chain {results[^9].Elapsed.TotalSeconds:F2} s, snapshots {results[^8].Elapsed.TotalSeconds:F2} s, read models {results[^7].Elapsed.TotalSeconds:F2} s");
            }

            Log("Appends and the daemon while the read-model check runs ...");
            var (quietLatencies, quietHeads, _) = await WriteWhileAsync(store, serviceDs, Task.Delay(TimeSpan.FromSeconds(10), ct), ct);
            var checking = ReadModelVerifier.VerifyAsync(serviceDs, store, ct: ct);
            var (busyLatencies, busyHeads, daemonMoved) = await WriteWhileAsync(store, serviceDs, checking, ct);
            if (!(await checking).Ok) throw new InvalidOperationException("The read models do not verify while written.");

            var rows = results.GroupBy(r => r.What).Select(g =>
            {
                var s = g.Select(x => x.Elapsed.TotalSeconds).Order().ToList();
                return $"| {g.Key} | {s[s.Count / 2]:F2} | {s[0]:F2} | {s[^1]:F2} |";
            });
            Console.WriteLine($"""

                ## Verify over derived state (issue 11)

                {total:N0} events ({agencies} agencies × 5 years), {lastSnapshots!.Rows:N0} stream snapshots, read-model rows
                {string.Join(" / ", last!.Tables.Select(t => $"{t.Table} {t.RowsChecked:N0}"))}; {o.Rounds} round(s), {Environment.ProcessorCount} cores,
                durable cluster, load average before/after {before} / {LoadAverage()}. Seconds, as the service role.

                | part | median s | min | max |
                |---|---:|---:|---:|
                {string.Join("\n", rows)}

                A writer appending one realization correction at a time (as the service role): {Describe(quietLatencies)} without a check running;
                {Describe(busyLatencies)} while the read-model check ran; the daemon's sakip-state progression moved by {daemonMoved:N0}
                events during the check (it neither waits for the check nor is waited for). A settled log head (what a year close
                takes, LogHeads.ReadAsync) read in a loop beside the writer: {Describe(quietHeads)} without a check; {Describe(busyHeads)} during it.
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

    private static string Describe(List<double> ms)
    {
        if (ms.Count == 0) return "no appends";
        ms.Sort();
        return $"{ms.Count} appends, median {ms[ms.Count / 2]:F1} ms, p99 {ms[(int)(ms.Count * 0.99)]:F1} ms, max {ms[^1]:F1} ms";
    }

    /// <summary>
    /// Appends one realization correction at a time to one year stream, and beside it takes settled log heads, until
    /// <paramref name="until"/> ends; the latencies of both and the daemon's progress meanwhile.
    /// </summary>
    private static async Task<(List<double> Latencies, List<double> Heads, long DaemonMoved)> WriteWhileAsync(DocumentStore store, NpgsqlDataSource service, Task until, CancellationToken ct)
    {
        var from = (await SakipReadModels.StatusAsync(service, ct)).Single(s => s.Projection == SakipStateProjection.ProjectionName).Position;
        var heads = new List<double>();
        var closer = Task.Run(async () =>
        {
            while (!until.IsCompleted)
            {
                var clock = Stopwatch.StartNew();
                await LogHeads.ReadAsync(service, TimeSpan.FromMinutes(5), ct);
                heads.Add(clock.Elapsed.TotalMilliseconds);
                await Task.Delay(50, ct);
            }
        }, ct);
        var latencies = new List<double>();
        var n = 0;
        while (!until.IsCompleted)
        {
            var clock = Stopwatch.StartNew();
            await AppendAsync(store, "year-agency-0000-2021", "agency-0000",
                [new RealizationCorrected("IK00", "Q4", 0, 50 + n++ % 50, "bench", false)], ct);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        await until;
        await closer;
        var to = (await SakipReadModels.StatusAsync(service, ct)).Single(s => s.Projection == SakipStateProjection.ProjectionName).Position;
        return (latencies, heads, to - from);
    }

    private static async Task WaitForHeadAsync(NpgsqlDataSource service, CancellationToken ct)
    {
        var head = await ReadModelSchema.HeadAsync(service, ct);
        while ((await SakipReadModels.StatusAsync(service, ct)).Any(s => s.Position < head))
            await Task.Delay(200, ct);
    }
}
