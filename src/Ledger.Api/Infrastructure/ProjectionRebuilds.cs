using Ledger.Projections;

namespace Ledger.Api.Infrastructure;

/// <summary>A rebuild started by an admin: one or all projections, one after another; progress of the current one.</summary>
public sealed record RebuildJob(
    Guid Id, IReadOnlyList<string> Projections, string State, string? Current, int Index, long Done, long Total,
    double EventsPerSecond, double? EtaSeconds, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Error,
    long? ErrorEventSequence);

/// <summary>
/// Runs rebuilds in the background of the service (POST /api/admin/projections/rebuild answers 202 at once) with the
/// same projection instances as the daemon: the projection's advisory lock keeps the daemon off it meanwhile
/// (docs/projections.md). One rebuild job at a time; progress is logged every 2 s by <see cref="ProjectionRebuilder"/>.
/// </summary>
public sealed class ProjectionRebuilds(
    LedgerDatabase database, ILogger<ProjectionRebuilder> rebuilderLog, ILogger<ProjectionRebuilds> log,
    IHostApplicationLifetime lifetime)
{
    private readonly Lock _lock = new();
    private RebuildJob? _job;

    public RebuildJob? Current { get { lock (_lock) return _job; } }

    /// <summary>Starts a job unless one is running (then returns null).</summary>
    public RebuildJob? TryStart(IReadOnlyList<IProjection> targets)
    {
        RebuildJob job;
        lock (_lock)
        {
            if (_job is { State: "running" }) return null;
            job = _job = new RebuildJob(Guid.NewGuid(), targets.Select(p => p.Name).ToList(), "running", targets[0].Name, 0, 0, 0, 0, null,
                DateTimeOffset.UtcNow, null, null, null);
        }
        _ = Task.Run(() => RunAsync(job, targets, lifetime.ApplicationStopping));
        return job;
    }

    private async Task RunAsync(RebuildJob job, IReadOnlyList<IProjection> targets, CancellationToken ct)
    {
        var rebuilder = new ProjectionRebuilder(database.Service, logger: rebuilderLog);
        try
        {
            for (var i = 0; i < targets.Count; i++)
            {
                var index = i;
                var progress = new SyncProgress(p => Update(j => j with
                {
                    Current = p.Projection, Index = index, Done = p.Done, Total = p.Total, EventsPerSecond = p.EventsPerSecond,
                    EtaSeconds = p.Eta?.TotalSeconds,
                }));
                await rebuilder.RebuildAsync(targets[i], progress, ct);
            }
            Update(j => j with { State = "succeeded", FinishedAt = DateTimeOffset.UtcNow, EtaSeconds = 0 });
        }
        catch (ProjectionFailedException e)
        {
            log.LogError(e, "Rebuild of {Projection} failed at event {Sequence}.", e.Projection, e.EventSequence);
            Update(j => j with { State = "failed", FinishedAt = DateTimeOffset.UtcNow, Error = e.Message, ErrorEventSequence = e.EventSequence });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Reported on the job (GET /api/admin/projections) and logged; the service keeps running.
            log.LogError(e, "Rebuild {Job} failed.", job.Id);
            Update(j => j with { State = "failed", FinishedAt = DateTimeOffset.UtcNow, Error = $"{e.GetType().Name}: {e.Message}" });
        }
    }

    private void Update(Func<RebuildJob, RebuildJob> change)
    {
        lock (_lock) _job = change(_job!);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and may reorder).</summary>
    public sealed class SyncProgress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}
