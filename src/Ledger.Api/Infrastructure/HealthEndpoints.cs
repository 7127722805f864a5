namespace Ledger.Api.Infrastructure;

public static class HealthEndpoints
{
    // GET /health  → 200 { status: "ok" } when the database answers, 503 problem details when it does not.
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/health", async (LedgerDatabase db, CancellationToken ct) =>
        {
            try
            {
                await using var cmd = db.Service.CreateCommand("SELECT 1");
                await cmd.ExecuteScalarAsync(ct);
                return Results.Ok(new { status = "ok", database = "up" });
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                return Results.Problem(title: "Database unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }
}
