namespace Ledger.Api.Infrastructure;

public static class HealthEndpoints
{
    // GET /health  → 200 { status: "ok", database: "up", projections: [ { name, kind, position, head, lag, status:
    //                running|failed|rebuilding|starting, error, errorEventSequence, updated } ] } when the database
    //                answers, 503 problem details when it does not. A failed projection is visible here (and in the
    //                log) but is not a reason for 503: the service and the other projections keep working (issue 4).
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/health", async (LedgerDatabase db, ProjectionMonitor monitor, CancellationToken ct) =>
        {
            try
            {
                await using var cmd = db.Service.CreateCommand("SELECT 1");
                await cmd.ExecuteScalarAsync(ct);
                var projections = await monitor.StatusAsync(ct);
                var failed = projections.Count(p => p.Status == "failed");
                return Results.Ok(new { status = "ok", database = "up", projectionsFailed = failed, projections });
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                return Results.Problem(title: "Database unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }
}
