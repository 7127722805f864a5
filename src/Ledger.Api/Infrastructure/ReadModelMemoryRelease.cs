using JasperFx.Events.Daemon;
using Ledger.ReadModels;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Forgets the read models' folded agencies in a process whose daemon no longer runs them (docs/deployment.md
/// "Memory"): HotCold gives the projection to one process; one that loses the leadership (its lock's session ended, its
/// host came back after a network cut) would otherwise keep them, about 0.3 MB per agency, until it leads again.
/// Checks this process's daemon every quarter of <c>Ledger:ReadModels:ReleaseMemoryAfterSeconds</c> (at most every
/// 15 s) and releases by <see cref="MemoryReleasePolicy"/>; if it leads again, its first pages re-fold what they touch
/// from the log, as after a restart.
/// </summary>
public sealed class ReadModelMemoryRelease(IProjectionCoordinator coordinator, RegisteredReadModels registered, ReadModelSettings settings,
    ILogger<ReadModelMemoryRelease> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.ReleaseMemoryAfter is not { } after || registered.Sakip is not { } sakip) return;
        var policy = new MemoryReleasePolicy(after);
        var shard = SakipReadModels.ShardOf(sakip.Name);
        var period = TimeSpan.FromTicks(Math.Clamp(after.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(15).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                bool running;
                try
                {
                    running = coordinator.DaemonForMainDatabase().StatusFor(shard) is JasperFx.AgentStatus.Running;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    running = false; // no daemon to ask (not started yet, or stopped): it runs nothing here
                }
                var state = sakip.State;
                if (!policy.Check(running, state.AgenciesInMemory, state.SinceLastWrite, DateTimeOffset.UtcNow)) continue;
                var released = state.ReleaseMemory();
                if (released > 0)
                    log.LogInformation("Released the folded states of {Agencies} agencies: this process has not run projection {Projection} for {After} (another process leads it). They are re-folded from the log if it leads again.",
                        released, sakip.Name, after);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
