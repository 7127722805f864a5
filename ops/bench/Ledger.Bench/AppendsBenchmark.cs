using System.Diagnostics;
using Ledger.LocalPostgres;
using Npgsql;

namespace Ledger.Bench;

/// <summary>One scenario: a name, its writers (kept across warm-up and rounds) and what it is compared with.</summary>
internal sealed record Scenario(string Key, string Name, string What, int EventsPerOp, IReadOnlyList<IWriter> Writers, string? BaselineKey)
{
    /// <summary>The connection pool the writers use (warmed before every run).</summary>
    public NpgsqlDataSource? Pool { get; init; }

    /// <summary>The store whose group commit counts are read around each run (store scenarios with group commit on).</summary>
    public Ledger.EventStore.PostgresEventStore? GroupStore { get; init; }

    /// <summary>A load driven by another program instead of <see cref="Writers"/> (e.g. pgbench); null for in-process writers.</summary>
    public IExternalLoad? External { get; init; }

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

/// <param name="Group">appends taken and round trips used by the scenario's group-committing store during the run (0, 0 without one).</param>
internal sealed record Measurement(RunResult Run, Counters Delta, (long Appends, long RoundTrips) Group);

/// <summary>Server-side cost of the canonical form + SHA-256 of one event, measured in a loop inside PostgreSQL.</summary>
internal sealed record HashCost(double MicrosecondsPerEvent, int Events);

/// <summary>
/// Issue 2: the store's durable appends side by side with plain INSERTs on the same freshly started durable cluster.
/// Two groups (single events, batches); in every round each scenario of a group runs once, in a fixed order
/// (A B C … A B C …), each run starting right after a CHECKPOINT; the report shows medians over the rounds.
/// </summary>
internal static class AppendsBenchmark
{
    public static async Task<int> RunAsync(AppendsOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
        LocalPostgresCluster? cluster = null;
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
            {
                DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log,
            }, ct);
            await using var db = await BenchDatabase.CreateAsync(cluster, ct);
            var postmaster = BenchDatabase.PostmasterPid(cluster);
            var environment = await DescribeEnvironmentAsync(db, ct);
            Log(environment);

            var singles = SingleScenarios(db, o);
            var batches = BatchScenarios(db, o);
            await db.CreateStreamRowsAsync(
                singles.Concat(batches).Where(s => s.Key.StartsWith("lock", StringComparison.Ordinal)).SelectMany(StreamsOf),
                singles.Concat(batches).Where(s => s.Key.StartsWith("shaped", StringComparison.Ordinal)).SelectMany(StreamsOf), ct);

            var started = DateTimeOffset.UtcNow;
            await RunGroupAsync(db, postmaster, singles, o, ct);
            await RunGroupAsync(db, postmaster, batches, o, ct);
            HashCost? hash = o.Diagnostics ? await MeasureHashCostAsync(db, ct) : null;

            var report = Report.Build(o, environment, started, singles, batches, hash);
            Console.WriteLine(report);
            if (o.MarkdownPath is not null)
            {
                Report.WriteSection(o.MarkdownPath, report);
                Log($"Wrote the section to {o.MarkdownPath}.");
            }
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Log("Cancelled.");
            return 130;
        }
        finally
        {
            if (cluster is not null) await cluster.StopAsync();
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    // The writers are remembered per scenario so the stream names can be listed for the diagnostic stream rows.
    private static readonly Dictionary<string, string[]> StreamNames = [];
    private static IEnumerable<string> StreamsOf(Scenario s) => StreamNames[s.Key];

    private static string[] OwnStreams(string key, int writer, int count) =>
        Enumerable.Range(0, count).Select(k => $"{key}-w{writer:D2}-{k:D4}").ToArray();

    internal static IReadOnlyList<IWriter> Writers(string key, int writers, int streamsPerWriter, Func<string[], int, IWriter> make)
    {
        var all = new List<string>();
        var list = new List<IWriter>();
        for (var w = 0; w < writers; w++)
        {
            var streams = OwnStreams(key, w, streamsPerWriter);
            all.AddRange(streams);
            list.Add(make(streams, 1000 * w + key.Length));
        }
        StreamNames[key] = all.ToArray();
        return list;
    }

    private static IReadOnlyList<IWriter> SharedWriters(string key, string stream, int writers, Func<string[], int, IWriter> make)
    {
        StreamNames[key] = [stream];
        return Enumerable.Range(0, writers).Select(w => make([stream], 7000 + w)).ToList();
    }

    private static List<Scenario> SingleScenarios(BenchDatabase db, AppendsOptions o)
    {
        int n = o.Writers, s = o.StreamsPerWriter;
        var list = new List<Scenario>
        {
            new("store-1", "store, own streams",
                $"`AppendAsync` as the service runs it (group commit on), 1 event, each writer spreads over its own {s} streams (random pick), `ExpectedVersion.Exactly(last seen)`",
                1, Writers("store-1", n, s, (st, seed) => new StoreWriter(db.Store, st, 1, expectExact: true, seed)), "raw-1")
            {
                GroupStore = db.Store,
            },
            new("raw-1", "raw INSERT",
                "single-row `INSERT … VALUES` into the plain table (uuid PK only), implicit transaction",
                1, Writers("raw-1", n, s, (st, seed) => new RawWriter(db.Service, st, 1, seed)), null),
            new("store-1-shared", "store, one shared stream",
                "`AppendAsync` as the service runs it, 1 event, all writers append to ONE stream with `ExpectedVersion.Any`",
                1, SharedWriters("store-1-shared", "shared-realizations", n, (st, seed) => new StoreWriter(db.Store, st, 1, expectExact: false, seed)), "raw-1")
            {
                GroupStore = db.Store,
            },
        };
        if (o.Diagnostics)
        {
            list.Add(new("alone-1", "diag: store, one commit per append",
                "as **store, own streams**, with group commit off (`EventStoreOptions.OneCommitPerAppend`): every append is its own round trip and commit",
                1, Writers("alone-1", n, s, (st, seed) => new StoreWriter(db.StoreOneCommitPerAppend, st, 1, expectExact: true, seed)), "raw-1"));
            list.Add(new("alone-1-shared", "diag: store, one shared stream, one commit per append",
                "as **store, one shared stream**, with group commit off",
                1, SharedWriters("alone-1-shared", "shared-alone", n, (st, seed) => new StoreWriter(db.StoreOneCommitPerAppend, st, 1, expectExact: false, seed)), "raw-1"));
            list.Add(new("lock-1", "diag: raw + stream-row lock",
                "`SELECT … FOR UPDATE` stream row + single-row INSERT + `UPDATE` stream row, one batch/transaction, own streams",
                1, Writers("lock-1", n, s, (st, seed) => new LockedRawWriter(db.Service, st, 1, seed)), "raw-1"));
            list.Add(new("lock-1-shared", "diag: raw + lock, one shared row",
                "as above, but every writer locks the SAME stream row",
                1, SharedWriters("lock-1-shared", "shared-lock", n, (st, seed) => new LockedRawWriter(db.Service, st, 1, seed)), "raw-1"));
            list.Add(new("shaped-1", "diag: store-shaped SQL, no PL/pgSQL/hash",
                "lock + INSERT into a copy of `eventstore.events` (all its indexes, sequence, metadata) + stream-row UPDATE, hashes made by the client",
                1, Writers("shaped-1", n, s, (st, seed) => new StoreShapedSqlWriter(db.Service, st, 1, seed)), "raw-1"));
            list.Add(new("v1-1", "diag: store, 0001 append function",
                "the same call to the append function as migration 0001 defined it (before 0004), same parameters and expectation",
                1, Writers("v1-1", n, s, (st, seed) => new Append0001Writer(db.Service, st, 1, seed)), "raw-1"));
            list.Add(new("store-1-reset", "diag: store, DISCARD ALL on reuse",
                "as **store, own streams**, but with Npgsql's default pool reset: a reused pooled connection runs `DISCARD ALL`, " +
                "which throws away the session's cached PL/pgSQL plans (the service turns this off)",
                1, Writers("store-1-reset", n, s, (st, seed) => new StoreWriter(db.StoreWithReset, st, 1, expectExact: true, seed)), "raw-1")
            {
                Pool = db.ServiceWithReset,
            });
            list.Add(new("raw-1-reset", "diag: raw INSERT, DISCARD ALL on reuse",
                "as **raw INSERT**, with Npgsql's default pool reset",
                1, Writers("raw-1-reset", n, s, (st, seed) => new RawWriter(db.ServiceWithReset, st, 1, seed)), "raw-1")
            {
                Pool = db.ServiceWithReset,
            });
        }
        return list;
    }

    private static List<Scenario> BatchScenarios(BenchDatabase db, AppendsOptions o)
    {
        int n = o.BatchWriters, s = o.BatchStreamsPerWriter, b = o.BatchSize;
        var list = new List<Scenario>
        {
            new("store-b", $"store, {b}-event batch",
                $"one `AppendAsync` of {b} events to one stream (more than `MaxEventsPerGroupedAppend`, so never grouped); each writer spreads over its own {s} streams, `ExpectedVersion.Exactly`",
                b, Writers("store-b", n, s, (st, seed) => new StoreWriter(db.Store, st, b, expectExact: true, seed)), "raw-b")
            {
                GroupStore = db.Store,
            },
            new("raw-b", $"raw multi-row INSERT ({b} rows)",
                $"one `INSERT … SELECT FROM unnest(arrays)` of the same {b} rows into the plain table",
                b, Writers("raw-b", n, s, (st, seed) => new RawWriter(db.Service, st, b, seed)), null),
        };
        if (o.Diagnostics)
        {
            list.Add(new("lock-b", "diag: raw batch + stream-row lock",
                $"`SELECT … FOR UPDATE` + the {b}-row unnest INSERT + `UPDATE`, one batch/transaction",
                b, Writers("lock-b", n, s, (st, seed) => new LockedRawWriter(db.Service, st, b, seed)), "raw-b"));
            list.Add(new("v1-b", "diag: store, 0001 append function",
                $"the same {b}-event call to the append function as migration 0001 defined it (before 0004)",
                b, Writers("v1-b", n, s, (st, seed) => new Append0001Writer(db.Service, st, b, seed)), "raw-b"));
            list.Add(new("shaped-b", "diag: store-shaped SQL, no PL/pgSQL/hash",
                $"lock + {b}-row INSERT into the copy of `eventstore.events` + stream-row UPDATE, hashes made by the client",
                b, Writers("shaped-b", n, s, (st, seed) => new StoreShapedSqlWriter(db.Service, st, b, seed)), "raw-b"));
        }
        return list;
    }

    internal static async Task RunGroupAsync(BenchDatabase db, int postmaster, List<Scenario> group, AppendsOptions o, CancellationToken ct)
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
                await LoadRunner.RunAsync(s.Writers, TimeSpan.FromSeconds(o.WarmupSeconds), o.MaxOpsPerRun, ct);
            }
        }
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
            }
        }
    }

    private static async Task<Measurement> MeasureAsync(BenchDatabase db, int postmaster, Scenario s, TimeSpan duration, long maxOps, CancellationToken ct)
    {
        await db.CheckpointAsync(ct);
        if (s.External is null) await db.WarmPoolAsync(s.Pool ?? db.Service, s.Writers.Count, ct);
        var walBefore = await db.ReadWalAsync(ct);
        var groupBefore = s.GroupStore?.GroupCommitCounts ?? (0, 0);
        var cpuBefore = BenchDatabase.ReadCpu(postmaster);
        var run = s.External is { } external
            ? await external.RunAsync(duration, ct)
            : await LoadRunner.RunAsync(s.Writers, duration, maxOps, ct);
        var cpuAfter = BenchDatabase.ReadCpu(postmaster);
        var groupAfter = s.GroupStore?.GroupCommitCounts ?? (0, 0);
        await db.DrainPoolAsync(s.Pool, ct);
        var walAfter = await db.ReadWalAsync(ct);
        var serverAfter = BenchDatabase.ReadCpu(postmaster); // exited backends' time is now in the postmaster's cutime
        var wal = walAfter - walBefore;
        var cpu = cpuAfter - cpuBefore;
        return new Measurement(run, wal with { CpuBusyTicks = cpu.CpuBusyTicks, CpuAllTicks = cpu.CpuAllTicks, ClientCpu = cpu.ClientCpu, ServerTicks = serverAfter.ServerTicks - cpuBefore.ServerTicks },
            (groupAfter.Appends - groupBefore.Appends, groupAfter.RoundTrips - groupBefore.RoundTrips));
    }

    /// <summary>
    /// µs per event the store spends inside PostgreSQL on <c>eventstore.canonical</c> + <c>sha256</c> for a typical event,
    /// measured as the difference between a loop that hashes and the same loop that does not (best of 3).
    /// </summary>
    private static async Task<HashCost> MeasureHashCostAsync(BenchDatabase db, CancellationToken ct)
    {
        const int events = 20_000;
        const string withHash = """
            SELECT count(sha256('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea ||
                eventstore.canonical(gen_random_uuid(), 'store-1-w00-0000', g::bigint, 'RealizationRecorded', clock_timestamp(),
                    'pemkot-surakarta', $1::jsonb, $2::jsonb, NULL, gen_random_uuid()::text, NULL, NULL, NULL)))
            FROM generate_series(1, $3) AS g
            """;
        const string without = """
            SELECT count(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text || length($1) || length($2))
            FROM generate_series(1, $3) AS g
            """;
        var payload = new Payloads(42).Next();
        double best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var a = await TimeAsync(withHash);
            var b = await TimeAsync(without);
            best = Math.Min(best, (a - b) * 1_000_000 / events);
        }
        Log($"hash cost: {best:F1} µs per event (canonical form + sha256 inside PostgreSQL)");
        return new HashCost(best, events);

        async Task<double> TimeAsync(string sql)
        {
            await using var cmd = db.Admin.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.ActorJson });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = events });
            var t0 = Stopwatch.GetTimestamp();
            await cmd.ExecuteScalarAsync(ct);
            return Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
    }

    internal static async Task<string> DescribeEnvironmentAsync(BenchDatabase db, CancellationToken ct)
    {
        var version = await db.ScalarTextAsync("SHOW server_version", ct);
        var settings = await db.ScalarTextAsync("""
            SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings
            WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers',
                           'commit_delay', 'max_wal_size', 'checkpoint_timeout', 'wal_level')
            """, ct);
        return $"PostgreSQL {version} ({settings}); {Environment.ProcessorCount} cores; .NET {Environment.Version}; Npgsql {typeof(NpgsqlConnection).Assembly.GetName().Version}";
    }

    internal static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
}
