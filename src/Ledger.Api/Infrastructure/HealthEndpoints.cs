using System.Globalization;
using Ledger.Storage;

namespace Ledger.Api.Infrastructure;

public static class HealthEndpoints
{
    // GET /health  → 200 { status: "ok", database: "up", audit: "ok", projectionsFailed, projections: [ { name, kind,
    //                position, head, lag, status: running|failed|stopped|rebuilding|starting, error, errorEventSequence,
    //                updated } ] } when the database answers and the audit layer is intact.
    //                503 problem details with Retry-After when the database does not answer; 503 when the audit layer
    //                reports a problem (then `auditProblems` lists them and every write is refused: docs/security.md).
    //                A failed projection is visible here (and in the log) but is not a reason for 503: the service and
    //                the other projections keep working (issue 4).
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/health", async (HttpContext http, LedgerDatabase db, AuditGuard audit, ProjectionMonitor monitor, CancellationToken ct) =>
        {
            try
            {
                await using var cmd = db.Service.CreateCommand("SELECT 1");
                await cmd.ExecuteScalarAsync(ct);
                var problems = await audit.CheckAsync(ct);
                var projections = await monitor.StatusAsync(ct);
                var failed = projections.Count(p => p.Status == "failed");
                if (problems.Count > 0)
                    return Results.Problem(title: "Audit layer broken", statusCode: StatusCodes.Status503ServiceUnavailable,
                        detail: "The audit layer is not intact; writes are refused until it is repaired.",
                        extensions: new Dictionary<string, object?> { ["auditProblems"] = problems, ["projections"] = projections });
                return Results.Ok(new { status = "ok", database = "up", audit = "ok", projectionsFailed = failed, projections });
            }
            catch (Exception e) when (DatabaseOutage.Is(e))
            {
                http.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(title: "Database unavailable", statusCode: StatusCodes.Status503ServiceUnavailable,
                    detail: $"The database did not answer ({e.GetType().Name}); retry after {DatabaseOutage.RetryAfterSeconds} s.");
            }
        }).WithTags("Health").WithSummary("200 when the database answers and the audit layer is intact; 503 with the reason otherwise");
    }
}
