using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ledger.Chaos;

/// <summary>
/// The real service (<c>dotnet Ledger.Api.dll</c>) as a child process on a fixed loopback port, started again on the same
/// port after each kill. Its output goes to <see cref="LogFile"/> (appended across starts), for whoever reads a failure.
/// </summary>
public sealed class ServiceUnderTest(string dll, int port, IReadOnlyDictionary<string, string> environment, string logFile, Action<string> log) : IAsyncDisposable
{
    private Process? _process;
    private StreamWriter? _output;
    private readonly Lock _gate = new();

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}");
    public int Port => port;
    public string LogFile => logFile;
    public int Starts { get; private set; }
    public int Kills { get; private set; }
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Starts the service and waits until <c>GET /health</c> answers 200 (database up, audit layer intact).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        var psi = new ProcessStartInfo("dotnet", [dll, "--urls", BaseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        lock (_gate) _output ??= new StreamWriter(logFile, append: true) { AutoFlush = true };
        Write($"==== start {Starts + 1} at {DateTimeOffset.UtcNow:O}");
        var started = Stopwatch.StartNew();
        var p = _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the service.");
        p.OutputDataReceived += (_, e) => Write(e.Data);
        p.ErrorDataReceived += (_, e) => Write(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        Starts++;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (p.HasExited) throw new InvalidOperationException($"The service exited ({p.ExitCode}) while starting; its output: {logFile}");
            if (started.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"The service did not answer /health 200 within 120 s; its output: {logFile}");
            try
            {
                using var r = await http.GetAsync("/health", ct);
                if (r.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException) { } // not listening yet
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(50, ct);
        }
        log($"service started (pid {p.Id}) in {started.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>SIGKILL to the service's pid (no graceful stop), waited for.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } p) return;
        if (!p.HasExited)
        {
            p.Kill(); // SIGKILL, this pid only
            Kills++;
        }
        await p.WaitForExitAsync();
        Write($"==== killed with SIGKILL at {DateTimeOffset.UtcNow:O}");
        p.Dispose();
        _process = null;
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_gate) _output?.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
        _process?.Dispose();
        lock (_gate)
        {
            _output?.Dispose();
            _output = null;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
