using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Ledger.LocalPostgres;
using Npgsql;
using ServiceProcess = Ledger.Testing.Hosts.ServiceProcess;

namespace Ledger.Chaos;

/// <summary>
/// One crash-test run (docs/reliability.md): a durable throwaway PostgreSQL cluster (fsync and synchronous commit on, as
/// in production: an acknowledged commit must survive an immediate shutdown), the service as a child process deployed
/// as in production (the owner migrates, the service runs as a restricted role), rounds of load with faults, then
/// <see cref="ChaosChecks"/>. Everything it starts is stopped and deleted at the end, also when it fails.
/// </summary>
public static class ChaosRun
{
    public const string AdminToken = "chaos-admin-token";
    private const string ServiceRole = "ledger_app";
    private const string Database = "ledger";

    private enum Fault { Kill, CommitKill, FastRestart, ImmediateRestart, Outage }

    public static async Task<ChaosReport> RunAsync(ChaosOptions o, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var runId = Guid.NewGuid().ToString("N")[..8];
        var dll = o.ServiceDll ?? ServiceProcess.FindService();
        var report = new ChaosReport { Options = o };
        var rng = new Random(o.Seed);
        var log = o.Log;
        LocalPostgresCluster? cluster = null;
        ServiceUnderTest? service = null;
        try
        {
            var dir = Path.Combine(Path.GetTempPath(), $"ledger-chaos-{Environment.ProcessId}-{runId}");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = log }, ct);
            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
            {
                await using (var c = root.CreateCommand($"CREATE DATABASE {Database}")) await c.ExecuteNonQueryAsync(ct);
                await using (var c = root.CreateCommand($"CREATE ROLE {ServiceRole} LOGIN PASSWORD '{password}'")) await c.ExecuteNonQueryAsync(ct);
            }
            var owner = cluster.SuperUserConnectionString(Database);
            var serviceCs = new NpgsqlConnectionStringBuilder(owner) { Username = ServiceRole, Password = password }.ConnectionString;
            var logFile = o.ServiceLog ?? Path.Combine(Path.GetTempPath(), $"ledger-chaos-{runId}-service.log");
            var environment = ServiceProcess.DeploymentEnvironment(serviceCs, owner, ServiceRole, AdminToken, new string('c', 64));
            environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
            environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
            environment["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ";
            environment["Logging__Console__UseUtcTimestamp"] = "true";
            service = new ServiceUnderTest(dll, ServiceProcess.FreePort(), environment, logFile, log);
            log($"run {runId}, seed {o.Seed}; service output: {logFile}");
            await service.StartAsync(ct);

            using var http = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false, MaxConnectionsPerServer = 256, ConnectTimeout = TimeSpan.FromSeconds(3),
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            })
            { BaseAddress = service.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            var seen = new Observations();
            var sender = new Sender(http, o, seen);
            var commands = new ConcurrentQueue<Sent>();
            var workloads = new List<AgencyWorkload>();
            var keys = 0;
            string NewKey() => $"chaos-{runId}-{Interlocked.Increment(ref keys)}";

            for (var round = 1; round <= o.Rounds; round++)
            {
                log($"round {round}: setting up {o.Clients} agencies");
                var agencies = new List<AgencyWorkload>();
                for (var c = 0; c < o.Clients + (o.CommitKills > 0 ? 1 : 0); c++)
                    agencies.Add(await AgencyWorkload.SetUpAsync(sender, AdminToken, $"chaos-{runId}-r{round}-c{c}", rng.Next(), round, NewKey, commands.Enqueue, ct));
                workloads.AddRange(agencies);
                var probeAgency = o.CommitKills > 0 ? agencies[^1] : null;
                var clients = o.CommitKills > 0 ? agencies[..^1] : agencies;

                var faults = Enumerable.Repeat(Fault.Kill, o.Kills).Concat(Enumerable.Repeat(Fault.CommitKill, o.CommitKills))
                    .Concat(Enumerable.Repeat(Fault.FastRestart, o.FastRestarts)).Concat(Enumerable.Repeat(Fault.ImmediateRestart, o.ImmediateRestarts))
                    .Concat(Enumerable.Repeat(Fault.Outage, o.Outages))
                    .ToArray();
                rng.Shuffle(faults);

                log($"round {round}: load for {o.Load.TotalSeconds:F0} s with {faults.Length} faults");
                using var stop = new CancellationTokenSource();
                var load = Stopwatch.StartNew();
                var running = clients.Select(w => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested) await w.StepAsync(sender, commands.Enqueue, ct);
                }, ct)).ToList();

                for (var i = 0; i < faults.Length; i++)
                {
                    var at = o.Load * (i + 1) / (faults.Length + 1);
                    if (at > load.Elapsed) await Task.Delay(at - load.Elapsed, ct);
                    var t = load.Elapsed;
                    var took = Stopwatch.StartNew();
                    var what = await RunFaultAsync(faults[i], service, cluster, probeAgency, http, o, seen, commands, report, ct);
                    report.Faults.Add(string.Create(CultureInfo.InvariantCulture, $"round {round} at {t.TotalSeconds,5:F1} s: {what} ({took.Elapsed.TotalSeconds:F1} s)"));
                    log(report.Faults[^1]);
                }
                // The load goes on past the last fault's recovery, then each client finishes its current command.
                var tail = TimeSpan.FromSeconds(Math.Min(3, o.Load.TotalSeconds / 10));
                var until = TimeSpan.FromTicks(Math.Max(o.Load.Ticks, (load.Elapsed + tail).Ticks));
                if (until > load.Elapsed) await Task.Delay(until - load.Elapsed, ct);
                await stop.CancelAsync();
                await Task.WhenAll(running);
                log($"round {round}: load ended after {load.Elapsed.TotalSeconds:F1} s; {commands.Count} commands so far");
            }

            report.ServiceStarts = service.Starts;
            await ChaosChecks.RunAsync(report, o, owner, sender, http, [.. commands], workloads, runId, ct);
            AddObservations(report, seen);
            if (!report.Ok) log($"the service's output: {logFile}");
            else if (o.ServiceLog is null) File.Delete(logFile);
            return report;
        }
        finally
        {
            report.Elapsed = clock.Elapsed;
            if (service is not null) await service.DisposeAsync();
            if (cluster is not null)
            {
                // PostgreSQL's own log goes with the service's, when that is kept.
                if (o.ServiceLog is { } kept && Directory.Exists(Path.Combine(cluster.PgData, "log")))
                    foreach (var file in Directory.GetFiles(Path.Combine(cluster.PgData, "log")))
                        File.Copy(file, kept + ".postgres-" + Path.GetFileName(file), overwrite: true);
                await cluster.StopAsync();
            }
        }
    }

    /// <summary>What the clients saw, into the report; a 503 counts as "while the database was up" when its attempt was on its way neither during a restart or outage nor within a second after.</summary>
    private static void AddObservations(ChaosReport report, Observations seen)
    {
        report.Retries = seen.Retries;
        report.ConnectionFailures = seen.ConnectionFailures;
        report.Timeouts = seen.Timeouts;
        report.Unavailable503 = seen.ServiceUnavailable;
        report.Statuses = new Dictionary<int, int>(seen.Statuses);
        report.ServerErrors5xx = seen.Statuses.Where(s => s.Key >= 500 && s.Key != 503).Sum(s => s.Value);
        report.ServerErrors.AddRange(seen.ServerErrors);
        report.UnavailableWithoutRetryAfter.AddRange(seen.UnavailableWithoutRetryAfter);
        var grace = Stopwatch.Frequency;
        report.UnavailableWhileDatabaseUp.AddRange(seen.Unavailable
            .Where(u => !report.DatabaseAway.Any(w => u.SentAt <= w.Until + grace && u.AnsweredAt >= w.From))
            .Select(u => string.Create(CultureInfo.InvariantCulture,
                $"sent {DateTime.UtcNow - Stopwatch.GetElapsedTime(u.SentAt):HH:mm:ss.fff} UTC, answered {Stopwatch.GetElapsedTime(u.SentAt, u.AnsweredAt).TotalSeconds:F1} s later: {u.What}")));
    }

    private static async Task<string> RunFaultAsync(Fault fault, ServiceUnderTest service, LocalPostgresCluster cluster, AgencyWorkload? probeAgency,
        HttpClient http, ChaosOptions o, Observations seen, ConcurrentQueue<Sent> commands, ChaosReport report, CancellationToken ct)
    {
        switch (fault)
        {
            case Fault.Kill:
            {
                var pid = service.Pid;
                await service.KillAsync();
                report.Kills++;
                await service.StartAsync(ct);
                return $"kill -9 of the service (pid {pid}), started again";
            }
            case Fault.FastRestart:
                await DatabaseAwayAsync(report, () => cluster.RestartAsync(immediate: false, ct: ct));
                report.FastRestarts++;
                return "pg_ctl restart -m fast";
            case Fault.ImmediateRestart:
                await DatabaseAwayAsync(report, () => cluster.RestartAsync(immediate: true, ct: ct));
                report.ImmediateRestarts++;
                return "pg_ctl restart -m immediate";
            case Fault.Outage:
                await DatabaseAwayAsync(report, () => cluster.RestartAsync(immediate: true, o.OutageLength, ct));
                report.Outages++;
                return $"PostgreSQL away for {o.OutageLength.TotalSeconds:F0} s (pg_ctl stop -m immediate, start)";
            default:
                return await CommitKillAsync(service, probeAgency!, http, o, seen, commands, report, ct);
        }
    }

    /// <summary>When the database was away: from the restart's start until it accepts connections again.</summary>
    private static async Task DatabaseAwayAsync(ChaosReport report, Func<Task> restart)
    {
        var from = Stopwatch.GetTimestamp();
        try
        {
            await restart();
        }
        finally
        {
            report.DatabaseAway.Add((from, Stopwatch.GetTimestamp()));
        }
    }

    /// <summary>
    /// <see cref="CommitCrashProbe"/>: a realization of the probe agency whose answer is swallowed while the service is
    /// killed right after the commit; the service is started again; the client's retry (same key) must be answered with
    /// the swallowed answer, marked replayed. The log check later finds its events exactly once. When the probe's
    /// attempt was not committed (a 503: e.g. it met a pooled connection a PostgreSQL restart had broken), the service
    /// is not killed, the client retries as usual, and another realization probes again (at most five).
    /// </summary>
    private static async Task<string> CommitKillAsync(ServiceUnderTest service, AgencyWorkload probeAgency, HttpClient http, ChaosOptions o,
        Observations seen, ConcurrentQueue<Sent> commands, ChaosReport report, CancellationToken ct)
    {
        var notCommitted = new List<int>();
        for (var probe = 1; probe <= 5; probe++)
        {
            var attempted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Answer? swallowed = null;
            int? status = null;
            var killed = false;
            var clientSawFailure = false;
            var pid = service.Pid;
            var probeSender = new Sender(http, o, seen, async (r, token) =>
            {
                try
                {
                    (swallowed, status, killed, clientSawFailure) = await CommitCrashProbe.AttemptAsync(r, service.BaseAddress, async () =>
                    {
                        await service.KillAsync();
                        report.CommitKills++;
                    }, o.AttemptTimeout, token);
                }
                finally
                {
                    attempted.TrySetResult();
                }
                throw new HttpRequestException("the relay closed the connection without an answer");
            });
            Sent? sent = null;
            var running = probeAgency.RecordOneAsync(probeSender, s => { sent = s; commands.Enqueue(s); }, ct);
            await attempted.Task;
            if (killed) await service.StartAsync(ct);
            await running;
            if (!killed)
            {
                notCommitted.Add(status ?? 0);
                continue;
            }

            var retried = sent?.Final;
            if (swallowed is null) report.ProbeFailures.Add("the probe's answer could not be read from what the relay swallowed");
            else if (!clientSawFailure) report.ProbeFailures.Add("the client received the answer the relay swallowed");
            else if (retried is null) report.ProbeFailures.Add("the probe's retry got no definitive answer");
            else if (ChaosChecks.CompareReplay(swallowed, retried) is { } problems)
                report.ProbeFailures.Add($"{sent!.Describe()}: the retry after a crash between commit and answer: {problems}");
            var before = notCommitted.Count > 0 ? $" (after {notCommitted.Count} attempt(s) answered {string.Join(", ", notCommitted)}, not committed)" : "";
            return $"kill -9 of the service (pid {pid}) between a commit and its answer{before} ({sent?.Outcome.Request.Key}: swallowed {swallowed?.Status}, " +
                $"retry {retried?.Status}{(retried?.Replayed == true ? " replayed" : "")}), started again";
        }
        report.ProbeFailures.Add($"five commit-kill probes in a row were not committed (answers {string.Join(", ", notCommitted)}): the service was not killed");
        return "commit-kill probe: no attempt was committed";
    }
}
