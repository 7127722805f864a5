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
    private readonly StringBuilder _output = new();

    private ServiceProcess(string name, Process process, Uri address)
    {
        Name = name;
        _process = process;
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
        var urls = address.ToString().TrimEnd('/');
        var psi = netns is null
            ? new ProcessStartInfo("dotnet", [api, "--urls", urls])
            : new ProcessStartInfo("ip", ["netns", "exec", netns, "dotnet", api, "--urls", urls]);
        psi.WorkingDirectory = Path.GetDirectoryName(api)!;
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.Environment["ConnectionStrings__Ledger"] = serviceConnectionString;
        psi.Environment["ConnectionStrings__LedgerOwner"] = ownerConnectionString;
        psi.Environment["Ledger__ServiceRole"] = serviceRole;
        psi.Environment["Ledger__BootstrapAdminToken"] = AdminToken;
        psi.Environment["Ledger__SnapshotKey"] = SnapshotKey;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.AspNetCore.Diagnostics"] = "Error";
        foreach (var (k, v) in more ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the service.");
        var service = new ServiceProcess(name, process, address);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Append(DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').AppendLine(line);
    }

    /// <summary>Waits until <c>GET /health</c> answers 200 (the service migrated, started its host and reaches the database).</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}):\n{Output}");
            if (waited.Elapsed > timeout) throw new TimeoutException($"{Name} was not healthy after {timeout.TotalSeconds} s:\n{Output}");
            try
            {
                using var r = await Http.GetAsync("/health");
                if (r.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
    }

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
