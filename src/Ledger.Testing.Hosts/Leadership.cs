using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ledger.Testing.Hosts;

/// <summary>
/// Samples, every <see cref="Period"/>, each live service process's own view (its /health: does its daemon run sakip
/// here?) and then the database's (which backend holds sakip's leadership lock), until stopped.
/// </summary>
public sealed class Leadership(LogChecks log, Func<IReadOnlyList<ServiceProcess>> hosts) : IAsyncDisposable
{
    public Leadership(LogChecks log, IReadOnlyList<ServiceProcess> hosts) : this(log, () => hosts)
    {
    }

    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    public sealed record Sample(DateTime Start, DateTime End, IReadOnlyList<string> RunningHere, IReadOnlyList<LogChecks.Holder> Holders,
        IReadOnlyList<string> Silent);

    private readonly ConcurrentQueue<Sample> _samples = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public IReadOnlyList<Sample> Samples => _samples.ToList();

    public void Start() => _loop = Task.Run(LoopAsync);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var start = DateTime.UtcNow;
            var views = await Task.WhenAll(hosts().Select(async h => (h, view: h.Exited ? null : await h.HealthAsync())));
            var holders = await log.SakipHoldersAsync();
            _samples.Enqueue(new Sample(start, DateTime.UtcNow,
                views.Where(v => v.view is { RunningHere: true }).Select(v => v.h.Name).ToList(), holders,
                views.Where(v => v.view is null).Select(v => v.h.Name).ToList()));
            try
            {
                await Task.Delay(Period, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Polls the database until the sakip lock is held by <paramref name="host"/>'s process; the time it took.</summary>
    public static async Task<TimeSpan> WaitForHolderAsync(LogChecks log, ServiceProcess host, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if ((await log.SakipHoldersAsync()).Any(h => h.ServicePid == host.Pid)) return waited.Elapsed;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{host.Name} did not take sakip's leadership within {timeout.TotalSeconds} s:\n{host.Output}");
    }

    /// <summary>The process that holds sakip's lock now (waits for one).</summary>
    public static async Task<ServiceProcess> CurrentLeaderAsync(LogChecks log, IReadOnlyList<ServiceProcess> hosts, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            var holders = await log.SakipHoldersAsync();
            if (hosts.FirstOrDefault(h => holders.Any(x => x.ServicePid == h.Pid)) is { } leader) return leader;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No service process took sakip's leadership within {timeout.TotalSeconds} s.");
    }

    /// <summary>Polls a process's /health until sakip runs there at the head of the log; the time it took.</summary>
    public static async Task<TimeSpan> WaitCaughtUpAsync(ServiceProcess host, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        ServiceProcess.HealthView? last = null;
        while (waited.Elapsed < timeout)
        {
            last = await host.HealthAsync();
            if (last is { RunningHere: true, Lag: 0, ProjectionStatus: "running" }) return waited.Elapsed;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{host.Name} did not run sakip at the head within {timeout.TotalSeconds} s (last /health: {last?.Body}):\n{host.Output}");
    }

    /// <summary>Stops sampling (and waits for the sample being taken); idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }

    private int _stopped;
}
