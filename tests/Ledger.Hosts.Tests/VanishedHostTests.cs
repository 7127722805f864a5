using System.Diagnostics;
using Ledger.LocalPostgres;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Hosts.Tests;

/// <summary>
/// Issue 13: the daemon's leader on a host that vanishes without closing its sockets. Each service process runs in a
/// network namespace of its own (a "host"); PostgreSQL (a cluster of this test's, with short server keepalives: 2 s idle,
/// 2 probes 1 s apart) listens on both links. The leader's host is cut off (its link down: nothing it sent arrives, nothing
/// sent to it is answered) and frozen (SIGSTOP). Only PostgreSQL's keepalives can end its session and release its
/// leadership lock; the other process then takes over. When the lost host comes back, it finds its lock connection gone
/// and stops leading.
/// </summary>
public sealed class VanishedHostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Role = "svc_vanish", Password = "vanish-test-password";
    private NetworkNamespace _hostA = null!, _hostB = null!;
    private LocalPostgresCluster _cluster = null!;
    private readonly List<ServiceProcess> _services = [];
    private string _hba = "";

    public async Task InitializeAsync()
    {
        _hostA = await NetworkNamespace.CreateAsync("a");
        _hostB = await NetworkNamespace.CreateAsync("b");
        _hba = Path.Combine(Path.GetTempPath(), $"ledger-vanish-hba-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(_hba, "host all all 127.0.0.1/32 scram-sha-256\nhost all all 10.213.0.0/16 scram-sha-256\n");
        _cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "ledger-vanish-" + Guid.NewGuid().ToString("N")[..8]),
            Durable = false, DeleteOnStop = true,
            ServerSettings = new Dictionary<string, string>
            {
                ["listen_addresses"] = $"127.0.0.1,{_hostA.Gateway},{_hostB.Gateway}",
                ["hba_file"] = _hba,
                ["tcp_keepalives_idle"] = "2", ["tcp_keepalives_interval"] = "1", ["tcp_keepalives_count"] = "2",
            },
        });
        await using var admin = NpgsqlDataSource.Create(_cluster.SuperUserConnectionString());
        await using (var c = admin.CreateCommand("CREATE DATABASE vanish")) await c.ExecuteNonQueryAsync();
        await using (var c = admin.CreateCommand($"CREATE ROLE {Role} LOGIN PASSWORD '{Password}'")) await c.ExecuteNonQueryAsync();
    }

    private string Via(NetworkNamespace host, string user, string password) =>
        new NpgsqlConnectionStringBuilder(_cluster.SuperUserConnectionString("vanish")) { Host = host.Gateway, Username = user, Password = password }.ConnectionString;

    private ServiceProcess StartOn(NetworkNamespace host, string name)
    {
        var owner = new NpgsqlConnectionStringBuilder(_cluster.SuperUserConnectionString("vanish")) { Host = host.Gateway }.ConnectionString;
        var s = ServiceProcess.Start(name, Via(host, Role, Password), owner, Role, host: host.Address, netns: host.Name);
        _services.Add(s);
        return s;
    }

    [Fact]
    public async Task When_the_leaders_host_vanishes_PostgreSQL_ends_its_session_by_keepalive_the_other_takes_over_and_the_lost_one_stands_down_on_return()
    {
        var clock = Stopwatch.StartNew();
        var a = StartOn(_hostA, "vanish-a");
        var b = StartOn(_hostB, "vanish-b");
        await Task.WhenAll(a.WaitHealthyAsync(TimeSpan.FromSeconds(120)), b.WaitHealthyAsync(TimeSpan.FromSeconds(120)));
        await using var ownerDs = NpgsqlDataSource.Create(_cluster.SuperUserConnectionString("vanish"));
        var log = new LogChecks(ownerDs, LogChecks.SakipLockId());
        var agency = await LedgerApi.SetUpAgencyAsync(a, "vanish-x");
        var leader = await Leadership.CurrentLeaderAsync(log, [a, b], TimeSpan.FromSeconds(30));
        var other = leader == a ? b : a;
        var lockBackend = (await log.SakipHoldersAsync()).Single().BackendPid;
        await Leadership.WaitCaughtUpAsync(leader, TimeSpan.FromSeconds(30));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {leader.Name} leads (lock on backend {lockBackend})");

        await using var leadership = new Leadership(log, [a, b]);
        leadership.Start();
        var lostHost = leader == a ? _hostA : _hostB;
        await lostHost.CutAsync();
        await leader.SignalAsync("STOP");
        var vanished = DateTime.UtcNow;
        var takeover = await Leadership.WaitForHolderAsync(log, other, TimeSpan.FromSeconds(40));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {other.Name} holds sakip's lock {takeover.TotalSeconds:F1} s after {leader.Name}'s host vanished");
        Assert.True(takeover < TimeSpan.FromSeconds(20), $"take-over took {takeover.TotalSeconds:F1} s");
        // The lock was released because PostgreSQL's keepalive probes went unanswered, not by anything the lost host did.
        var serverLog = string.Concat(Directory.GetFiles(Path.Combine(_cluster.PgData, "log")).Select(File.ReadAllText));
        Assert.Contains("could not receive data from client: Connection timed out", serverLog);

        // Writes through the survivor are projected by it.
        for (var i = 0; i < 5; i++)
            Assert.True((await LedgerApi.PostAsync(other, "plain", agency.Staff, agency.Corrections, LedgerApi.Correction("I2", 9000 + i))).Ok);
        await Leadership.WaitCaughtUpAsync(other, TimeSpan.FromSeconds(30));

        // The lost host comes back: its lock connection is dead (PostgreSQL reset it), so it must stop leading.
        var restoring = DateTime.UtcNow;
        await lostHost.RestoreAsync();
        await leader.SignalAsync("CONT");
        var returned = DateTime.UtcNow;
        var back = Stopwatch.StartNew();
        TimeSpan? stoodDown = null;
        while (back.Elapsed < TimeSpan.FromSeconds(40))
        {
            if (await leader.HealthAsync() is { RunningHere: false }) { stoodDown = back.Elapsed; break; }
            await Task.Delay(100);
        }
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {leader.Name} back; stood down after {stoodDown?.TotalSeconds:F1} s");
        Assert.NotNull(stoodDown);
        for (var i = 0; i < 5; i++)
            Assert.True((await LedgerApi.PostAsync(leader, "plain", agency.Staff, agency.Corrections, LedgerApi.Correction("I8", 9100 + i))).Ok);
        // If the lost one tried a page on its way back, Marten's compare-and-swap on the progression refused it (nothing of it
        // committed) and its report ("Stopped, out of order") went over the leader's in the shared progression row; the
        // leader's heartbeat writes "running" again within seconds, and every process's /health says so.
        await Leadership.WaitCaughtUpAsync(other, TimeSpan.FromSeconds(30));
        var lostView = await leader.HealthAsync();
        Assert.True(lostView is { Status: 200, RunningHere: false, ProjectionStatus: "running", Lag: 0 }, lostView?.Body.ToString());
        output.WriteLine(leader.Output.Contains("ProgressionProgressOutOfOrderException", StringComparison.Ordinal)
            ? $"{leader.Name} tried a page on its way back and was refused (progression out of order)"
            : $"{leader.Name} stood down without trying a page");
        await leadership.DisposeAsync();

        var samples = leadership.Samples;
        foreach (var s in samples.Where(s => s.RunningHere.Count > 1))
            output.WriteLine($"{s.Start:HH:mm:ss.fff}: both say they run sakip; holders {string.Join(", ", s.Holders)}");
        // Two processes say they run sakip only in the moments after the lost one came back, before it noticed. A sample
        // is timed from its first request to its last answer: one begun while the lost host was stopped waits for its
        // answer until it runs again (CI once saw one begin 1.6 s before the return), so it is its end that must follow
        // the restore's beginning.
        Assert.All(samples.Where(s => s.RunningHere.Count > 1), s =>
        {
            Assert.True(s.End >= restoring, $"a sample answered at {s.End:HH:mm:ss.fff} says both run, before the lost host was restored at {restoring:HH:mm:ss.fff}");
            Assert.True(s.Start <= returned.AddSeconds(15), $"both still said they run sakip at {s.Start:HH:mm:ss.fff}, more than 15 s after the return");
        });
        var (status, verify) = await LedgerApi.GetAsync(other, ServiceProcess.AdminToken, "/api/audit/verify");
        Assert.Equal(200, status);
        var problems = TwoHostsChecks.Verification(verify, await log.SizeAsync()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.DoesNotContain(samples, s => s.Holders.Count > 1);
        Assert.All(samples.Where(s => s.Start > vanished), s => Assert.DoesNotContain(s.Holders, h => h.ServicePid == leader.Pid));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: done");
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _services) await s.DisposeAsync();
        await _cluster.StopAsync();
        await _hostA.DisposeAsync();
        await _hostB.DisposeAsync();
        File.Delete(_hba);
    }
}
