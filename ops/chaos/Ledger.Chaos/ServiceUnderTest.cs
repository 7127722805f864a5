using System.Diagnostics;
using System.Net;
using ServiceProcess = Ledger.Testing.Hosts.ServiceProcess;

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
        lock (_gate) _output ??= new StreamWriter(logFile, append: true) { AutoFlush = true };
        Write($"==== start {Starts + 1} at {DateTimeOffset.UtcNow:O}");
        var (p, started) = ServiceProcess.Launch(dll, BaseAddress.ToString().TrimEnd('/'), environment, Write);
        _process = p;
        Starts++;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var took = await ServiceProcess.WaitReadyAsync(p, started, TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(50), async c =>
            {
                try
                {
                    using var r = await http.GetAsync("/health", c);
                    return r.StatusCode == HttpStatusCode.OK;
                }
                catch (TaskCanceledException) when (!c.IsCancellationRequested)
                {
                    return false; // no answer within 5 s yet
                }
            },
            code => $"The service exited ({code}) while starting; its output: {logFile}",
            () => $"The service did not answer /health 200 within 120 s; its output: {logFile}", ct);
        log($"service started (pid {p.Id}) in {took.TotalSeconds:F1} s");
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
}
