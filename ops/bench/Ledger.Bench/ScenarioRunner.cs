using Npgsql;

namespace Ledger.Bench;

/// <summary>One scenario: a name, its writers (kept across warm-up and rounds) and what it is compared with.</summary>
internal sealed record Scenario(string Key, string Name, string What, int EventsPerOp, IReadOnlyList<IWriter> Writers, string? BaselineKey)
{
    /// <summary>The connection pool the writers use (warmed before every run).</summary>
    public NpgsqlDataSource? Pool { get; init; }

    /// <summary>A load driven by another program instead of <see cref="Writers"/> (e.g. pgbench); null for in-process writers.</summary>
    public IExternalLoad? External { get; init; }

    /// <summary>Work that runs beside the writers in every run and warm-up (the diagnostic sealer after commit), stopped and drained after them.</summary>
    public MartenSealer? Sealer { get; init; }

    /// <summary>Concurrent writers (or the external program's clients).</summary>
    public int WriterCount => External?.Clients ?? Writers.Count;

    public List<Measurement> Runs { get; } = [];
}

/// <summary>A load that another program drives (one process per run), measured with the same counters as in-process writers.</summary>
internal interface IExternalLoad
{
    int Clients { get; }

    /// <summary>Why it cannot run on this machine (e.g. the program is not installed); null when it can.</summary>
    string? Unavailable { get; }

    Task<RunResult> RunAsync(TimeSpan duration, CancellationToken ct);
}

/// <param name="Sealed">what <see cref="Scenario.Sealer"/> did during the run and in its drain after it (its CPU is in <paramref name="Delta"/>, its time is not in the run's).</param>
internal sealed record Measurement(RunResult Run, Counters Delta, SealerResult? Sealed = null);

/// <summary>
/// Runs groups of scenarios on the benchmark's durable cluster: in every round each scenario of a group runs once, in a
/// fixed order (A B C … A B C …), each run starting right after a CHECKPOINT, with WAL and CPU counters read around it;
/// reports show medians over the rounds. Used by <see cref="MartenAppendsBenchmark"/>.
/// </summary>
internal static class ScenarioRunner
{
    private static string[] OwnStreams(string key, int writer, int count) =>
        Enumerable.Range(0, count).Select(k => $"{key}-w{writer:D2}-{k:D4}").ToArray();

    /// <summary><paramref name="writers"/> writers made by <paramref name="make"/>, each with its own <paramref name="streamsPerWriter"/> streams and seed.</summary>
    internal static IReadOnlyList<IWriter> Writers(string key, int writers, int streamsPerWriter, Func<string[], int, IWriter> make) =>
        Enumerable.Range(0, writers).Select(w => make(OwnStreams(key, w, streamsPerWriter), 1000 * w + key.Length)).ToList();

    /// <param name="afterWarmup">run once after the warm-ups, before the first measured round (e.g. ANALYZE)</param>
    internal static async Task RunGroupAsync(BenchDatabase db, int postmaster, List<Scenario> group, AppendsOptions o, CancellationToken ct,
        Func<Task>? afterWarmup = null)
    {
        if (o.WarmupSeconds > 0)
        {
            foreach (var s in group)
            {
                if (s.External?.Unavailable is not null) continue;
                Log($"warm-up  {s.Name} ({o.WarmupSeconds} s, {s.WriterCount} writers)");
                if (s.External is { } external)
                {
                    await external.RunAsync(TimeSpan.FromSeconds(o.WarmupSeconds), ct);
                    continue;
                }
                await db.WarmPoolAsync(s.Pool ?? db.Service, s.Writers.Count, ct);
                s.Sealer?.Start(ct);
                await LoadRunner.RunAsync(s.Writers, TimeSpan.FromSeconds(o.WarmupSeconds), o.MaxOpsPerRun, ct);
                if (s.Sealer is not null) await s.Sealer.StopAsync(ct);
                await db.DrainPoolAsync(s.Pool, ct); // as after a measured run: the warm pools of every scenario at once would outgrow max_connections
            }
        }
        if (afterWarmup is not null) await afterWarmup();
        for (var round = 1; round <= o.Rounds; round++)
        {
            foreach (var s in group)
            {
                if (s.External?.Unavailable is { } why)
                {
                    Log($"round {round}/{o.Rounds}  {s.Name,-45} skipped: {why}");
                    continue;
                }
                var m = await MeasureAsync(db, postmaster, s, TimeSpan.FromSeconds(o.DurationSeconds), o.MaxOpsPerRun, ct);
                s.Runs.Add(m);
                Log($"round {round}/{o.Rounds}  {s.Name,-45} {m.Run.EventsPerSecond,10:N0} events/s  ({m.Run.Operations:N0} ops in {m.Run.Elapsed.TotalSeconds:F1} s, other processes {Report.OtherShare(m.Delta, m.Run.Elapsed):P0} of the machine)");
                if (m.Sealed is { } z)
                    Log($"                 sealer: {Report.SealedRate(m):N0} events/s sealed ({z.SealedDuring:N0} during the run, {z.Backlog:N0} left at its end, drained in {z.Drain.TotalMilliseconds:N0} ms; {z.Calls:N0} calls; recorded -> sealed p50 {Report.Quantile(z.OldestMs, 0.5):N0} ms, max {(z.OldestMs.Count > 0 ? z.OldestMs.Max() : 0):N0} ms)");
            }
        }
    }

    private static async Task<Measurement> MeasureAsync(BenchDatabase db, int postmaster, Scenario s, TimeSpan duration, long maxOps, CancellationToken ct)
    {
        await db.CheckpointAsync(ct);
        if (s.External is null) await db.WarmPoolAsync(s.Pool ?? db.Service, s.Writers.Count, ct);
        var walBefore = await db.ReadWalAsync(ct);
        var cpuBefore = BenchDatabase.ReadCpu(postmaster);
        s.Sealer?.Start(ct);
        var run = s.External is { } external
            ? await external.RunAsync(duration, ct)
            : await LoadRunner.RunAsync(s.Writers, duration, maxOps, ct);
        var sealedRun = s.Sealer is null ? null : await s.Sealer.StopAsync(ct); // its drain's CPU counted with the run
        var cpuAfter = BenchDatabase.ReadCpu(postmaster);
        await db.DrainPoolAsync(s.Pool, ct);
        var walAfter = await db.ReadWalAsync(ct);
        var serverAfter = BenchDatabase.ReadCpu(postmaster); // exited backends' time is now in the postmaster's cutime
        var wal = walAfter - walBefore;
        var cpu = cpuAfter - cpuBefore;
        return new Measurement(run, wal with { CpuBusyTicks = cpu.CpuBusyTicks, CpuAllTicks = cpu.CpuAllTicks, ClientCpu = cpu.ClientCpu, ServerTicks = serverAfter.ServerTicks - cpuBefore.ServerTicks }, sealedRun);
    }

    internal static Task<string> DescribeEnvironmentAsync(BenchDatabase db, CancellationToken ct) => DescribeEnvironmentAsync(db.Admin, ct);

    /// <summary>
    /// The server's version and durability settings, the cores and the runtime: the first line of every report. A setting
    /// counted in 8 kB pages (shared_buffers) is shown as its size; until 2026-12-06 it was its count and unit run
    /// together ("163848kB" was 16384 × 8 kB, 128 MB).
    /// </summary>
    internal static async Task<string> DescribeEnvironmentAsync(NpgsqlDataSource admin, CancellationToken ct)
    {
        await using var cmd = admin.CreateCommand("""
            SELECT current_setting('server_version') || ' (' || string_agg(name || '=' || CASE WHEN unit = '8kB'
                       THEN pg_size_pretty(setting::bigint * 8192) ELSE setting || coalesce(unit, '') END, ', ' ORDER BY name) || ')'
              FROM pg_settings
             WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers',
                            'commit_delay', 'max_wal_size', 'checkpoint_timeout', 'wal_level')
            """);
        var server = (string)(await cmd.ExecuteScalarAsync(ct))!;
        return $"PostgreSQL {server}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; Npgsql {typeof(NpgsqlConnection).Assembly.GetName().Version}";
    }

    internal static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
}
