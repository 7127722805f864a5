using Ledger.Api.Infrastructure;
using Ledger.Domain.Users;
using Ledger.ReadModels;

namespace Ledger.Api.Features.Admin;

// GET  /api/admin/projections           (admin) → 200 { projections: [ ProjectionHealth ], rebuild: RebuildJob | null }
// POST /api/admin/projections/rebuild   (admin) { projection?: name } → 202 RebuildJob, Location: /api/admin/projections
//      Rebuilds the named projection, or all of them one after another, from sequence 0 in the background on this node's
//      Marten daemon (it must be the leading node); poll the status URL until rebuild.state is "succeeded" or "failed".
//      404 unknown projection name; 409 a rebuild is running.
public static class ProjectionAdminEndpoints
{
    public const string StatusPath = "/api/admin/projections";

    public sealed record RebuildBody(string? Projection);

    /// <summary>GET /api/admin/projections: each projection's state and the last rebuild (null before the first).</summary>
    public sealed record StatusBody(IReadOnlyList<ProjectionHealth> Projections, RebuildJob? Rebuild);

    public static void MapProjectionAdminEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/projections", async (ProjectionMonitor monitor, ProjectionRebuilds rebuilds, CancellationToken ct) =>
                Results.Ok(new StatusBody(await monitor.StatusAsync(ct), rebuilds.Current)))
            .RequireRole(Roles.Admin).WithTags("Admin").Produces<StatusBody>()
            .WithName("ProjectionStatus").WithSummary("Each projection's committed position, lag and state, and the last rebuild's progress");

        api.MapPost("/admin/projections/rebuild", (RebuildBody? body, ProjectionRebuilds rebuilds) =>
            {
                IReadOnlyList<string> targets;
                if (string.IsNullOrWhiteSpace(body?.Projection)) targets = SakipReadModels.Names;
                else if (SakipReadModels.Names.FirstOrDefault(n => n == body.Projection.Trim()) is { } one) targets = [one];
                else
                    return Results.Problem(statusCode: 404, title: "Not found.",
                        detail: $"No projection '{body.Projection}'; known: {string.Join(", ", SakipReadModels.Names)}.");

                return rebuilds.TryStart(targets) is { } job
                    ? Results.Accepted(StatusPath, job)
                    : Results.Problem(statusCode: 409, title: "A rebuild is already running.", detail: $"See {StatusPath}.");
            })
            .RequireRole(Roles.Admin).WithTags("Admin")
            .Produces<RebuildJob>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("RebuildProjections").WithSummary("Rebuild one or all projections from the events (202, progress at the status URL)");
    }
}
