using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.LocalPostgres;
using Ledger.Storage;
using Ledger.Testing.Hosts;
using Marten;
using JasperFx.Events.Projections;
using Npgsql;

namespace Ledger.Bench;

internal sealed record HttpLoadOptions(int Clients, TimeSpan Duration, TimeSpan Warmup, int Restarts, string? Markdown, int[]? Sweep = null, bool CompareCache = false, bool ReadsOnly = false,
    int[]? Rates = null, bool WritesOnly = false)
{
    public static HttpLoadOptions Parse(string[] args)
    {
        var o = new HttpLoadOptions(16, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 3, null);
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--clients" => o with { Clients = a.Int(1, 256) },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(a.Int(1, 600)) },
                "--warmup" => o with { Warmup = TimeSpan.FromSeconds(a.Int(0, 600)) },
                "--restarts" => o with { Restarts = a.Int(1, 10) },
                "--markdown" => o with { Markdown = a.Value() },
                // Rising concurrency (issue 13): e.g. --sweep 1,4,16,64; as many agencies are set up as the largest level.
                // The sweep again on the same data with the service's stream-state cache turned off: the baseline of issue 13's reads.
                "--compare-cache" => o with { CompareCache = true },
                // Only the mix's reads (the issue's read goal), into its own section and chart.
                "--reads-only" => o with { ReadsOnly = true },
                // A diagnostic: only the mix's commands, same weights among them (what a command costs, without the reads).
                "--writes-only" => o with { WritesOnly = true },
                "--sweep" => o with { Sweep = a.Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).Where(v => v is >= 1 and <= 256).ToArray() },
                // Open loop (with --reads-only): requests arrive at these rates (Poisson, per second) whatever the answers' speed;
                // each latency is counted from the request's scheduled arrival, so a slow answer cannot hide the ones queued behind it.
                "--rates" => o with { Rates = a.Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).Where(v => v is >= 1 and <= 20_000).ToArray() },
                _ => throw a.Unknown(),
            };
        }
        if (o.Rates is { Length: > 0 } && (!o.ReadsOnly || o.Sweep is { Length: > 0 }))
            throw new ArgumentException("--rates runs the reads alone at fixed arrival rates: give it with --reads-only and without --sweep.");
        if (o.WritesOnly && (o.ReadsOnly || o.Sweep is { Length: > 0 } || o.Markdown is not null))
            throw new ArgumentException("--writes-only is a diagnostic of one closed-loop level: give it without --reads-only, --sweep, --rates and --markdown.");
        return o.Sweep is { Length: > 0 } sweep ? o with { Clients = Math.Max(o.Clients, sweep.Max()) } : o;
    }
}

/// <summary>
/// http-load (issue 11): the real service (src/Ledger.Api, Release build) as a child process on a private durable
/// cluster, driven over HTTP by closed-loop clients, each working on its own agency with the Surakarta 2023 story
/// (Renstra, five IKU, PK murni, annual realizations) and a read-heavy mix: corrections of realizations (writes, with an
/// Idempotency-Key as real clients send), indicator state, LKjIP table, indicator history, PK, and as-of reads. Beside
/// it, in the same run on the same database: Ledger's append path at store level (Marten + audit layer, the service's
/// role, as many writers as clients). Also measures cold start: process start to the first handled command, on the
/// empty database (migrations included) and on restarts.
/// </summary>
internal static class HttpLoadBenchmark
{
    public const string Heading = "## HTTP end to end (issue 11)";
    internal const string ServiceRole = "ledger_app";
    private const string Database = "ledger";
    private static readonly string[] Codes = ["I2", "I6", "I7", "I8", "I9"];

    internal enum Op { Correct, Record, PkRevision, Indicator, Table, History, Pk, AsOf }

    // The mix: what an agency's staff and its reviewers do during the year (reads dominate). Writes: realizations of the
    // years the agency has not reported yet (then corrections instead), corrections, and now and
    // then a PK perubahan signed by the agency's approver (issue 13 item 1).
    private static readonly (Op Op, int Weight)[] Mix =
        [(Op.Correct, 20), (Op.Record, 8), (Op.PkRevision, 2), (Op.Indicator, 25), (Op.Table, 15), (Op.History, 10), (Op.Pk, 10), (Op.AsOf, 10)];

    internal static bool IsCommand(Op op) => op is Op.Correct or Op.Record or Op.PkRevision;

    private sealed record Sample(Op Op, long Ticks, int Status);

    public static async Task<int> RunAsync(HttpLoadOptions o, CancellationToken ct)
    {
        var api = FindService();
        var dir = Path.Combine(Path.GetTempPath(), "ledger-bench-http-" + Guid.NewGuid().ToString("N")[..8]);
        LocalPostgresCluster? cluster = null;
        Process? service = null;
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
            {
                DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log,
                ServerSettings = SocketSettings().Concat(PgStatements.ServerSettings()).ToDictionary(),
            }, ct);
            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
            {
                await using (var c = root.CreateCommand($"CREATE DATABASE {Database}")) await c.ExecuteNonQueryAsync(ct);
                await using (var c = root.CreateCommand($"CREATE ROLE {ServiceRole} LOGIN PASSWORD '{password}'")) await c.ExecuteNonQueryAsync(ct);
            }
            var owner = cluster.SuperUserConnectionString(Database);
            await PgStatements.InstallAsync(owner, ct);
            var serviceCs = ServiceConnectionString(owner, password);
            string environment;
            await using (var admin = NpgsqlDataSource.Create(owner)) environment = await ScenarioRunner.DescribeEnvironmentAsync(admin, ct);
            Log(environment);

            var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            var port = ServiceProcess.FreePort();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60),
            };

            // Cold start: the first start migrates the empty database; restarts find it migrated.
            var starts = new List<(string What, TimeSpan ToFirstCommand)>();
            (service, var first) = await StartAsync(api, port, serviceCs, owner, token, http, "cold-0", ct);
            starts.Add(("first start, empty database (migrations applied)", first));
            for (var r = 1; r <= o.Restarts; r++)
            {
                await StopAsync(service);
                (service, var again) = await StartAsync(api, port, serviceCs, owner, token, http, $"cold-{r}", ct);
                starts.Add(($"restart {r}, migrated database", again));
            }
            foreach (var (what, t) in starts) Log($"cold start to first command: {t.TotalMilliseconds:F0} ms ({what})");

            Log($"Setting up {o.Clients} agencies (Renstra, five IKU, PK murni, annual realizations) ...");
            // One after another: every user lands on the one `users` stream, and 16 admins creating users at the same instant
            // lose the race there repeatedly (409 concurrency.race-lost after 3 attempts, as the contract says).
            var clients = new AgencyClient[o.Clients];
            for (var i = 0; i < o.Clients; i++) clients[i] = await AgencyClient.SetUpAsync(http, token, i, ct);
            var setUpAt = DateTimeOffset.UtcNow;

            Log($"Warm-up {o.Warmup.TotalSeconds:F0} s ...");
            await RunMixAsync(clients, o.Warmup, setUpAt, ct, o.ReadsOnly, o.WritesOnly);
            if (o.Rates is { Length: > 0 } rates)
                return await RatesAsync(o, rates, clients, setUpAt, service, cluster, owner, environment, http, token, ct);
            if (o.Sweep is { Length: > 0 } levels)
                return await SweepAsync(o, levels, clients, setUpAt, service, cluster, owner, serviceCs, environment, http, token, ct,
                    async () =>
                    {
                        service = null; // stopped by the sweep; the finally below stops the one started here
                        var started = await StartAsync(api, port, serviceCs, owner, token, http, "cold-nocache", ct, streamStateCache: 0);
                        service = started.Item1;
                        return started;
                    });
            Log($"Measuring {o.Duration.TotalSeconds:F0} s with {o.Clients} clients{(o.WritesOnly ? " (the mix's commands only: --writes-only)" : "")} ...");
            var postmaster = BenchDatabase.PostmasterPid(cluster);
            await PgStatements.ResetAsync(owner, ct);
            var ((elapsed, samples), cpu) = await CpuSplit.MeasureAsync(service, postmaster,
                () => RunMixAsync(clients, o.Duration, setUpAt, ct, o.ReadsOnly, o.WritesOnly));
            await PgStatements.LogAsync(owner, samples.Count, $"{o.Clients} clients", ct);

            var failures = samples.Where(s => s.Status is < 200 or >= 300).GroupBy(s => (s.Op, s.Status)).ToList();
            foreach (var f in failures) Log($"NOT 2xx: {f.Key.Op} answered {f.Key.Status} x{f.Count()}");

            Log("Verifying the hash chain through the API ...");
            var verify = await GetJsonAsync(http, token, "/api/audit/verify", ct);

            Log($"Store level in the same run: Ledger's append path, {o.Clients} writers, {o.Duration.TotalSeconds:F0} s ...");
            var store = await StoreLevelAsync(serviceCs, o, ct);

            var section = Section(o, environment, starts, elapsed, samples, cpu, store, verify);
            Console.WriteLine(section);
            if (o.Markdown is { } path)
            {
                Report.WriteSection(path, section, Heading);
                Log($"Wrote the section to {path}.");
            }
            return failures.Count == 0 && verify.GetProperty("ok").GetBoolean() ? 0 : 1;
        }
        finally
        {
            if (service is not null) await StopAsync(service);
            if (cluster is not null) await cluster.StopAsync();
        }
    }

    /// <summary>Milliseconds as the reports print them.</summary>
    private static string Ms(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>CPU milliseconds per request, to hundredths (tenths hid a 10 % difference).</summary>
    private static string Cpu(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>The <paramref name="q"/> quantile of the samples' latencies, in milliseconds.</summary>
    private static double P(IEnumerable<Sample> s, double q) => LoadRunner.PercentileMs(s.Select(x => x.Ticks).Order().ToArray(), q);

    /// <summary>
    /// <c>LEDGER_BENCH_PG_SOCKET=&lt;folder&gt;</c>: the cluster also listens on a Unix socket in that folder (the postgres
    /// user must be able to write it), so that a run can give the service <c>LEDGER_BENCH_SERVICE_CS_EXTRA="Host=&lt;folder&gt;"</c>
    /// (PostgreSQL on the same host over its socket instead of loopback TCP). Unset: loopback TCP only.
    /// </summary>
    private static Dictionary<string, string> SocketSettings() =>
        Environment.GetEnvironmentVariable("LEDGER_BENCH_PG_SOCKET") is { Length: > 0 } folder
            ? new() { ["unix_socket_directories"] = folder }
            : [];

    /// <summary>
    /// The service's connection string: the owner's, as the service role, with the settings that
    /// <c>LEDGER_BENCH_SERVICE_CS_EXTRA</c> adds (e.g. <c>Max Auto Prepare=50</c>), for side-by-side runs of connection settings.
    /// </summary>
    internal static string ServiceConnectionString(string owner, string password)
    {
        var cs = new NpgsqlConnectionStringBuilder(owner) { Username = ServiceRole, Password = password }.ConnectionString;
        if (Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE_CS_EXTRA") is not { Length: > 0 } extra) return cs;
        Log($"Service connection string: the settings {extra} added (LEDGER_BENCH_SERVICE_CS_EXTRA).");
        return new NpgsqlConnectionStringBuilder($"{cs};{extra}").ConnectionString;
    }

    /// <summary>
    /// The service's Release build (dotnet run -c Release builds it, as a reference of this project), or the
    /// <c>Ledger.Api.dll</c> that <c>LEDGER_BENCH_SERVICE</c> names: another build of the service (a copy of an earlier
    /// commit's output) measured by the same benchmark code, for before/after comparisons.
    /// </summary>
    internal static string FindService()
    {
        if (Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE") is { Length: > 0 } other)
            return File.Exists(other) ? Path.GetFullPath(other) : throw new InvalidOperationException($"LEDGER_BENCH_SERVICE: {other} not found.");
        var dll = Path.Combine(ServiceProcess.RepositoryRoot(), "src", "Ledger.Api", "bin", "Release", "net10.0", "Ledger.Api.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} not found: build with -c Release first.");
    }

    /// <summary>The stream snapshots' key of every service the benchmarks start (Ledger:SnapshotKey), so the national copies' snapshots are the service's own.</summary>
    internal static readonly string SnapshotKeyHex = new('a', 64);

    internal static async Task<(Process, TimeSpan)> StartAsync(string api, int port, string serviceCs, string owner, string token,
        HttpClient http, string agency, CancellationToken ct, int? streamStateCache = null)
    {
        var environment = ServiceProcess.DeploymentEnvironment(serviceCs, owner, ServiceRole, token, SnapshotKeyHex);
        if (streamStateCache is { } cached) environment["Ledger__StreamStateCache"] = cached.ToString(CultureInfo.InvariantCulture);
        // For side-by-side runs of the runtime's settings (Cli's usage): LEDGER_BENCH_SERVICE_ENV="K=V;K2=V2" is added to the
        // service's environment only (e.g. DOTNET_TieredPGO=0), not to the benchmark's own.
        if (Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE_ENV") is { Length: > 0 } extraEnv)
            foreach (var pair in extraEnv.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0) throw new InvalidOperationException($"LEDGER_BENCH_SERVICE_ENV: '{pair}' is not K=V.");
                environment[pair[..eq]] = pair[(eq + 1)..];
                Log($"Service environment: {pair} (LEDGER_BENCH_SERVICE_ENV).");
            }
        var output = new StringBuilder();
        // For diagnosis (Cli's usage): the service's log at Information level, one timestamped line per entry, kept in a file.
        var logFile = Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE_LOG");
        if (logFile is not null)
        {
            environment["Logging__LogLevel__Default"] = "Information";
            environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
            environment["Logging__Console__FormatterName"] = "simple";
            environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
            environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        }
        // For diagnosis: a CPU sample profile (EventPipe's sample profiler, with the runtime's GC events) of every service
        // process the benchmark starts, written as <folder>/<agency>-<pid>.nettrace; StopAsync then stops it gracefully so
        // that the trace is complete (`dotnet-trace report <file> topN` lists where the threads were, waiting ones included).
        if (Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE_TRACE") is { Length: > 0 } traces)
        {
            Directory.CreateDirectory(traces);
            environment["DOTNET_EnableEventPipe"] = "1";
            environment["DOTNET_EventPipeOutputPath"] = Path.Combine(traces, agency + "-{pid}.nettrace");
            environment["DOTNET_EventPipeConfig"] = "Microsoft-DotNETCore-SampleProfiler:0:5,Microsoft-Windows-DotNETRuntime:0x1:4";
        }
        var (p, started) = ServiceProcess.Launch(api, $"http://127.0.0.1:{port}", environment, line =>
        {
            lock (output) { output.AppendLine(line); if (logFile is not null) File.AppendAllText(logFile, line + "\n"); }
        });
        var body = new { code = agency, name = "Cold start " + agency };
        // Cold start: from just before the process starts to the first command's 2xx (503 while it starts: again).
        var toFirstCommand = await ServiceProcess.WaitReadyAsync(p, started, TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(10), async c =>
            {
                using var r = await SendAsync(http, HttpMethod.Post, "/api/agencies", token, body, c);
                if (r.IsSuccessStatusCode) return true;
                if (r.StatusCode != HttpStatusCode.ServiceUnavailable)
                    throw new InvalidOperationException($"first command answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(c)}");
                return false;
            },
            code => $"the service exited ({code}):\n{output}", () => $"no answer in 120 s:\n{output}", ct);
        return (p, toFirstCommand);
    }

    internal static async Task StopAsync(Process p)
    {
        // Traced (LEDGER_BENCH_SERVICE_TRACE): SIGTERM first, so that the runtime closes its trace file.
        if (!p.HasExited && Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE_TRACE") is { Length: > 0 })
        {
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
                await term.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await p.WaitForExitAsync(wait.Token); } catch (OperationCanceledException) { }
        }
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
        p.Dispose();
    }

    private static async Task<(TimeSpan, List<Sample>)> RunMixAsync(AgencyClient[] clients, TimeSpan duration, DateTimeOffset setUpAt, CancellationToken ct,
        bool readsOnly = false, bool writesOnly = false)
    {
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perClient = await Task.WhenAll(clients.Select(c => Task.Run(async () =>
        {
            var samples = new List<Sample>(4096);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var op = c.NextOp(readsOnly, writesOnly);
                var t0 = Stopwatch.GetTimestamp();
                var status = await c.ExecuteAsync(op, setUpAt, ct);
                samples.Add(new Sample(op, Stopwatch.GetTimestamp() - t0, status));
            }
            return samples;
        }, ct)));
        return (Stopwatch.GetElapsedTime(start), perClient.SelectMany(s => s).ToList());
    }

    /// <summary>
    /// Open loop: requests of the reads' mix arrive at <paramref name="rate"/> per second (Poisson arrivals, a fixed seed),
    /// each on an agency drawn at random, sent whether or not earlier ones have been answered. A request's latency runs
    /// from its scheduled arrival to its whole answer, so the dispatcher's own lag and any queueing count (no coordinated
    /// omission); <paramref name="clock"/> says how the dispatcher waits for each arrival. The dispatcher alone picks
    /// operations (an <see cref="AgencyClient"/>'s random source is not thread-safe; reads change nothing else in it).
    /// </summary>
    private static async Task<(TimeSpan Elapsed, List<Sample> Samples, int MaxInFlight, long[] Lags)> RunOpenLoopAsync(AgencyClient[] clients, int rate,
        TimeSpan duration, DateTimeOffset setUpAt, ArrivalClock clock, CancellationToken ct)
    {
        var rng = new Random(20261204 + rate);
        var samples = new List<Sample>(rate * (int)Math.Ceiling(duration.TotalSeconds) + 1024);
        // How late the dispatcher sent each request (its own lag, part of every latency below): the generator's share.
        var lags = new List<long>(samples.Capacity);
        var pending = new List<Task>(samples.Capacity);
        var inFlight = 0;
        var maxInFlight = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var next = (double)start;
        if (clock == ArrivalClock.Precise)
        {
            // One thread of its own that sleeps until each arrival and sends it then (see ArrivalClock). Awaited through a
            // task it completes, so no pool thread of the generator waits for it, and its failure reaches the caller.
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var dispatcher = new Thread(() =>
            {
                try
                {
                    while (next < end && !ct.IsCancellationRequested)
                    {
                        ArrivalClocks.SleepUntil((long)next);
                        SendDue();
                    }
                    finished.SetResult();
                }
                catch (Exception e)
                {
                    finished.SetException(e);
                }
            }) { IsBackground = true, Name = "open-loop dispatcher" };
            dispatcher.Start();
            await finished.Task.WaitAsync(ct);
        }
        else
        {
            while (next < end)
            {
                SendDue();
                if (next < end) await Task.Delay(1, ct);
            }
        }
        await Task.WhenAll(pending);
        return (TimeSpan.FromSeconds(duration.TotalSeconds), samples, maxInFlight, [.. lags.Order()]);

        // Sends every request whose arrival has come (only the dispatcher calls it).
        void SendDue()
        {
            var now = Stopwatch.GetTimestamp();
            while (next <= now && next < end)
            {
                var client = clients[rng.Next(clients.Length)];
                var op = client.NextOp(readsOnly: true);
                maxInFlight = Math.Max(maxInFlight, Interlocked.Increment(ref inFlight));
                lags.Add(now - (long)next);
                pending.Add(SendOneAsync(client, op, (long)next));
                next += -Math.Log(1 - rng.NextDouble()) / rate * Stopwatch.Frequency;
            }
        }

        async Task SendOneAsync(AgencyClient client, Op op, long scheduled)
        {
            int status;
            try
            {
                status = await client.ExecuteAsync(op, setUpAt, ct);
            }
            catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException && !ct.IsCancellationRequested)
            {
                status = 0; // no answer (refused, reset, or HttpClient's own timeout): counted as not 2xx
            }
            var done = Stopwatch.GetTimestamp();
            Interlocked.Decrement(ref inFlight);
            lock (samples) samples.Add(new Sample(op, done - scheduled, status));
        }
    }

    public const string RatesHeading = "## HTTP reads alone at fixed arrival rates (issue 13)";

    /// <summary>
    /// The reads' mix in open loop at each rate in turn (<see cref="RunOpenLoopAsync"/>), on the same service and data:
    /// the rate reached, p50/p95/p99 overall and per operation, the most requests in flight, CPU per request by process.
    /// </summary>
    private static async Task<int> RatesAsync(HttpLoadOptions o, int[] rates, AgencyClient[] clients, DateTimeOffset setUpAt, Process service,
        LocalPostgresCluster cluster, string owner, string environment, HttpClient http, string token, CancellationToken ct)
    {
        var postmaster = BenchDatabase.PostmasterPid(cluster);
        var clock = ArrivalClocks.FromEnvironment();
        var sb = new StringBuilder();
        sb.AppendLine(RatesHeading).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project ops/bench/Ledger.Bench -- http-load --reads-only --rates {string.Join(',', rates)} --clients {o.Clients} --duration {o.Duration.TotalSeconds:F0} --warmup {o.Warmup.TotalSeconds:F0}`.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{environment}. Service, PostgreSQL and the load generator share the machine; only the mix's reads (indicator state 36 %, LKjIP table 21 %, history 14 %, PK 14 %, as-of 14 %) on {o.Clients} agencies set up with writes; **open loop**: requests arrive at the rate (Poisson), each on an agency drawn at random, sent whether or not earlier ones were answered, by {ArrivalClocks.Describe(clock)}; latency from the scheduled arrival to the whole answer.").AppendLine();
        sb.AppendLine("| arrival rate /s | answered /s | p50 / p95 / p99 ms (goal p99 < 20 at ≥ 2 000/s) | the generator's send lag p50 / p99 ms | most in flight | CPU per request: PostgreSQL / service / load generator ms | machine busy | non-2xx |");
        sb.AppendLine("|---:|---:|---|---|---:|---|---:|---:|");
        var perOp = new StringBuilder();
        var failures = 0;
        // Warm-up in open loop at the first rate (not recorded): the closed loop's warm-up opened 16 connections, an open
        // loop opens as many as it has requests in flight, and that ramp is a start-up effect.
        Log($"Open-loop warm-up: {rates[0]} reads/s for {o.Warmup.TotalSeconds:F0} s ...");
        await RunOpenLoopAsync(clients, rates[0], o.Warmup, setUpAt, clock, ct);
        foreach (var rate in rates)
        {
            Log($"Open loop: {rate} reads/s for {o.Duration.TotalSeconds:F0} s ...");
            await PgStatements.ResetAsync(owner, ct);
            var ((elapsed, samples, most, lags), cpu) = await CpuSplit.MeasureAsync(service, postmaster,
                () => RunOpenLoopAsync(clients, rate, o.Duration, setUpAt, clock, ct));
            var (pg, svc, gen, busy) = cpu.PerRequest(samples.Count);
            var bad = samples.Count(s => s.Status is < 200 or >= 300);
            failures += bad;
            await PgStatements.LogAsync(owner, samples.Count, $"{rate}/s", ct);
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {rate} | {samples.Count / elapsed.TotalSeconds:F0} | {Ms(P(samples, 0.5))} / {Ms(P(samples, 0.95))} / **{Ms(P(samples, 0.99))}** | {Ms(LoadRunner.PercentileMs(lags, 0.5))} / {Ms(LoadRunner.PercentileMs(lags, 0.99))} | {most} | {Cpu(pg)} / {Cpu(svc)} / {Cpu(gen)} | {busy:F0} % | {bad} |");
            perOp.Append(CultureInfo.InvariantCulture, $"{rate}/s: ");
            perOp.AppendJoin("; ", samples.GroupBy(s => s.Op).OrderBy(g => g.Key).Select(g =>
                $"{Describe(g.Key)} {g.Count() / elapsed.TotalSeconds:F0}/s, p50 {Ms(P(g, 0.5))}, p99 {Ms(P(g, 0.99))}"));
            perOp.AppendLine(".").AppendLine();
            Log($"  {rate}/s: answered {samples.Count / elapsed.TotalSeconds:F0}/s, p50 {Ms(P(samples, 0.5))} ms, p99 {Ms(P(samples, 0.99))} ms, most in flight {most}, non-2xx {bad}");
        }
        sb.AppendLine().AppendLine("Per operation (ms):").AppendLine().Append(perOp);
        var verify = await GetJsonAsync(http, token, "/api/audit/verify", ct);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Chain verified afterwards: {verify.GetProperty("ok").GetBoolean()}.");
        var section = sb.ToString();
        Console.WriteLine(section);
        if (o.Markdown is { } path)
        {
            Report.WriteSection(path, section, RatesHeading);
            Log($"Wrote the section to {path}.");
        }
        return failures == 0 && verify.GetProperty("ok").GetBoolean() ? 0 : 1;
    }

    public const string SweepHeading = "## HTTP load at rising concurrency (issue 13)";
    public const string ReadsHeading = "## HTTP reads alone at rising concurrency (issue 13)";

    private sealed record Level(int Clients, TimeSpan Elapsed, List<Sample> Samples, long RssMb, long PeakRssMb, long Connections, double PgCpuShare)
    {
        public bool Cached { get; init; } = true;
    }

    /// <summary>
    /// The mix at each concurrency level in turn, on the same service and database: throughput, p50/p95/p99 of commands
    /// (corrections) and of reads, the service's memory (RSS now and peak) and PostgreSQL's connections at the end of
    /// each level, then the store-level append rate with as many writers as the largest level, as the baseline.
    /// </summary>
    private static async Task<int> SweepAsync(HttpLoadOptions o, int[] levels, AgencyClient[] clients, DateTimeOffset setUpAt, Process service,
        LocalPostgresCluster cluster, string owner, string serviceCs, string environment, HttpClient http, string token, CancellationToken ct,
        Func<Task<(Process, TimeSpan)>> startWithoutCache)
    {
        var results = new List<Level>();
        await using var admin = NpgsqlDataSource.Create(owner);
        var postmaster = BenchDatabase.PostmasterPid(cluster);
        async Task MeasureAsync(bool cached)
        {
            foreach (var n in levels)
            {
                Log($"Measuring {o.Duration.TotalSeconds:F0} s with {n} clients (stream-state cache {(cached ? "on" : "off")}) ...");
                var pg0 = BenchDatabase.ReadCpu(postmaster);
                var (elapsed, samples) = await RunMixAsync(clients[..n], o.Duration, setUpAt, ct, o.ReadsOnly);
                var pg = BenchDatabase.ReadCpu(postmaster) - pg0;
                await using var count = admin.CreateCommand($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Database}'");
                var connections = (long)(await count.ExecuteScalarAsync(ct))!;
                var (rss, peak) = Memory(service.Id);
                results.Add(new Level(n, elapsed, samples, rss, peak, connections, pg.CpuAllTicks == 0 ? 0 : (double)pg.ServerTicks / pg.CpuAllTicks) { Cached = cached });
                // Which operations make the tail: each one's rate and p50 / p99 at this level (the log only).
                foreach (var op in samples.GroupBy(s => s.Op).OrderBy(g => g.Key))
                {
                    var sorted = op.Select(s => s.Ticks).Order().ToArray();
                    Log($"  {n} clients, {Describe(op.Key)}: {op.Count() / elapsed.TotalSeconds:F0}/s, p50 {Ms(LoadRunner.PercentileMs(sorted, 0.5))} ms, p99 {Ms(LoadRunner.PercentileMs(sorted, 0.99))} ms");
                }
            }
        }
        await MeasureAsync(cached: true);
        if (o.CompareCache)
        {
            Log("The same levels again, the service restarted with its stream-state cache off (Ledger__StreamStateCache=0) ...");
            await StopAsync(service);
            (service, _) = await startWithoutCache();
            await RunMixAsync(clients, o.Warmup, setUpAt, ct, o.ReadsOnly);
            await MeasureAsync(cached: false);
        }
        var failures = results.SelectMany(l => l.Samples).Where(s => s.Status is < 200 or >= 300).GroupBy(s => (s.Op, s.Status)).ToList();
        foreach (var f in failures) Log($"NOT 2xx: {f.Key.Op} answered {f.Key.Status} x{f.Count()}");
        var verify = await GetJsonAsync(http, token, "/api/audit/verify", ct);
        Log($"Store level in the same run: Ledger's append path, {levels.Max()} writers, {o.Duration.TotalSeconds:F0} s ...");
        var store = await StoreLevelAsync(serviceCs, o with { Clients = levels.Max() }, ct);
        Log($"Raw INSERT ceiling in the same run: single-row INSERTs into a plain table, {levels.Max()} writers, {o.Duration.TotalSeconds:F0} s ...");
        await using (var ddl = admin.CreateCommand(BenchDatabase.ComparisonSchema)) await ddl.ExecuteNonQueryAsync(ct);
        var raw = await LoadRunner.RunAsync(
            ScenarioRunner.Writers("raw-http", levels.Max(), 1, (streams, seed) => new RawWriter(admin, streams, 1, seed)), o.Duration, long.MaxValue, ct);
        var rawSorted = raw.LatencyTicks.Order().ToArray();

        static string Percentiles(List<Sample> s) => s.Count == 0 ? "—" : $"{Ms(P(s, 0.5))} / {Ms(P(s, 0.95))} / {Ms(P(s, 0.99))}";
        var sb = new StringBuilder();
        var heading = o.ReadsOnly ? ReadsHeading : SweepHeading;
        sb.AppendLine(heading).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project ops/bench/Ledger.Bench -- http-load --sweep {string.Join(',', levels)} --duration {o.Duration.TotalSeconds:F0} --warmup {o.Warmup.TotalSeconds:F0}{(o.CompareCache ? " --compare-cache" : "")}{(o.ReadsOnly ? " --reads-only" : "")}`.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{environment}. Service, PostgreSQL and the load generator share the machine; {(o.ReadsOnly ? "only the mix's reads (indicator state 36 %, LKjIP table 21 %, history 14 %, PK 14 %, as-of 14 %), after a set-up with writes" : "the mix: 20 % corrections, 8 % annual realizations of 2024–2026 (corrections once an agency has reported them), 2 % PK perubahan, 70 % reads")}, one agency per client, closed loop.").AppendLine();
        sb.AppendLine("| stream-state cache | clients | requests/s | commands/s | command p50 / p95 / p99 ms | reads/s | read p50 / p95 / p99 ms | service RSS (peak) MB | PG connections | PG CPU share |");
        sb.AppendLine("|---|---:|---:|---:|---|---:|---|---:|---:|---:|");
        foreach (var l in results)
        {
            var commands = l.Samples.Where(s => IsCommand(s.Op)).ToList();
            var reads = l.Samples.Where(s => !IsCommand(s.Op)).ToList();
            var secs = l.Elapsed.TotalSeconds;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {(l.Cached ? "on" : "**off** (baseline)")} | {l.Clients} | {l.Samples.Count / secs:F0} | {commands.Count / secs:F0} | {Percentiles(commands)} | {reads.Count / secs:F0} | {Percentiles(reads)} | {l.RssMb} ({l.PeakRssMb}) | {l.Connections} | {l.PgCpuShare * 100:F0} % |");
        }
        sb.AppendLine();
        var chartFile = o.ReadsOnly ? "performance-http-reads.svg" : "performance-http-load.svg";
        if (o.Markdown is not null) sb.AppendLine($"![Throughput and p99 latency at 1 to {levels.Max()} clients, with the goals](" + chartFile + ")").AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Baselines in the same run, same database, {levels.Max()} writers: Ledger's append path at store level (no HTTP) **{store.Events / store.Elapsed.TotalSeconds:F0} events/s**, p99 {Ms(LoadRunner.PercentileMs(store.Sorted, 0.99))} ms; the raw INSERT ceiling (single-row INSERT into a plain table with a uuid key, as the owner) **{raw.EventsPerSecond:F0} rows/s**, p99 {Ms(LoadRunner.PercentileMs(rawSorted, 0.99))} ms. Chain verified afterwards: {verify.GetProperty("ok").GetBoolean()}; non-2xx answers: {failures.Sum(f => f.Count())}.");
        var section = sb.ToString();
        Console.WriteLine(section);
        if (o.Markdown is { } path)
        {
            var points = results.Where(l => l.Cached).Select(l =>
            {
                var commands = l.Samples.Where(x => IsCommand(x.Op)).ToList();
                var reads = l.Samples.Where(x => !IsCommand(x.Op)).ToList();
                return new SweepPoint(l.Clients, commands.Count / l.Elapsed.TotalSeconds, reads.Count / l.Elapsed.TotalSeconds, P(commands, 0.99), P(reads, 0.99));
            }).ToList();
            var chart = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, chartFile);
            await File.WriteAllTextAsync(chart, SweepChart.Svg(points,
                $"HTTP {(o.ReadsOnly ? "reads alone" : "load: 30 % commands, 70 % reads")}, {DateTimeOffset.UtcNow:yyyy-MM-dd}, 2 cores shared by service, PostgreSQL and load", 2000, 50, 20), ct);
            Log($"Wrote the chart to {chart}.");
            Report.WriteSection(path, section, heading);
            Log($"Wrote the section to {path}.");
        }
        return failures.Count == 0 && verify.GetProperty("ok").GetBoolean() ? 0 : 1;
    }

    /// <summary>The process's resident memory now and its peak (VmRSS, VmHWM from /proc), in MB.</summary>
    private static (long Rss, long Peak) Memory(int pid)
    {
        long Read(string key) => File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).FirstOrDefault();
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    private sealed record StoreLevel(long Events, TimeSpan Elapsed, long[] Sorted);

    /// <summary>CPU used during the measured HTTP run: PostgreSQL's processes, the service process, this load generator, and the machine.</summary>
    private sealed record CpuSplit(Counters Counters, TimeSpan Service)
    {
        /// <summary>Runs <paramref name="run"/> and returns its result with the CPU PostgreSQL, the service and the machine used meanwhile.</summary>
        public static async Task<(T Result, CpuSplit Cpu)> MeasureAsync<T>(Process service, int postmaster, Func<Task<T>> run)
        {
            service.Refresh();
            var (cpu0, service0) = (BenchDatabase.ReadCpu(postmaster), service.TotalProcessorTime);
            var result = await run();
            service.Refresh();
            return (result, new CpuSplit(BenchDatabase.ReadCpu(postmaster) - cpu0, service.TotalProcessorTime - service0));
        }

        /// <summary>CPU ms per request of PostgreSQL, the service and this load generator, and how busy the machine was (%).</summary>
        public (double Pg, double Service, double Generator, double BusyPercent) PerRequest(int requests)
        {
            var n = Math.Max(1, requests);
            return (Counters.ServerTicks / Counters.TicksPerSecond * 1000 / n, this.Service.TotalMilliseconds / n,
                Counters.ClientCpu.TotalMilliseconds / n,
                Counters.CpuAllTicks > 0 ? 100.0 * Counters.CpuBusyTicks / Counters.CpuAllTicks : double.NaN);
        }
    }

    private static async Task<StoreLevel> StoreLevelAsync(string serviceCs, HttpLoadOptions o, CancellationToken ct)
    {
        var cs = LedgerMarten.ForLedger(new NpgsqlConnectionStringBuilder(serviceCs) { MaxPoolSize = 100 }.ConnectionString);
        using var store = DocumentStore.For(opts =>
        {
            LedgerMarten.Configure(opts, cs, applySchema: false);
            opts.Projections.Add(new FoldedProjection(), ProjectionLifecycle.Live);
        });
        var writers = Enumerable.Range(0, o.Clients).Select(i => (IWriter)new MartenWriter(store, $"bench-http-store-{i:D2}", 1, 1000 + i)).ToList();
        await LoadRunner.RunAsync(writers, o.Warmup, long.MaxValue, ct);
        var writers2 = Enumerable.Range(0, o.Clients).Select(i => (IWriter)new MartenWriter(store, $"bench-http-store-m{i:D2}", 1, 2000 + i)).ToList();
        var run = await LoadRunner.RunAsync(writers2, o.Duration, long.MaxValue, ct);
        var sorted = run.LatencyTicks.Order().ToArray();
        return new StoreLevel(run.Events, run.Elapsed, sorted);
    }

    private static string Section(HttpLoadOptions o, string environment, List<(string What, TimeSpan ToFirstCommand)> starts, TimeSpan elapsed,
        List<Sample> samples, CpuSplit cpu, StoreLevel store, JsonElement verify)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Heading).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project ops/bench/Ledger.Bench -- http-load --clients {o.Clients} --duration {o.Duration.TotalSeconds:F0} --warmup {o.Warmup.TotalSeconds:F0}`.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{environment}. Service, PostgreSQL and the load generator share the machine.").AppendLine();
        sb.AppendLine("Cold start (process start → first command answered 2xx; goal < 3 s):").AppendLine();
        sb.AppendLine("| start | to first command |").AppendLine("|---|---:|");
        foreach (var (what, t) in starts) sb.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {t.TotalMilliseconds:F0} ms |");
        sb.AppendLine();
        var ok = samples.Count(s => s.Status is >= 200 and < 300);
        sb.AppendLine(CultureInfo.InvariantCulture, $"{o.Clients} closed-loop clients, one agency each, {elapsed.TotalSeconds:F1} s: {samples.Count} requests ({ok} 2xx), **{samples.Count / elapsed.TotalSeconds:F0} requests/s**; p50 **{Ms(P(samples, 0.50))} ms**, p99 **{Ms(P(samples, 0.99))} ms** (goal p99 < 50 ms).").AppendLine();
        sb.AppendLine("| operation | share | requests | /s | p50 ms | p99 ms | max ms |").AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var g in samples.GroupBy(s => s.Op).OrderBy(g => g.Key))
        {
            var share = Mix.Single(m => m.Op == g.Key).Weight;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {Describe(g.Key)} | {share} % | {g.Count()} | {g.Count() / elapsed.TotalSeconds:F0} | {Ms(P(g, 0.5))} | {Ms(P(g, 0.99))} | {Ms(P(g, 1))} |");
        }
        var (pg, svc, gen, busy) = cpu.PerRequest(samples.Count);
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"CPU per request during the run: PostgreSQL {Cpu(pg)} ms, the service {Cpu(svc)} ms, the load generator {Cpu(gen)} ms; the machine was {busy:F0} % busy ({Environment.ProcessorCount} cores).");
        var writes = samples.Count(s => IsCommand(s.Op));
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Same run, same database, store level: Ledger's append path (Marten FetchForWriting + append + audit seal, the service's role), {o.Clients} writers, single events: **{store.Events / store.Elapsed.TotalSeconds:F0} events/s**, p50 {Ms(LoadRunner.PercentileMs(store.Sorted, 0.5))} ms, p99 {Ms(LoadRunner.PercentileMs(store.Sorted, 0.99))} ms. Over HTTP the writes ran at {writes / elapsed.TotalSeconds:F0}/s while the same clients also read.");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"After the run `GET /api/audit/verify` answered ok={verify.GetProperty("ok").GetBoolean().ToString().ToLowerInvariant()} over {verify.GetProperty("eventsChecked").GetInt64()} events.");
        return sb.ToString();
    }

    private static string Describe(Op op) => op switch
    {
        Op.Correct => "POST realizations/corrections (Idempotency-Key)",
        Op.Record => "POST realizations, a later year not yet reported (Idempotency-Key)",
        Op.PkRevision => "POST pk/{year}/revisions by the approver (Idempotency-Key)",
        Op.Indicator => "GET indicators/{code}?year",
        Op.Table => "GET performance/{year}",
        Op.History => "GET indicators/{code}/history",
        Op.Pk => "GET pk/{year}",
        _ => "GET indicators/{code}?year&asOf",
    };

    internal sealed class AgencyClient(HttpClient http, string agency, string staff, string approver, int seed)
    {
        private readonly Random _rng = new(seed);
        private readonly Dictionary<string, decimal> _last = new(StringComparer.Ordinal);
        // The five IKU are annual: the agency reports them for the later years of its Renstra (their own year streams).
        private readonly Queue<(string Code, int Year)> _unreported = new(
            from year in new[] { 2024, 2025, 2026 } from code in Codes select (code, year));
        private readonly Dictionary<string, decimal> _targets = new(StringComparer.Ordinal)
            { ["I7"] = 1.48m, ["I2"] = 90m, ["I8"] = 90m, ["I6"] = 0.10m, ["I9"] = 68.58m };
        private int _revisions;

        public static async Task<AgencyClient> SetUpAsync(HttpClient http, string admin, int i, CancellationToken ct)
        {
            var agency = $"bkpsdm-load-{i:D2}";
            await PostAsync(http, admin, "/api/agencies", new { code = agency, name = $"BKPSDM Load {i:D2}" }, ct);
            var staff = (await PostAsync(http, admin, "/api/users", new { name = $"Perencana {i:D2}", role = "staff", agency }, ct)).GetProperty("token").GetString()!;
            var approver = (await PostAsync(http, admin, "/api/users", new { name = $"Kepala {i:D2}", role = "approver", agency }, ct)).GetProperty("token").GetString()!;
            var a = $"/api/agencies/{agency}";
            await PostAsync(http, approver, $"{a}/renstra", new { periodStart = 2021, periodEnd = 2026, title = "Renstra BKPSDM 2021-2026", decree = "Perwali 29/2021" }, ct);
            foreach (var (code, polarity, target) in new[] { ("I2", "higher", 75m), ("I6", "lower", 0.25m), ("I7", "higher", 1.85m), ("I8", "higher", 80m), ("I9", "higher", 68.58m) })
                await PostAsync(http, approver, $"{a}/renstra/2021/indicators", new
                {
                    code, name = "Indikator " + code, level = "sasaran", kind = "IKU", unit = "%", polarity, aggregation = "annual",
                    targets = new Dictionary<string, decimal> { ["2023"] = target },
                }, ct);
            var signer = new { name = "Kepala BKPSDM", nip = "19800412 200003 1 003", position = "Kepala Badan" };
            await PostAsync(http, approver, $"{a}/pk/2023", new
            {
                signedOn = "2023-01-31", signer,
                targets = new object[]
                {
                    new { indicator = "I7", target = 1.48m }, new { indicator = "I2", target = 90m }, new { indicator = "I8", target = 90m },
                    new { indicator = "I6", target = 0.10m }, new { indicator = "I9", target = 68.58m },
                },
            }, ct);
            var client = new AgencyClient(http, agency, staff, approver, 4000 + i);
            foreach (var (code, value) in new[] { ("I2", 75m), ("I6", 0.12m), ("I7", 1.50m), ("I8", 90m), ("I9", 81.46m) })
            {
                await PostAsync(http, staff, $"{a}/realizations", new { indicator = code, year = 2023, period = "Y", value, evidence = "rekap 2023" }, ct);
                client._last[code] = value;
            }
            return client;
        }

        public Op NextOp(bool readsOnly = false, bool writesOnly = false)
        {
            if (writesOnly)
            {
                Op command;
                do command = NextOp(); while (!IsCommand(command));
                return command;
            }
            if (readsOnly)
            {
                Op read;
                do read = NextOp(); while (IsCommand(read));
                return read;
            }
            var x = _rng.Next(100);
            foreach (var (op, weight) in Mix)
            {
                if (x < weight) return op == Op.Record && _unreported.Count == 0 ? Op.Correct : op;
                x -= weight;
            }
            return Op.Indicator;
        }

        public async Task<int> ExecuteAsync(Op op, DateTimeOffset setUpAt, CancellationToken ct)
        {
            var a = $"/api/agencies/{agency}";
            var code = Codes[_rng.Next(Codes.Length)];
            HttpResponseMessage r;
            switch (op)
            {
                case Op.Correct:
                    decimal value;
                    do value = Math.Round(50m + (decimal)_rng.NextDouble() * 50m, 2); while (value == _last[code]);
                    r = await SendAsync(http, HttpMethod.Post, $"{a}/realizations/corrections", staff,
                        new { indicator = code, year = 2023, period = "Y", value, reason = "Koreksi data hasil verifikasi" }, ct,
                        ("Idempotency-Key", Guid.NewGuid().ToString()));
                    if (r.IsSuccessStatusCode) _last[code] = value;
                    break;
                case Op.Record:
                    var (reportCode, reportYear) = _unreported.Dequeue();
                    r = await SendAsync(http, HttpMethod.Post, $"{a}/realizations", staff,
                        new { indicator = reportCode, year = reportYear, period = "Y", value = Math.Round(50m + (decimal)_rng.NextDouble() * 40m, 2), evidence = $"laporan tahunan {reportYear}" }, ct,
                        ("Idempotency-Key", Guid.NewGuid().ToString()));
                    break;
                case Op.PkRevision:
                    var revised = new Dictionary<string, decimal>(_targets, StringComparer.Ordinal);
                    // A step of about 5 % (at least 0.01) up or down, never to zero or below: always a change.
                    var step = Math.Max(0.01m, Math.Round(_targets[code] * 0.05m, 2));
                    revised[code] = _rng.Next(2) == 0 && _targets[code] - step > 0 ? _targets[code] - step : _targets[code] + step;
                    r = await SendAsync(http, HttpMethod.Post, $"{a}/pk/2023/revisions", approver, new
                    {
                        reason = $"Penyesuaian target karena APBD perubahan ({++_revisions})", ground = "budget-change", signedOn = "2023-09-30",
                        signer = new { name = "Kepala BKPSDM", nip = "19800412 200003 1 003", position = "Kepala Badan" },
                        targets = revised.Select(t => new { indicator = t.Key, target = t.Value }).ToArray(),
                    }, ct, ("Idempotency-Key", Guid.NewGuid().ToString()));
                    if (r.IsSuccessStatusCode) foreach (var (k, v) in revised) _targets[k] = v;
                    break;
                case Op.Indicator: r = await SendAsync(http, HttpMethod.Get, $"{a}/indicators/{code}?year=2023", staff, null, ct); break;
                case Op.Table: r = await SendAsync(http, HttpMethod.Get, $"{a}/performance/2023", approver, null, ct); break;
                case Op.History: r = await SendAsync(http, HttpMethod.Get, $"{a}/indicators/{code}/history", approver, null, ct); break;
                case Op.Pk: r = await SendAsync(http, HttpMethod.Get, $"{a}/pk/2023", staff, null, ct); break;
                default:
                    var span = DateTimeOffset.UtcNow - setUpAt;
                    var at = setUpAt + span * _rng.NextDouble();
                    r = await SendAsync(http, HttpMethod.Get,
                        $"{a}/indicators/{code}?year=2023&asOf={Uri.EscapeDataString(at.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture))}", approver, null, ct);
                    break;
            }
            using (r)
            {
                await r.Content.CopyToAsync(Stream.Null, ct); // read the whole answer, as a client would
                return (int)r.StatusCode;
            }
        }
    }

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body,
        CancellationToken ct, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        if (body is not null) request.Content = JsonContent.Create(body, options: LedgerJson.Options);
        return await http.SendAsync(request, ct);
    }

    internal static async Task<JsonElement> PostAsync(HttpClient http, string token, string path, object body, CancellationToken ct)
    {
        using var r = await SendAsync(http, HttpMethod.Post, path, token, body, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)r.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    internal static async Task<JsonElement> GetJsonAsync(HttpClient http, string token, string path, CancellationToken ct)
    {
        using var r = await SendAsync(http, HttpMethod.Get, path, token, null, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path} answered {(int)r.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static void Log(string line) => ScenarioRunner.Log(line);
}
