using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Ledger.LocalPostgres;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// Issue 13, "No leaks": the PostgreSQL a service started for itself does not outlive it when it is killed (kill -9), does
/// not stop under a second process still using it, and a cluster left running by a dead owner is adopted and stopped.
/// Real processes: the service (<c>Ledger.Api.dll</c>, no connection string) as a child, killed with SIGKILL to its pid
/// only (<see cref="Process.Kill()"/>), so only its watchdog can stop PostgreSQL.
/// </summary>
public sealed class SelfProvisioningNoLeakTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ledger-noleak-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StringBuilder _output = new();
    private Process? _service;

    private string PgData => Path.Combine(_dir, "pgdata");

    [Fact]
    public async Task Killed_service_its_PostgreSQL_and_watchdog_stop_within_seconds()
    {
        await StartServiceAsync();
        var (postmaster, port) = Postmaster();
        var watchdog = Watchdog();
        Assert.True(await AcceptsAsync(port));

        await KillServiceAsync();

        await WaitUntilAsync(() => !IsAlive(postmaster), TimeSpan.FromSeconds(10), "the postmaster outlived the killed service");
        Assert.False(File.Exists(Path.Combine(PgData, "postmaster.pid")));
        Assert.False(await AcceptsAsync(port));
        await WaitUntilAsync(() => !IsAlive(watchdog), TimeSpan.FromSeconds(5), "the watchdog did not end");
    }

    [Fact]
    public async Task Killed_first_owner_leaves_the_cluster_running_for_a_second_one_which_stops_it()
    {
        await StartServiceAsync();
        var (postmaster, _) = Postmaster();

        // A second process (here: this one, as `-- verify` beside the service) opens the same cluster.
        var second = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = _dir });
        Assert.False(second.StartedHere);
        Assert.False(second.Adopted);

        await KillServiceAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the watchdog looks every second
        Assert.True(IsAlive(postmaster), "the first owner's death stopped the cluster under the second");
        await using (var ds = NpgsqlDataSource.Create(second.SuperUserConnectionString()))
        await using (var cmd = ds.CreateCommand("SELECT 1"))
            Assert.Equal(1, await cmd.ExecuteScalarAsync());

        await second.StopAsync(); // the last owner leaves
        await WaitUntilAsync(() => !IsAlive(postmaster), TimeSpan.FromSeconds(5), "the last owner's stop left the postmaster running");
    }

    [Fact]
    public async Task Cluster_left_running_by_a_dead_owner_is_adopted_and_stopped_when_the_adopter_ends()
    {
        await StartServiceAsync();
        var (postmaster, port) = Postmaster();
        var watchdog = Watchdog();

        // A leftover as before this change (or after the watchdog itself was killed): owner dead, PostgreSQL running.
        using (var w = Process.GetProcessById(watchdog)) w.Kill();
        await KillServiceAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.True(IsAlive(postmaster), "nothing else should have stopped the leftover");

        var next = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = _dir });
        Assert.False(next.StartedHere);
        Assert.True(next.Adopted);
        Assert.Equal(port, next.Port);
        await WaitUntilAsync(() => File.Exists(WatchdogFile) && Watchdog() != watchdog, TimeSpan.FromSeconds(5), "the adopter started no watchdog");
        var newWatchdog = Watchdog();
        Assert.True(IsAlive(newWatchdog));

        await next.StopAsync();
        await WaitUntilAsync(() => !IsAlive(postmaster), TimeSpan.FromSeconds(5), "the adopter left the postmaster running");
        await WaitUntilAsync(() => !IsAlive(newWatchdog), TimeSpan.FromSeconds(5), "the adopter's watchdog did not end");
    }

    private string WatchdogFile => Path.Combine(_dir, "watchdog.pid");

    private (int Pid, int Port) Postmaster()
    {
        var lines = File.ReadAllLines(Path.Combine(PgData, "postmaster.pid"));
        return (int.Parse(lines[0]), int.Parse(lines[3]));
    }

    private int Watchdog() => int.Parse(File.ReadAllText(WatchdogFile).Split(' ')[0]);

    /// <summary>Running and not a zombie (a killed process its parent has not reaped yet has ended).</summary>
    private static bool IsAlive(int pid) => LocalPostgresCluster.ProcessStartTime(pid) is not null;

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts the service on its own cluster in <see cref="_dir"/> and waits until PostgreSQL runs with its watchdog.</summary>
    private async Task StartServiceAsync()
    {
        var api = FindService();
        var psi = new ProcessStartInfo("dotnet", [api, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = Path.GetDirectoryName(api)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment.Remove("ConnectionStrings__Ledger");
        psi.Environment["Ledger__DataDirectory"] = _dir;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        _service = Process.Start(psi)!;
        _service.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _service.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();

        var pidFile = Path.Combine(PgData, "postmaster.pid");
        await WaitUntilAsync(() =>
        {
            if (_service.HasExited) throw new InvalidOperationException($"The service exited ({_service.ExitCode}):\n{Output}");
            if (!File.Exists(pidFile) || !File.Exists(WatchdogFile)) return false;
            var watched = File.ReadAllText(WatchdogFile).Split(' ', StringSplitOptions.TrimEntries);
            return watched.Length == 3 && watched[2] == File.ReadLines(pidFile).FirstOrDefault()
                && Directory.EnumerateFiles(Path.Combine(_dir, "owners"), $"{_service.Id}-*").Any();
        }, TimeSpan.FromSeconds(60), "the service's PostgreSQL and watchdog did not start");
    }

    private async Task KillServiceAsync()
    {
        _service!.Kill(); // SIGKILL to this pid only: no graceful stop, no process tree
        await _service.WaitForExitAsync();
    }

    private string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > timeout) Assert.Fail($"{failure} (after {timeout.TotalSeconds} s).\n{Output}");
            await Task.Delay(100);
        }
    }

    private static string FindService()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // …/bin/{Configuration}/net10.0/
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (!File.Exists(Path.Combine(d.FullName, "Ledger.sln"))) continue;
            var dll = Path.Combine(d.FullName, "src", "Ledger.Api", "bin", configuration, "net10.0", "Ledger.Api.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} not found: build the solution first.");
        }
        throw new InvalidOperationException("Ledger.sln not found above " + AppContext.BaseDirectory);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Whatever a failed test left: the service killed, PostgreSQL stopped (fast shutdown), the folder deleted.</summary>
    public async Task DisposeAsync()
    {
        if (_service is { HasExited: false }) await KillServiceAsync();
        _service?.Dispose();
        var pidFile = Path.Combine(PgData, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pm) && IsAlive(pm))
        {
            using (var kill = Process.Start("kill", ["-INT", pm.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            for (var i = 0; i < 100 && IsAlive(pm); i++) await Task.Delay(100);
        }
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
