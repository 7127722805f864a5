using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ledger.LocalPostgres;
using Ledger.Testing.Hosts;
using Npgsql;

namespace Ledger.Bench;

internal sealed record TwoHostsOptions(int Clients, TimeSpan Duration, TimeSpan KillEvery, string? Markdown)
{
    public static TwoHostsOptions Parse(string[] args)
    {
        var o = new TwoHostsOptions(8, TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(30), null);
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--clients" => o with { Clients = a.Int(1, 64) },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(a.Int(20, 7200)) },
                "--kill-every" => o with { KillEvery = TimeSpan.FromSeconds(a.Int(10, 3600)) },
                "--markdown" => o with { Markdown = a.Value() },
                _ => throw a.Unknown(),
            };
        }
        return o;
    }
}

/// <summary>
/// two-hosts (issue 13 item 4, the long version of tests/Ledger.Hosts.Tests): two service processes (Release build) on
/// one private durable cluster; the http-load mix (one agency per client, 30 % corrections with Idempotency-Key, reads)
/// spread over both by a round-robin balancer that retries what is safe to retry when a process dies; beside it the
/// racing writers of the short test (If-Match, stale If-Match, plain, on one stream through both). Every
/// <c>--kill-every</c> seconds the daemon's leader is killed with SIGKILL, the take-over is timed, and a new process is
/// started in its place, so two always run. At the end: every check of <see cref="TwoHostsChecks"/>; prints a summary
/// and exits 1 on any problem.
/// </summary>
internal static class TwoHostsBenchmark
{
    public const string Heading = "## Two hosts, one database: the long run (issue 13)";
    private const string ServiceRole = "ledger_app", Database = "ledger";

    private sealed record Kill(string Leader, DateTime At, long HeadAtKill, TimeSpan Takeover, TimeSpan CaughtUp, string NewLeader);

    public static async Task<int> RunAsync(TwoHostsOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-bench-hosts-" + Guid.NewGuid().ToString("N")[..8]);
        LocalPostgresCluster? cluster = null;
        var services = new List<ServiceProcess>();
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log }, ct);
            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
            {
                await using (var c = root.CreateCommand($"CREATE DATABASE {Database}")) await c.ExecuteNonQueryAsync(ct);
                await using (var c = root.CreateCommand($"CREATE ROLE {ServiceRole} LOGIN PASSWORD '{password}'")) await c.ExecuteNonQueryAsync(ct);
            }
            var owner = cluster.SuperUserConnectionString(Database);
            var serviceCs = new NpgsqlConnectionStringBuilder(owner) { Username = ServiceRole, Password = password }.ConnectionString;
            await using var ownerDs = NpgsqlDataSource.Create(owner);
            var environment = await ScenarioRunner.DescribeEnvironmentAsync(ownerDs, ct);
            Log(environment);

            var generation = 0;
            ServiceProcess Start()
            {
                var s = ServiceProcess.Start($"host{++generation}", serviceCs, owner, ServiceRole);
                lock (services) services.Add(s);
                return s;
            }
            var first = new[] { Start(), Start() };
            await Task.WhenAll(first.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(120))));
            Log("Two service processes are healthy.");
            var log = new LogChecks(ownerDs, LogChecks.SakipLockId());
            var pool = new HostPool(first);
            var balancer = new Balancer(pool);
            using var http = new HttpClient(balancer) { BaseAddress = new Uri("http://ledger.balanced"), Timeout = TimeSpan.FromSeconds(60) };

            Log($"Setting up {o.Clients} agencies for the mix and two for the racing writers ...");
            var token = ServiceProcess.AdminToken;
            var clients = new HttpLoadBenchmark.AgencyClient[o.Clients];
            for (var i = 0; i < o.Clients; i++) clients[i] = await HttpLoadBenchmark.AgencyClient.SetUpAsync(http, token, i, ct);
            var contested = await LedgerApi.SetUpAgencyAsync(first[0], "race-x");
            var other = await LedgerApi.SetUpAgencyAsync(first[1], "race-y");
            var setUpAt = DateTimeOffset.UtcNow;

            await using var leadership = new Leadership(log, () => { lock (services) return services.ToList(); });
            leadership.Start();
            var race = new RaceLoad(pool, contested, other, ifMatchClients: 2, plainClients: 2);
            var clock = Stopwatch.StartNew();
            Log($"Running {o.Duration.TotalSeconds:F0} s: {o.Clients} mix clients over both processes, racing writers, the leader killed every {o.KillEvery.TotalSeconds:F0} s ...");
            var mixFailures = 0;
            var mix = clients.Select(c => Task.Run(async () =>
            {
                var requests = 0;
                while (clock.Elapsed < o.Duration && !ct.IsCancellationRequested)
                {
                    try
                    {
                        await c.ExecuteAsync(c.NextOp(), setUpAt, ct);
                        requests++;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref mixFailures); // kept as an outcome by the balancer; the checks judge it
                    }
                }
                return requests;
            }, ct)).ToList();
            var racing = race.RunAsync(o.Duration, seed: 2013, ct);

            var kills = new List<Kill>();
            while (clock.Elapsed + o.KillEvery < o.Duration && !ct.IsCancellationRequested)
            {
                await Task.Delay(o.KillEvery, ct);
                var leader = await Leadership.CurrentLeaderAsync(log, pool.Live, TimeSpan.FromSeconds(60));
                var survivor = pool.Live.Single(s => s != leader);
                var (_, head) = await log.SizeAsync();
                Log($"{clock.Elapsed.TotalSeconds:F0} s: killing the leader {leader.Name} (pid {leader.Pid}) at sequence {head}");
                var sinceKill = Stopwatch.StartNew();
                await pool.KillAsync(leader);
                var at = DateTime.UtcNow;
                var takeover = await Leadership.WaitForHolderAsync(log, survivor, TimeSpan.FromSeconds(60));
                await WaitProjectedAsync(ownerDs, head, TimeSpan.FromSeconds(120), ct);
                var caughtUp = sinceKill.Elapsed;
                Log($"    {survivor.Name} took over in {takeover.TotalSeconds:F1} s and had projected past {head} {caughtUp.TotalSeconds:F1} s after the kill");
                kills.Add(new Kill(leader.Name, at, head, takeover, caughtUp, survivor.Name));
                var replacement = Start();
                await replacement.WaitHealthyAsync(TimeSpan.FromSeconds(120));
                pool.Add(replacement);
                Log($"    {replacement.Name} (pid {replacement.Pid}) started in its place");
            }
            var requests = (await Task.WhenAll(mix)).Sum();
            await racing;
            var elapsed = clock.Elapsed;
            var final = await Leadership.CurrentLeaderAsync(log, pool.Live, TimeSpan.FromSeconds(60));
            var settled = await Leadership.WaitCaughtUpAsync(final, TimeSpan.FromSeconds(120));
            await leadership.DisposeAsync();
            Log($"Load stopped; {final.Name} ran sakip at the head {settled.TotalSeconds:F1} s later. Checking ...");

            var outcomes = race.Outcomes.Concat(balancer.Outcomes).ToList();
            var verify = await HttpLoadBenchmark.GetJsonAsync(final.Http, token, "/api/audit/verify", ct);
            var size = await log.SizeAsync();
            var problems = new List<string>();
            problems.AddRange(TwoHostsChecks.Answers(outcomes, pool.Kills));
            problems.AddRange(await TwoHostsChecks.LogAsync(outcomes, log));
            problems.AddRange(TwoHostsChecks.Leadership(leadership.Samples, pool.Kills, services.ToDictionary(s => s.Name, s => s.Pid)));
            problems.AddRange(TwoHostsChecks.Verification(verify, size));
            problems.AddRange(TwoHostsChecks.DaemonLogs(services.Select(s => (s.Name, s.Output))));

            var section = Section(o, environment, elapsed, outcomes, kills, leadership.Samples, size, balancer.Retries, problems, verify);
            Console.WriteLine(section);
            foreach (var p in problems.Take(100)) Console.WriteLine("PROBLEM: " + p);
            if (o.Markdown is { } path)
            {
                Report.WriteSection(path, section, Heading);
                Log($"Wrote the section to {path}.");
            }
            Console.WriteLine(problems.Count == 0 ? "two-hosts: no problem found" : $"two-hosts: {problems.Count} problems");
            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var s in services) await s.DisposeAsync();
            if (cluster is not null) await cluster.StopAsync();
        }
    }

    /// <summary>Polls sakip's committed progression until it is at or past <paramref name="sequence"/>.</summary>
    private static async Task<TimeSpan> WaitProjectedAsync(NpgsqlDataSource owner, long sequence, TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            await using var cmd = owner.CreateCommand("SELECT coalesce(max(last_seq_id), 0) FROM ledger.mt_event_progression WHERE name = 'sakip:All'");
            if ((long)(await cmd.ExecuteScalarAsync(ct))! >= sequence) return waited.Elapsed;
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"sakip did not reach sequence {sequence} within {timeout.TotalSeconds} s");
    }

    private static string Section(TwoHostsOptions o, string environment, TimeSpan elapsed, List<CommandOutcome> outcomes, List<Kill> kills,
        IReadOnlyList<Leadership.Sample> samples, (long Events, long Head) size, int retries, List<string> problems, System.Text.Json.JsonElement verify)
    {
        static string S(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine(Heading).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: `ops/two-hosts/run --duration {o.Duration.TotalSeconds:F0} --kill-every {o.KillEvery.TotalSeconds:F0} --clients {o.Clients}`.");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"{environment}. Two service processes (Release) on one durable cluster, the load generator, PostgreSQL and both processes on the same machine; load average at the end {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (other work shares the machine).").AppendLine();
        var answered = outcomes.Where(x => x.Transport is null).ToList();
        var writes = answered.Count(x => x.Kind != "read" && x.Ok);
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"{elapsed.TotalSeconds:F0} s: {answered.Count} requests answered ({answered.Count / elapsed.TotalSeconds:F0}/s), {writes} writes committed ({writes / elapsed.TotalSeconds:F0}/s); log at the end {size.Events} events (head {size.Head}). " +
            $"{kills.Count} leader kills (SIGKILL), each followed by a new process; {outcomes.Count(x => x.Transport is not null)} requests got no answer from a killed process, {retries} of them sent again by the balancer (GETs and writes with an Idempotency-Key).").AppendLine();
        sb.AppendLine("Answers by kind: " + TwoHostsChecks.Summary(outcomes) + ".").AppendLine();
        if (kills.Count > 0)
        {
            sb.AppendLine("| kill | leader killed | took over | lock taken after | projected past the kill's head after |");
            sb.AppendLine("|---:|---|---|---:|---:|");
            for (var i = 0; i < kills.Count; i++)
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {kills[i].Leader} | {kills[i].NewLeader} | {S(kills[i].Takeover.TotalSeconds)} s | {S(kills[i].CaughtUp.TotalSeconds)} s |");
            var t = kills.Select(k => k.Takeover.TotalSeconds).Order().ToArray();
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Take-over: min {S(t[0])} s, median {S(t[t.Length / 2])} s, max {S(t[^1])} s (Marten polls for leadership every 5 s).");
        }
        var overlap = samples.Count(x => x.RunningHere.Count > 1);
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Leadership sampled {samples.Count} times (every {Leadership.Period.TotalMilliseconds:F0} ms): samples with two processes running sakip: {overlap}; with two lock holders: {samples.Count(x => x.Holders.Count > 1)}.");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"`GET /api/audit/verify` after the run: ok={verify.GetProperty("ok").GetBoolean().ToString().ToLowerInvariant()}, {verify.GetProperty("eventsChecked").GetInt64()} events, read models compared at the head. Problems found by the checks: {problems.Count}.");
        return sb.ToString();
    }

    private static void Log(string line) => ScenarioRunner.Log(line);
}
