using Ledger.ReadModels;
using JasperFx.Events.Daemon;
using Marten;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// One projection as /health and GET /api/admin/projections show it; lag = head (highest committed sequence) − position.
/// Status: running | failed (the daemon paused the shard: error and errorEventSequence say why and at which event) |
/// stopped | rebuilding | starting (no batch committed yet). Everything but <see cref="RunningHere"/> comes from the database,
/// so every service process reports the same; <see cref="RunningHere"/> is this process's own: its daemon runs the
/// projection's agent now, i.e. it holds the shard's leadership (HotCold: one process per database; docs/deployment.md).
/// So are the three about memory (docs/deployment.md "Memory"): <see cref="AgenciesInMemory"/>, the agencies whose
/// folded states this process's daemon keeps (none if it never led; after losing the leadership it keeps what it had
/// until <see cref="ReadModelMemoryRelease"/> forgets them),
/// <see cref="AgenciesInMemoryLimit"/> (null: no limit; <c>Ledger:ReadModels:AgenciesInMemory</c>) and
/// <see cref="AgenciesDropped"/> past the limit since the start, and <see cref="AgenciesReleased"/>: forgotten since the start
/// because this process no longer ran the projection (<c>Ledger:ReadModels:ReleaseMemoryAfterSeconds</c>).
/// </summary>
public sealed record ProjectionHealth(
    string Name, string Kind, long Position, long Head, long Lag, string Status, string? Error, long? ErrorEventSequence,
    DateTimeOffset? Updated, bool RunningHere, int? AgenciesInMemory = null, int? AgenciesInMemoryLimit = null, long? AgenciesDropped = null,
    long? AgenciesReleased = null);

/// <summary>The read-model projection Marten runs in this process (set when the store is configured), for its memory figures.</summary>
public sealed class RegisteredReadModels
{
    public SakipCombinedProjection? Sakip { get; set; }
}

/// <summary>
/// Reads what Marten's daemon committed and reported for the service's projections (<c>ledger.mt_event_progression</c>,
/// written by whichever node leads, so every node reports the same) and the head of the log.
/// </summary>
public sealed class ProjectionMonitor(IDocumentStore store, IProjectionCoordinator coordinator, RegisteredReadModels registered)
{
    public async Task<IReadOnlyList<ProjectionHealth>> StatusAsync(CancellationToken ct)
    {
        var dataSource = SakipReadModels.DataSourceOf(store);
        var head = await ReadModelSchema.HeadAsync(dataSource, ct);
        var daemon = coordinator.DaemonForMainDatabase();
        return (await SakipReadModels.StatusAsync(dataSource, ct))
            .Select(s =>
            {
                var status = Status(s);
                // A failure is reported while the shard is paused or stopped. Once the row says Running again, failure columns
                // left behind are not this shard's state: Marten clears them when an agent starts, but a running leader's
                // heartbeat rewrites only the status, over a report by a process that had lost its leadership (issue 13).
                var current = status is "failed" or "stopped" && s.FailureCategory is not null;
                var state = registered.Sakip is { } sakip && sakip.Name == s.Projection ? sakip.State : null;
                return new ProjectionHealth(s.Projection, "async", s.Position, head, Math.Max(0, head - s.Position), status,
                    current ? $"{s.FailureCategory}: {FirstLine(s.PauseReason)}" : null, current ? s.FailureEventSequence : null, s.Updated,
                    daemon.StatusFor(SakipReadModels.ShardOf(s.Projection)) is JasperFx.AgentStatus.Running,
                    state?.AgenciesInMemory, state is null || state.AgencyCapacity == SakipStateProjection.Unbounded ? null : state.AgencyCapacity,
                    state?.AgenciesDropped, state?.AgenciesReleased);
            })
            .ToList();
    }

    /// <summary>Polls until every projection is running at the head (tests, the CLI). False on timeout or a failure.</summary>
    public async Task<bool> WaitForCatchUpAsync(TimeSpan timeout, CancellationToken ct)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var status = await StatusAsync(ct);
            if (status.Any(s => s.Status == "failed")) return false;
            if (status.All(s => s.Status == "running" && s.Lag == 0)) return true;
            await Task.Delay(100, ct);
        }
        return false;
    }

    private static string Status(ProjectionShardStatus s) => s switch
    {
        { AgentStatus: "Paused" } => "failed",
        { AgentStatus: "Stopped" } => "stopped",
        { Mode: "rebuilding" } => "rebuilding",
        { Updated: null } => "starting",
        _ => "running",
    };

    private static string? FirstLine(string? text) => text?.Split('\n', 2)[0].Trim();
}
