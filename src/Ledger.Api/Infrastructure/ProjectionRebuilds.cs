using System.Diagnostics;
using JasperFx.Events.Daemon;
using Ledger.ReadModels;

namespace Ledger.Api.Infrastructure;

/// <summary>A rebuild started by an admin: one or all projections, one after another; progress of the current one.</summary>
public sealed record RebuildJob(
    Guid Id, IReadOnlyList<string> Projections, string State, string? Current, int Index, long Done, long Total,
    double EventsPerSecond, double? EtaSeconds, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Error,
    long? ErrorEventSequence);

/// <summary>
/// Runs rebuilds in the background of the service (POST /api/admin/projections/rebuild answers 202 at once) on this
/// node's Marten daemon: <c>RebuildProjectionAsync</c> stops the projection's agent, empties its tables and replays the
/// log up to the high-water mark of the moment. HotCold leads per shard: when this node runs the shard, its agent is
/// started again afterwards; when no node runs it, this node takes the shard's lock (<see cref="ShardLock"/>) for the
/// rebuild and releases it after, for whichever coordinator takes it next; when another node runs it, the job fails
/// (rebuild there). One job at a time; progress = the shard's position over the high-water mark at the start
/// (docs/projections.md).
/// </summary>
public sealed class ProjectionRebuilds(
    IProjectionCoordinator coordinator, Marten.IDocumentStore store, ILogger<ProjectionRebuilds> log, IHostApplicationLifetime lifetime)
{
    public static readonly TimeSpan ShardTimeout = TimeSpan.FromMinutes(30);

    private readonly Lock _lock = new();
    private RebuildJob? _job;

    public RebuildJob? Current { get { lock (_lock) return _job; } }

    /// <summary>Starts a job unless one is running (then returns null). <paramref name="projections"/>: names from <see cref="SakipReadModels.Names"/>.</summary>
    public RebuildJob? TryStart(IReadOnlyList<string> projections)
    {
        RebuildJob job;
        lock (_lock)
        {
            if (_job is { State: "running" }) return null;
            job = _job = new RebuildJob(Guid.NewGuid(), projections, "running", projections[0], 0, 0, 0, 0, null, DateTimeOffset.UtcNow, null, null, null);
        }
        _ = Task.Run(() => RunAsync(job, projections, lifetime.ApplicationStopping));
        return job;
    }

    private async Task RunAsync(RebuildJob job, IReadOnlyList<string> projections, CancellationToken ct)
    {
        try
        {
            var daemon = coordinator.DaemonForMainDatabase();
            for (var i = 0; i < projections.Count; i++)
            {
                var name = projections[i];
                var shard = SakipReadModels.ShardOf(name);
                var runsHere = daemon.StatusFor(shard) is JasperFx.AgentStatus.Running or JasperFx.AgentStatus.Paused;
                await using var held = runsHere ? null : await ShardLock.TryTakeAsync(store, name, ct)
                    ?? throw new InvalidOperationException($"Another node runs {name}; start its rebuild there.");
                var total = daemon.HighWaterMark();
                var clock = Stopwatch.StartNew();
                Update(j => j with { Current = name, Index = i, Done = 0, Total = total, EventsPerSecond = 0, EtaSeconds = null });
                using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var watch = WatchAsync(daemon, shard, total, clock, watching.Token);
                try
                {
                    await daemon.RebuildProjectionAsync(name, ShardTimeout, ct);
                }
                finally
                {
                    await watching.CancelAsync();
                    await watch;
                }
                Update(j => j with { Done = total, EventsPerSecond = Rate(total, clock), EtaSeconds = 0 });
                log.LogInformation("Rebuilt projection {Projection}: {Events} events in {Elapsed}.", name, total, clock.Elapsed);
                if (runsHere) await daemon.StartAgentAsync(shard, ct); // Marten leaves a rebuilt projection's agent stopped
            }
            Update(j => j with { State = "succeeded", FinishedAt = DateTimeOffset.UtcNow, EtaSeconds = 0 });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Reported on the job (GET /api/admin/projections) and logged; the service keeps running.
            var failure = ShardFailure.For(e, DateTimeOffset.UtcNow);
            log.LogError(e, "Rebuild {Job} failed.", job.Id);
            Update(j => j with { State = "failed", FinishedAt = DateTimeOffset.UtcNow, Error = $"{failure.Category}: {e.Message}", ErrorEventSequence = failure.Event?.Sequence });
        }
    }

    /// <summary>Progress every half second: the rebuilding shard's position as the daemon's tracker reports it.</summary>
    private async Task WatchAsync(IProjectionDaemon daemon, string shard, long total, Stopwatch clock, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(500, ct);
                var done = Math.Min(total, daemon.Tracker.CurrentState(shard)?.Sequence ?? 0);
                var rate = Rate(done, clock);
                Update(j => j with { Done = done, EventsPerSecond = rate, EtaSeconds = rate > 0 ? (total - done) / rate : null });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Rate(long done, Stopwatch clock) => clock.Elapsed.TotalSeconds > 0 ? done / clock.Elapsed.TotalSeconds : 0;

    private void Update(Func<RebuildJob, RebuildJob> change)
    {
        lock (_lock) _job = change(_job!);
    }
}
