using System.Diagnostics;
using Ledger.Api.Infrastructure;
using Ledger.Storage;
using Ledger.Testing.Postgres;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Hosts.Tests;

/// <summary>
/// Issue 13: Ledger behind Debian's PgBouncer. Session mode works (a client connection keeps its server session, and
/// PgBouncer's <c>DISCARD ALL</c> ends a dead client's advisory locks); transaction mode hands a client's statements to any
/// server session, which breaks the session-level advisory lock the daemon's leadership is, so the service detects it at
/// start and refuses (docs/deployment.md).
/// </summary>
public sealed class PgBouncerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private string _role = "";
    private PgBouncer _bouncer = null!;
    private readonly List<ServiceProcess> _services = [];

    public async Task InitializeAsync()
    {
        _db = await TestCluster.CreateEmptyDatabaseAsync("bouncer");
        _role = await _db.CreateLoginRoleAsync();
        _bouncer = await PgBouncer.StartAsync(_db.ServiceConnectionString(_role));
    }

    private string Direct => _db.ServiceConnectionString(_role);

    [Fact]
    public async Task Under_transaction_pooling_two_clients_both_get_one_session_lock_and_the_probe_says_so_while_session_pooling_passes()
    {
        // What breaks: two client connections each "take" the same session-level advisory lock (PgBouncer ran both on one
        // server session, which already held it), as two processes' leadership polls would.
        var tx = _bouncer.ConnectionString(Direct, "transaction");
        await using (var first = new NpgsqlConnection(tx + ";Pooling=false"))
        await using (var second = new NpgsqlConnection(tx + ";Pooling=false"))
        {
            await first.OpenAsync();
            await second.OpenAsync();
            Assert.True(await TryLockAsync(first, 424242));
            Assert.True(await TryLockAsync(second, 424242));
        }
        // And with both clients gone the lock lives on, in a pooled server session nobody resets (a dead leader's lock
        // would never be released).
        Assert.Equal(1L, await _db.ScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
        await using (var first = new NpgsqlConnection(_bouncer.ConnectionString(Direct, "session") + ";Pooling=false"))
        await using (var second = new NpgsqlConnection(_bouncer.ConnectionString(Direct, "session") + ";Pooling=false"))
        {
            await first.OpenAsync();
            await second.OpenAsync();
            Assert.True(await TryLockAsync(first, 434343));
            Assert.False(await TryLockAsync(second, 434343));
        }

        Assert.Null(await PoolingProbe.CheckAsync(Direct));
        Assert.Null(await PoolingProbe.CheckAsync(_bouncer.ConnectionString(Direct, "session")));
        var transaction = await PoolingProbe.CheckAsync(tx);
        var statement = await PoolingProbe.CheckAsync(_bouncer.ConnectionString(Direct, "statement"));
        output.WriteLine($"transaction: {transaction}\nstatement: {statement}");
        Assert.Contains("pool_mode = transaction", transaction);
        Assert.Contains("statement", statement);
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection c, long key)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({key})", c);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Transaction_mode_is_refused_at_start_with_the_reason_on_health_and_nothing_is_written()
    {
        var s = Track(ServiceProcess.Start("tx", _bouncer.ConnectionString(Direct, "transaction"), _db.OwnerConnectionString, _role));
        var waited = Stopwatch.StartNew();
        ServiceProcess.HealthView? health;
        while ((health = await s.HealthAsync()) is null)
        {
            Assert.False(s.Exited, s.Output);
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "no answer on /health:\n" + s.Output);
            await Task.Delay(200);
        }
        output.WriteLine(health.Body.ToString());
        Assert.Equal(503, health.Status);
        Assert.Equal(StartupRefusal.Title, health.Body.GetProperty("title").GetString());
        var detail = health.Body.GetProperty("detail").GetString()!;
        Assert.Contains("ConnectionStrings__Ledger", detail);
        Assert.Contains("pool_mode = session", detail);
        Assert.Contains("pool_mode = transaction", detail);
        Assert.Contains(detail, s.Output); // logged as well

        var write = await LedgerApi.PostAsync(s, "refused", ServiceProcess.AdminToken, "/api/agencies", new { code = "refused", name = "Refused" });
        Assert.Equal(503, write.Status);
        Assert.Contains("pool_mode = session", write.Body);
        // The command line's verbs refuse it too, with the same reason and exit code 1.
        var verify = new ProcessStartInfo("dotnet", [ServiceProcess.FindService(), "verify"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        verify.Environment["ConnectionStrings__Ledger"] = _bouncer.ConnectionString(Direct, "transaction");
        verify.Environment["ConnectionStrings__LedgerOwner"] = _db.OwnerConnectionString;
        using (var cli = Process.Start(verify)!)
        {
            var stderr = cli.StandardError.ReadToEndAsync();
            await cli.StandardOutput.ReadToEndAsync();
            await cli.WaitForExitAsync();
            Assert.Equal(1, cli.ExitCode);
            Assert.Contains("pool_mode = session", await stderr);
        }
        // Refused before anything was migrated, and it leads nothing.
        Assert.False(await _db.ScalarAsync<bool>("SELECT to_regclass('ledger.mt_events') IS NOT NULL"));
        Assert.Equal(0L, await _db.ScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    }

    [Fact]
    public async Task Session_mode_serves_writes_reads_and_the_daemon_and_the_survivor_takes_over_from_a_killed_leader()
    {
        var session = _bouncer.ConnectionString(Direct, "session");
        var a = Track(ServiceProcess.Start("pgb-a", session, _db.OwnerConnectionString, _role));
        var b = Track(ServiceProcess.Start("pgb-b", session, _db.OwnerConnectionString, _role));
        await Task.WhenAll(a.WaitHealthyAsync(TimeSpan.FromSeconds(120)), b.WaitHealthyAsync(TimeSpan.FromSeconds(120)));

        var log = new LogChecks(_db.Owner, LogChecks.SakipLockId());
        var pool = new HostPool([a, b]);
        var contested = await LedgerApi.SetUpAgencyAsync(a, "pgb-x");
        var other = await LedgerApi.SetUpAgencyAsync(b, "pgb-y");
        var leader = await Leadership.CurrentLeaderAsync(log, [a, b], TimeSpan.FromSeconds(30));
        var survivor = leader == a ? b : a;
        // The leader's lock is held by a server session PgBouncer opened (its client address is PgBouncer's), named after
        // the service process through PgBouncer's application_name.
        var holder = (await log.SakipHoldersAsync()).Single();
        Assert.Equal(leader.Pid, holder.ServicePid);
        var clientPort = await _db.ScalarAsync<int>("SELECT client_port FROM pg_stat_activity WHERE pid = @p", ("p", holder.BackendPid));
        var (lockClient, _) = TcpSockets.Connection(clientPort, new NpgsqlConnectionStringBuilder(Direct).Port);
        Assert.True(TcpSockets.Owns(_bouncer.Pid, lockClient.Inode), "the leader's lock session is not one of PgBouncer's");

        await using var leadership = new Leadership(log, [a, b]);
        leadership.Start();
        var load = new RaceLoad(pool, contested, other, ifMatchClients: 2, plainClients: 1);
        var running = load.RunAsync(TimeSpan.FromSeconds(8), seed: 7, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(4));
        await pool.KillAsync(leader);
        // PgBouncer sees the client gone and resets its server session (DISCARD ALL), which ends the advisory lock.
        var takeover = await Leadership.WaitForHolderAsync(log, survivor, TimeSpan.FromSeconds(30));
        output.WriteLine($"{survivor.Name} took sakip's lock {takeover.TotalSeconds:F1} s after {leader.Name} was killed");
        await running;
        await Leadership.WaitCaughtUpAsync(survivor, TimeSpan.FromSeconds(30));
        await leadership.DisposeAsync();

        var outcomes = load.Outcomes.ToList();
        output.WriteLine(TwoHostsChecks.Summary(outcomes));
        var (status, verify) = await LedgerApi.GetAsync(survivor, ServiceProcess.AdminToken, "/api/audit/verify");
        Assert.Equal(200, status);
        var (read, _) = await LedgerApi.GetAsync(survivor, contested.Staff, $"/api/agencies/{contested.Code}/performance/2023");
        Assert.Equal(200, read);
        var problems = new List<string>();
        problems.AddRange(TwoHostsChecks.Answers(outcomes, pool.Kills));
        problems.AddRange(await TwoHostsChecks.LogAsync(outcomes, log));
        problems.AddRange(TwoHostsChecks.Leadership(leadership.Samples, pool.Kills, new Dictionary<string, int> { [a.Name] = a.Pid, [b.Name] = b.Pid }));
        problems.AddRange(TwoHostsChecks.Verification(verify, await log.SizeAsync()));
        problems.AddRange(TwoHostsChecks.DaemonLogs([(a.Name, a.Output), (b.Name, b.Output)]));
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(40)));
        Assert.Contains(outcomes, o => o is { Kind: "if-match", Ok: true });
        Assert.Contains(outcomes, o => o is { Kind: "plain", Ok: true });
        Assert.True(takeover < TimeSpan.FromSeconds(20), $"take-over took {takeover.TotalSeconds:F1} s");
    }

    private ServiceProcess Track(ServiceProcess s)
    {
        _services.Add(s);
        return s;
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _services) await s.DisposeAsync();
        await _bouncer.DisposeAsync();
        await _db.DisposeAsync();
    }
}
