namespace Ledger.Api.Infrastructure;

/// <summary>A configuration Ledger must not run with, found before anything was written; the message says what to change.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);

/// <summary>
/// What the service does when it refuses to start (<see cref="StartupRefusedException"/>, e.g. its connection goes through
/// PgBouncer in transaction mode): it logs the reason as critical and, instead of the service, listens on its configured
/// addresses with nothing but the refusal — <c>GET /health</c> and every other request answer 503 problem details whose
/// <c>detail</c> is the reason — so a load balancer keeps it out of rotation and whoever looks at it is told why. It never
/// touches the database again. Stopping it (SIGTERM, Ctrl+C) exits with code 1.
/// </summary>
public static class StartupRefusal
{
    public const string Title = "Ledger refused to start";

    public static async Task<int> ServeAsync(string[] args, StartupRefusedException refused)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        app.Logger.LogCritical("{Reason}", refused.Message);
        app.Run(async http =>
        {
            http.Response.Headers.RetryAfter = "300";
            await Results.Problem(title: Title, detail: refused.Message, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(http);
        });
        await app.RunAsync();
        return 1;
    }
}
