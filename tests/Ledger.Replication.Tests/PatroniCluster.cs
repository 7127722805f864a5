using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.Replication.Tests;

/// <summary>
/// A replicated PostgreSQL as <c>ops/replica/run</c> starts it (etcd, two Patroni nodes, Debian's PostgreSQL 15, synchronous
/// mode), in a folder of its own under /var/tmp on free loopback ports. Every operation is the script's, so the test
/// exercises what an operator runs. Disposing stops every process it started and deletes the folder; a folder left by a
/// test process that was killed is stopped and deleted by the next start (its owner pid is written beside it).
/// </summary>
public sealed class PatroniCluster : IAsyncDisposable
{
    private const string Prefix = "ledger-replica-test-";

    private PatroniCluster(string dir, int port, string secret)
    {
        Dir = dir;
        Port = port;
        Secret = secret;
    }

    public string Dir { get; }
    public int Port { get; }
    public string Secret { get; }

    public string Hosts => $"127.0.0.1:{Port},127.0.0.1:{Port + 1}";

    /// <summary>The service's connection (ledger_app) to whichever node is primary.</summary>
    public string Service => Cs("ledger_app", "primary");

    /// <summary>The owner's (the cluster's superuser) connection to whichever node is primary.</summary>
    public string Owner => Cs("postgres", "primary");

    /// <summary>The service's connection to a standby, or the primary when no standby is up.</summary>
    public string Standby => Cs("ledger_app", "prefer-standby");

    private string Cs(string user, string target) =>
        $"Host={Hosts};Database=ledger;Username={user};Password={Secret};Target Session Attributes={target};Host Recheck Seconds=1";

    /// <summary>A direct superuser connection to one node's PostgreSQL (node1 or node2).</summary>
    public string Direct(string node) =>
        $"Host=127.0.0.1;Port={Port + (node == "node1" ? 0 : 1)};Database=ledger;Username=postgres;Password={Secret};Pooling=false";

    public static string Script => Path.Combine(ServiceProcess.RepositoryRoot(), "ops", "replica", "run");

    /// <summary>What must be installed, or null: Debian's patroni and etcd-server (and PostgreSQL's server binaries).</summary>
    public static string? Missing()
    {
        var missing = new List<string>();
        if (!OnPath("patroni")) missing.Add("patroni");
        if (!OnPath("etcd")) missing.Add("etcd-server");
        if (!Directory.Exists("/usr/lib/postgresql") || !Directory.EnumerateDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "postgres"))))
            missing.Add("postgresql");
        return missing.Count == 0 ? null
            : $"The replication tests need Debian's {string.Join(", ", missing)}: apt-get install -y {string.Join(' ', missing)} (.ci/run installs them).";
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)))
        || File.Exists(Path.Combine("/usr/bin", name)) || File.Exists(Path.Combine("/usr/sbin", name));

    public static async Task<PatroniCluster> StartAsync(Action<string> log)
    {
        if (Missing() is { } missing) throw new InvalidOperationException(missing);
        await SweepAsync(log);
        var dir = Path.Combine("/var/tmp", Prefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "owner-pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var port = FreePortBase();
        try
        {
            await RunAsync(log, TimeSpan.FromSeconds(120), "start", "--dir", dir, "--port", port.ToString(CultureInfo.InvariantCulture));
        }
        catch
        {
            await RunAsync(log, TimeSpan.FromSeconds(30), "stop", "--dir", dir);
            throw;
        }
        return new PatroniCluster(dir, port, (await File.ReadAllTextAsync(Path.Combine(dir, "secret"))).Trim());
    }

    /// <summary>The node that leads now, or null.</summary>
    public async Task<string?> PrimaryAsync()
    {
        var (code, output) = await TryRunAsync(TimeSpan.FromSeconds(10), "primary", "--dir", Dir);
        return code == 0 ? output.Trim() : null;
    }

    /// <summary>SIGKILL to the leader's Patroni and PostgreSQL; the node killed.</summary>
    public async Task<string> KillPrimaryAsync(Action<string> log) =>
        (await RunAsync(log, TimeSpan.FromSeconds(20), "kill-primary", "--dir", Dir)).Trim();

    /// <summary>Patroni's maintenance mode on or off (while on, Patroni leaves a paused replay paused, and fails nothing over).</summary>
    public Task MaintenanceAsync(bool on, Action<string> log) => RunAsync(log, TimeSpan.FromSeconds(30), "maintenance", on ? "on" : "off", "--dir", Dir);

    /// <summary>Patroni's synchronous_mode on (the default) or off (asynchronous replication).</summary>
    public Task SyncAsync(bool on, Action<string> log) => RunAsync(log, TimeSpan.FromSeconds(45), "sync", on ? "on" : "off", "--dir", Dir);

    /// <summary>The pids of the WAL senders on <paramref name="node"/> (the processes that stream its WAL to the standby).</summary>
    public async Task<IReadOnlyList<int>> WalSendersAsync(string node)
    {
        await using var c = new NpgsqlConnection(Direct(node));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pid FROM pg_stat_replication", c);
        var pids = new List<int>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) pids.Add(r.GetInt32(0));
        return pids;
    }

    /// <summary>kill -SIGNAL pid (the tests run as root or as the postgres user).</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {pid} failed");
    }

    public Task StartNodeAsync(string node, Action<string> log) => RunAsync(log, TimeSpan.FromSeconds(20), "start-node", node, "--dir", Dir);

    /// <summary>Until a leader and a streaming synchronous standby.</summary>
    public Task WaitHealthyAsync(Action<string> log, TimeSpan timeout) =>
        RunAsync(log, timeout + TimeSpan.FromSeconds(5), "wait-healthy", "--dir", Dir, "--timeout", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture));

    public async Task<string> StatusAsync() => (await TryRunAsync(TimeSpan.FromSeconds(10), "status", "--dir", Dir)).Output;

    /// <summary>Waits until a node other than <paramref name="killed"/> leads; how long that took from <paramref name="since"/>.</summary>
    public async Task<(string Node, TimeSpan After)> WaitNewPrimaryAsync(string killed, Stopwatch since, TimeSpan timeout)
    {
        while (since.Elapsed < timeout)
        {
            if (await PrimaryAsync() is { } p && p != killed) return (p, since.Elapsed);
            await Task.Delay(100);
        }
        throw new TimeoutException($"No new primary {timeout.TotalSeconds} s after {killed} was killed:\n{await StatusAsync()}");
    }

    public async ValueTask DisposeAsync() => await RunAsync(_ => { }, TimeSpan.FromSeconds(60), "stop", "--dir", Dir);

    /// <summary>Stops and deletes the clusters of earlier test processes that are gone.</summary>
    private static async Task SweepAsync(Action<string> log)
    {
        foreach (var dir in Directory.EnumerateDirectories("/var/tmp", Prefix + "*"))
        {
            var ownerFile = Path.Combine(dir, "owner-pid");
            if (File.Exists(ownerFile) && int.TryParse(await File.ReadAllTextAsync(ownerFile), CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}")) continue;
            log($"removing {dir}, left by an earlier test process");
            await TryRunAsync(TimeSpan.FromSeconds(60), "stop", "--dir", dir);
        }
    }

    /// <summary>A base port P with P, P+1, P+100, P+101, P+200..P+202 free (the script's layout).</summary>
    private static int FreePortBase()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var p = Random.Shared.Next(20_000, 30_000);
            if (new[] { 0, 1, 100, 101, 200, 201, 202 }.All(o => IsFree(p + o))) return p;
        }
        throw new InvalidOperationException("No free port range for the cluster.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<string> RunAsync(Action<string> log, TimeSpan timeout, params string[] args)
    {
        var (code, stdout, stderr) = await RunScriptAsync(timeout, args);
        foreach (var line in stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)) log(line);
        if (code != 0) throw new InvalidOperationException($"ops/replica/run {string.Join(' ', args)} failed ({code}):\n{stdout}{stderr}");
        return stdout;
    }

    /// <summary>Runs the script; its exit code and stdout (stderr goes to the log or into the exception).</summary>
    private static async Task<(int Code, string Output)> TryRunAsync(TimeSpan timeout, params string[] args)
    {
        var (code, stdout, stderr) = await RunScriptAsync(timeout, args);
        return (code, code == 0 ? stdout : stdout + stderr);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunScriptAsync(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("bash", [Script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            throw new TimeoutException($"ops/replica/run {string.Join(' ', args)} took more than {timeout.TotalSeconds} s");
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs one SQL statement as the superuser on one node directly (e.g. pausing a standby's replay).</summary>
    public async Task<object?> OnNodeAsync(string node, string sql)
    {
        await using var c = new NpgsqlConnection(Direct(node));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync();
    }
}
