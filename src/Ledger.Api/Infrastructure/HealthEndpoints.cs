namespace Ledger.Api.Infrastructure;

public static class HealthEndpoints
{
    // GET /health  → 200 { status: "ok", database: "up", audit: "ok" } when the database answers and the audit layer is
    //                intact; 503 problem details when the database does not answer, or when the audit layer reports a
    //                problem (then `auditProblems` lists them and every write is refused: docs/security.md).
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/health", async (HttpContext http, LedgerDatabase db, AuditGuard audit, CancellationToken ct) =>
        {
            try
            {
                await using var cmd = db.Service.CreateCommand("SELECT 1");
                await cmd.ExecuteScalarAsync(ct);
                var problems = await audit.CheckAsync(ct);
                if (problems.Count > 0)
                    return Results.Problem(title: "Audit layer broken", statusCode: StatusCodes.Status503ServiceUnavailable,
                        detail: "The audit layer is not intact; writes are refused until it is repaired.",
                        extensions: new Dictionary<string, object?> { ["auditProblems"] = problems });
                return Results.Ok(new { status = "ok", database = "up", audit = "ok" });
            }
            catch (Exception e) when (Ledger.Storage.DatabaseOutage.Is(e))
            {
                http.Response.Headers.RetryAfter = Ledger.Storage.DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(title: "Database unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }
}
