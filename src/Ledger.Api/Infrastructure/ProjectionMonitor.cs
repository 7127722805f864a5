using Ledger.Projections;
using Ledger.ReadModels;

namespace Ledger.Api.Infrastructure;

/// <summary>One projection as /health and GET /api/admin/projections show it; lag = head (highest committed sequence) − position.</summary>
public sealed record ProjectionHealth(
    string Name, string Kind, long Position, long Head, long Lag, string Status, string? Error, long? ErrorEventSequence,
    DateTimeOffset? Updated);

/// <summary>Reads the checkpoints of the service's projections and the head of the log.</summary>
public sealed class ProjectionMonitor(LedgerDatabase database, ProjectionSet projections)
{
    public async Task<IReadOnlyList<ProjectionHealth>> StatusAsync(CancellationToken ct)
    {
        var head = await ReadModelSchema.HeadAsync(database.Service, ct);
        var rows = (await new ProjectionCheckpoints(database.Service).GetStatusAsync(ct)).ToDictionary(s => s.Name);
        return projections.All.Select(p => rows.TryGetValue(p.Name, out var s)
                ? new ProjectionHealth(s.Name, s.Kind == ProjectionKind.Inline ? "inline" : "async", s.Position.Value, head,
                    Math.Max(0, head - s.Position.Value), Status(s.State), s.Error, s.ErrorEventSequence, s.Updated)
                // Not registered yet: the daemon registers its projections when it starts.
                : new ProjectionHealth(p.Name, "async", 0, head, head, "starting", null, null, null))
            .ToList();
    }

    /// <summary>Polls until every projection is running at the settled head (tests, the CLI). False on timeout or a failure.</summary>
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

    private static string Status(ProjectionState state) => state switch
    {
        ProjectionState.Failed => "failed",
        ProjectionState.Rebuilding => "rebuilding",
        _ => "running",
    };
}
