using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Ledger.Testing.Hosts;

/// <summary>
/// One service process (<c>dotnet Ledger.Api.dll</c>, the build of these tests' configuration) on a configured database, as
/// a deployment runs it: the service's connection string, the owner's, the service role, the snapshot key and the admin
/// token. Several may run against one database. <see cref="Kill"/> sends SIGKILL to its pid only (no graceful stop: its
/// sockets are closed by the kernel, as when a process crashes). Optionally started in a network namespace
/// (<c>ip netns exec</c>, which execs, so the pid is the service's).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    public const string AdminToken = "hosts-test-admin-token";
    public const string SnapshotKey = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

    private readonly Process _process;
    private readonly StringBuilder _output;

    private ServiceProcess(string name, Process process, Uri address, StringBuilder output)
    {
        Name = name;
        _process = process;
        _output = output;
        Address = address;
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = address, Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Name { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }
    public int Pid => _process.Id;
    public bool Exited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <param name="serviceConnectionString">ConnectionStrings__Ledger (the restricted role).</param>
    /// <param name="ownerConnectionString">ConnectionStrings__LedgerOwner (migrations).</param>
    /// <param name="host">where it listens (127.0.0.1, or its namespace's address).</param>
    /// <param name="netns">a network namespace to run it in, or null.</param>
    public static ServiceProcess Start(string name, string serviceConnectionString, string ownerConnectionString, string serviceRole,
        string host = "127.0.0.1", string? netns = null, IReadOnlyDictionary<string, string>? more = null)
    {
        var api = FindService();
        var address = new Uri($"http://{host}:{FreePort()}");
        var environment = DeploymentEnvironment(serviceConnectionString, ownerConnectionString, serviceRole, AdminToken, SnapshotKey);
        environment["Logging__LogLevel__Microsoft.AspNetCore.Diagnostics"] = "Error";
        foreach (var (k, v) in more ?? new Dictionary<string, string>()) environment[k] = v;
        var output = new StringBuilder();
        var (process, _) = Launch(api, address.ToString().TrimEnd('/'), environment, line => Append(output, line), netns);
        return new ServiceProcess(name, process, address, output);
    }

    /// <summary>
    /// The environment a deployment gives the service (the restricted role's connection string, the owner's for
    /// migrations, the role, the bootstrap admin token, the snapshot key, Production, warnings and up in the log); callers
    /// add their own settings on top.
    /// </summary>
    public static Dictionary<string, string> DeploymentEnvironment(string serviceConnectionString, string ownerConnectionString,
        string serviceRole, string adminToken, string snapshotKey) => new()
    {
        ["ConnectionStrings__Ledger"] = serviceConnectionString,
        ["ConnectionStrings__LedgerOwner"] = ownerConnectionString,
        ["Ledger__ServiceRole"] = serviceRole,
        ["Ledger__BootstrapAdminToken"] = adminToken,
        ["Ledger__SnapshotKey"] = snapshotKey,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>
    /// Starts <c>dotnet {dll} --urls {urls}</c> (under <c>ip netns exec {netns}</c> when given) in the dll's folder with
    /// <paramref name="environment"/> on top of this process's, and hands each line of its output and error (null at
    /// their end) to <paramref name="onLine"/>. <c>StartedAt</c> is the <see cref="Stopwatch"/> timestamp taken just
    /// before <see cref="Process.Start(ProcessStartInfo)"/>, for <see cref="WaitReadyAsync"/> and cold-start timings.
    /// </summary>
    public static (Process Process, long StartedAt) Launch(string dll, string urls, IEnumerable<KeyValuePair<string, string>> environment,
        Action<string?> onLine, string? netns = null)
    {
        var psi = netns is null
            ? new ProcessStartInfo("dotnet", [dll, "--urls", urls])
            : new ProcessStartInfo("ip", ["netns", "exec", netns, "dotnet", dll, "--urls", urls]);
        psi.WorkingDirectory = Path.GetDirectoryName(dll)!;
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the service.");
        process.OutputDataReceived += (_, e) => onLine(e.Data);
        process.ErrorDataReceived += (_, e) => onLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, startedAt);
    }

    /// <summary>
    /// Asks <paramref name="ready"/> every <paramref name="poll"/> until it says yes (an <see cref="HttpRequestException"/>
    /// counts as not yet: not listening); throws <see cref="InvalidOperationException"/> with <paramref name="exited"/>'s
    /// text (given the exit code) when the process exits first, <see cref="TimeoutException"/> with
    /// <paramref name="timedOut"/>'s when <paramref name="timeout"/> has passed since <paramref name="startedAt"/> (a
    /// <see cref="Stopwatch"/> timestamp). Returns the time from <paramref name="startedAt"/> to the yes.
    /// </summary>
    public static async Task<TimeSpan> WaitReadyAsync(Process process, long startedAt, TimeSpan timeout, TimeSpan poll,
        Func<CancellationToken, Task<bool>> ready, Func<int, string> exited, Func<string> timedOut, CancellationToken ct = default)
    {
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException(exited(process.ExitCode));
            if (Stopwatch.GetElapsedTime(startedAt) > timeout) throw new TimeoutException(timedOut());
            try
            {
                if (await ready(ct)) return Stopwatch.GetElapsedTime(startedAt);
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(poll, ct);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.Append(DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').AppendLine(line);
    }

    /// <summary>Waits until <c>GET /health</c> answers 200 (the service migrated, started its host and reaches the database).</summary>
    public Task WaitHealthyAsync(TimeSpan timeout) =>
        WaitReadyAsync(_process, Stopwatch.GetTimestamp(), timeout, TimeSpan.FromMilliseconds(200), async _ =>
            {
                try
                {
                    using var r = await Http.GetAsync("/health");
                    return r.IsSuccessStatusCode;
                }
                catch (TaskCanceledException)
                {
                    return false; // not answering yet
                }
            },
            code => $"{Name} exited ({code}):\n{Output}", () => $"{Name} was not healthy after {timeout.TotalSeconds} s:\n{Output}");

    /// <summary>/health's projections: name → (runningHere, lag, status); null when the process does not answer.</summary>
    public async Task<HealthView?> HealthAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var r = await Http.GetAsync("/health", cts.Token);
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync(cts.Token)).RootElement.Clone();
            if (!r.IsSuccessStatusCode) return new HealthView((int)r.StatusCode, false, -1, "", body);
            var sakip = body.GetProperty("projections").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "sakip");
            return new HealthView(200, sakip.GetProperty("runningHere").GetBoolean(), sakip.GetProperty("lag").GetInt64(),
                sakip.GetProperty("status").GetString()!, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            return null;
        }
    }

    public sealed record HealthView(int Status, bool RunningHere, long Lag, string ProjectionStatus, JsonElement Body);

    /// <summary>SIGKILL to this pid only, then wait for it.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGSTOP / SIGCONT (a frozen host: its sockets stay open, nothing answers from its side).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {Pid} failed");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await KillAsync(); // also a stopped (SIGSTOP) one
        // The service's log beside the test results, for a failing test's reader.
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, $"service-{Name}.log"), Output);
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Ledger.sln"))) return d.FullName;
        throw new InvalidOperationException("Ledger.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The service's build in the same configuration as the caller (a project reference builds it first).</summary>
    public static string FindService()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // …/bin/{Configuration}/net10.0/
        var dll = Path.Combine(RepositoryRoot(), "src", "Ledger.Api", "bin", configuration, "net10.0", "Ledger.Api.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} not found: build the solution first.");
    }
}
