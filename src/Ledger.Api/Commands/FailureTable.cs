using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Commands;

/// <summary>
/// THE table from failure to HTTP status (style.md #5; docs/commands.md lists the same rows). Nothing else in the
/// pipeline chooses a 4xx. Exceptions are not failures: they surface as 5xx.
/// </summary>
public static class FailureTable
{
    public static ProblemDetails ToProblem(CommandFailure failure) => failure switch
    {
        CommandFailure.ValidationFailed f => new HttpValidationProblemDetails(f.Errors.ToDictionary())
        {
            Status = StatusCodes.Status400BadRequest, Title = "The command is not valid.",
        },
        CommandFailure.BadHeader f => Problem(StatusCodes.Status400BadRequest, $"Malformed {f.Header} header.", f.Message,
            ("header", f.Header)),
        CommandFailure.NotFound f => Problem(StatusCodes.Status404NotFound, "Not found.", $"{f.What} does not exist."),
        CommandFailure.Refused f => Problem(StatusCodes.Status422UnprocessableEntity, "The command was refused by a rule.", f.Message,
            ("rule", f.Rule), ("field", f.Field)),
        CommandFailure.Conflict f => Problem(StatusCodes.Status409Conflict, "The command conflicts with the resource's state.", f.Message,
            ("rule", f.Rule)),
        CommandFailure.PreconditionFailed f => Problem(StatusCodes.Status412PreconditionFailed, "The stream is not at the If-Match version.",
            $"'{f.Stream}' is at version {f.ActualVersion}, not {f.ExpectedVersion}. Reload and decide again.",
            ("expectedVersion", f.ExpectedVersion), ("actualVersion", f.ActualVersion)),
        CommandFailure.RaceLost f => Problem(StatusCodes.Status409Conflict, "Concurrent writes kept winning the race.",
            $"'{f.Stream}' changed under this command {f.Attempts} times. Try again.",
            ("rule", "concurrency.race-lost"), ("expectedVersion", f.ExpectedVersion), ("actualVersion", f.ActualVersion)),
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "A failure without a row in the table."),
    };

    private static ProblemDetails Problem(int status, string title, string detail, params (string Key, object? Value)[] extensions)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions)
        {
            if (value is not null) problem.Extensions[key] = value;
        }
        return problem;
    }
}
