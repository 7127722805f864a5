

namespace Ledger.Api.Commands;

/// <summary>How a command ended: it succeeded (events appended, or nothing to do), or one of the failures.</summary>
public abstract record CommandOutcome
{
    private protected CommandOutcome() { }
}

/// <summary>The stream is at <paramref name="Version"/>; <paramref name="EventIds"/> were appended (none if nothing was to do).</summary>
public sealed record CommandSucceeded(string Stream, long Version, IReadOnlyList<Guid> EventIds) : CommandOutcome
{
    /// <summary>The appended events as decided (same order as <see cref="EventIds"/>); empty when nothing was written.</summary>
    public IReadOnlyList<object> Events { get; init; } = [];
}

/// <summary>
/// Every way a command can fail for a reason the client can act on. A closed hierarchy: <see cref="FailureTable"/>
/// maps each to exactly one HTTP status. Anything else (a bug, the database down) is an exception and a 5xx.
/// </summary>
public abstract record CommandFailure : CommandOutcome
{
    private CommandFailure() { }

    /// <summary>The body is not valid JSON of the right shape, or the command broke a validation rule. Keys are camelCase field paths.</summary>
    public sealed record ValidationFailed(IReadOnlyDictionary<string, string[]> Errors) : CommandFailure
    {
        /// <summary>Per field, parallel to <see cref="Errors"/>: the Indonesian message, or null to keep the English (Language/FieldTexts).</summary>
        public IReadOnlyDictionary<string, string?[]>? Indonesian { get; init; }
    }

    /// <summary>A request header the pipeline reads (If-Match, Idempotency-Key, X-Correlation-Id) is malformed.</summary>
    public sealed record BadHeader(string Header, string Message) : CommandFailure;

    public sealed record NotFound(string What) : CommandFailure;

    public sealed record Refused(string Rule, string Message, string? Field) : CommandFailure;

    /// <summary>A rule refused the command because of the resource's state (e.g. a closed year): 409 naming the rule.</summary>
    public sealed record Conflict(string Rule, string Message) : CommandFailure;

    /// <summary>If-Match named <paramref name="ExpectedVersion"/> but the stream is at <paramref name="ActualVersion"/>.</summary>
    public sealed record PreconditionFailed(string Stream, long ExpectedVersion, long ActualVersion) : CommandFailure;

    /// <summary>Without If-Match, every attempt lost a race with another writer.</summary>
    public sealed record RaceLost(string Stream, long ExpectedVersion, long ActualVersion, int Attempts) : CommandFailure;

}

/// <summary>
/// A command failed for a reason the client can act on. Thrown by <see cref="CommandRunner"/> before anything is saved
/// (so Wolverine's transaction never commits and no idempotency key is claimed) and answered by
/// <see cref="CommandMiddleware"/> through <see cref="FailureTable"/>.
/// </summary>
public sealed class CommandFailedException(CommandFailure failure) : Exception(failure.ToString())
{
    public CommandFailure Failure { get; } = failure;
}
