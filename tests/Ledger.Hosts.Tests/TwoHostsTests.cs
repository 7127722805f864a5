using System.Diagnostics;
using Ledger.Testing.Postgres;
using Xunit.Abstractions;

namespace Ledger.Hosts.Tests;

/// <summary>
/// Issue 13, "two hosts, one database" (short version; the long one is <c>ops/two-hosts/run</c>): two service processes,
/// started together on an empty database, behind clients that race on the same stream through both; the leader of the
/// async daemon is killed with SIGKILL mid-load. See <see cref="TwoHostsChecks"/> for what is checked.
/// </summary>
public sealed class TwoHostsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private string _role = "";
    private readonly List<ServiceProcess> _services = [];

    public async Task InitializeAsync()
    {
        _db = await TestCluster.CreateEmptyDatabaseAsync("hosts");
        _role = await _db.CreateLoginRoleAsync();
    }

    [Fact]
    public async Task Two_processes_racing_on_one_stream_lose_no_update_lead_one_at_a_time_and_the_survivor_takes_over_a_killed_leader()
    {
        var clock = Stopwatch.StartNew();
        var cs = _db.ServiceConnectionString(_role);
        // Started together on an empty database: their start-up migrations must not race (one of them died of it).
        var a = Track(ServiceProcess.Start("a", cs, _db.OwnerConnectionString, _role));
        var b = Track(ServiceProcess.Start("b", cs, _db.OwnerConnectionString, _role));
        await Task.WhenAll(a.WaitHealthyAsync(TimeSpan.FromSeconds(120)), b.WaitHealthyAsync(TimeSpan.FromSeconds(120)));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: both healthy");

        var log = new LogChecks(_db.Owner, LogChecks.SakipLockId());
        var pool = new HostPool([a, b]);
        var contested = await LedgerApi.SetUpAgencyAsync(a, "hosts-x");
        var other = await LedgerApi.SetUpAgencyAsync(b, "hosts-y");
        var leader = await Leadership.CurrentLeaderAsync(log, [a, b], TimeSpan.FromSeconds(30));
        var survivor = leader == a ? b : a;
        await LockConnectionHasKeepalivesAsync(log);

        await using var leadership = new Leadership(log, [a, b]);
        leadership.Start();
        var load = new RaceLoad(pool, contested, other);
        var phase = TimeSpan.FromSeconds(8);
        var running = load.RunAsync(phase * 2, seed: 13, CancellationToken.None);

        var (key, burst) = await load.IdempotentBurstAsync(perHost: 3);
        await Task.Delay(phase);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: killing the leader, {leader.Name} (pid {leader.Pid})");
        await pool.KillAsync(leader);
        var takeover = await Leadership.WaitForHolderAsync(log, survivor, TimeSpan.FromSeconds(30));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {survivor.Name} holds sakip's lock {takeover.TotalSeconds:F1} s after the kill");
        await running;
        var catchUp = await Leadership.WaitCaughtUpAsync(survivor, TimeSpan.FromSeconds(30));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {survivor.Name} ran sakip at the head {catchUp.TotalSeconds:F1} s after the load stopped");
        await leadership.DisposeAsync();

        var outcomes = load.Outcomes.ToList();
        output.WriteLine(TwoHostsChecks.Summary(outcomes));
        var (status, verify) = await LedgerApi.GetAsync(survivor, ServiceProcess.AdminToken, "/api/audit/verify");
        Assert.Equal(200, status);

        var problems = new List<string>();
        problems.AddRange(TwoHostsChecks.Answers(outcomes, pool.Kills));
        problems.AddRange(await TwoHostsChecks.LogAsync(outcomes, log));
        problems.AddRange(TwoHostsChecks.Leadership(leadership.Samples, pool.Kills, new Dictionary<string, int> { [a.Name] = a.Pid, [b.Name] = b.Pid }));
        problems.AddRange(TwoHostsChecks.Verification(verify, await log.SizeAsync()));
        problems.AddRange(TwoHostsChecks.DaemonLogs([(a.Name, a.Output), (b.Name, b.Output)]));
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(40)));

        // The races happened: both kinds of writer won and lost on the contested stream, through both processes.
        Assert.Contains(outcomes, o => o is { Kind: "if-match", Ok: true });
        Assert.Contains(outcomes, o => o is { Kind: "if-match", Status: 412 } || o is { Kind: "stale-if-match", Status: 412 });
        Assert.Contains(outcomes, o => o is { Kind: "plain", Ok: true } && o.Stream == contested.Year);
        foreach (var host in new[] { a, b }) Assert.Contains(outcomes, o => o.Host == host.Name && o.Ok && o.Stream == contested.Year);
        // One write for the key, whichever process each copy reached; every answer names it.
        Assert.Equal(1, await log.EventsWithKeyAsync(key));
        Assert.Single(burst.SelectMany(o => o.EventIds).Distinct());
        // The leadership: the first leader until its kill, then the survivor, who also projected what came after.
        var samples = leadership.Samples;
        Assert.All(samples.Where(s => s.End < pool.Kills[0].At), s => Assert.True(s.RunningHere.All(h => h == leader.Name)));
        Assert.Contains(samples, s => s.RunningHere.Contains(leader.Name));
        Assert.Contains(samples, s => s.RunningHere.Contains(survivor.Name) && s.Start > pool.Kills[0].At);
        Assert.True(takeover < TimeSpan.FromSeconds(20), $"take-over took {takeover.TotalSeconds:F1} s");

        // The progression row is shared: a process that lost its leadership without knowing it writes its failure over the
        // leader's status (VanishedHostTests). Played here as the owner: the leader's heartbeat must put "running" back.
        await _db.ScalarAsync<int>("""
            UPDATE ledger.mt_event_progression SET agent_status = 'Stopped', failure_category = 'ProgressionOutOfOrder',
              pause_reason = 'Progression is out of order (played by the test)' WHERE name = 'sakip:All' RETURNING 1
            """);
        var forged = await survivor.HealthAsync();
        Assert.Equal("stopped", forged?.ProjectionStatus);
        var healed = await Leadership.WaitCaughtUpAsync(survivor, TimeSpan.FromSeconds(30));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: the leader's heartbeat wrote its status again after {healed.TotalSeconds:F1} s");
        var view = await survivor.HealthAsync();
        var sakip = view!.Body.GetProperty("projections")[0];
        Assert.Equal(System.Text.Json.JsonValueKind.Null, sakip.GetProperty("error").ValueKind);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: done");
    }

    /// <summary>
    /// The leader's lock connection has TCP keepalives at both ends (issue 13): the service's side (Npgsql, from
    /// <c>LedgerMarten.ForLedger</c>: first probe after 10 s idle) finds a vanished server, PostgreSQL's side (the local
    /// cluster's <c>tcp_keepalives_idle = 30</c>, where PostgreSQL's default is the kernel's 2 h) a vanished client.
    /// </summary>
    private async Task LockConnectionHasKeepalivesAsync(LogChecks log)
    {
        var holder = (await log.SakipHoldersAsync()).Single();
        var clientPort = await _db.ScalarAsync<int>("SELECT client_port FROM pg_stat_activity WHERE pid = @p", ("p", holder.BackendPid));
        var serverPort = new Npgsql.NpgsqlConnectionStringBuilder(_db.OwnerConnectionString).Port;
        var (client, server) = TcpSockets.Connection(clientPort, serverPort);
        output.WriteLine($"lock connection {clientPort} → {serverPort}: client {client}, server {server}");
        Assert.Equal(TcpSockets.KeepaliveTimer, client.Timer);
        Assert.InRange(client.Due, TimeSpan.Zero, TimeSpan.FromSeconds(Ledger.Storage.LedgerMarten.TcpKeepaliveTime));
        Assert.Equal(TcpSockets.KeepaliveTimer, server.Timer);
        Assert.InRange(server.Due, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal("30", await _db.ScalarAsync<string>("SELECT setting FROM pg_settings WHERE name = 'tcp_keepalives_idle'"));
    }

    private ServiceProcess Track(ServiceProcess s)
    {
        _services.Add(s);
        return s;
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _services) await s.DisposeAsync();
        await _db.DisposeAsync();
    }
}
