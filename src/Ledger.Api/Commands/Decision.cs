namespace Ledger.Api.Commands;

/// <summary>
/// What <c>decide</c> says about a command: accept it with events (possibly none: nothing to do), refuse it by a
/// named rule (422), or say that what it acts on does not exist (404). A closed hierarchy: switch over it.
/// </summary>
public abstract record Decision
{
    private Decision() { }

    /// <summary>Append these events (in order). No events: the command is accepted and nothing is written.</summary>
    public sealed record Accepted(IReadOnlyList<object> Events) : Decision;

    /// <summary>A domain rule refused the command. <paramref name="Rule"/> is a stable id, e.g. <c>counter.limit</c>.</summary>
    public sealed record Refused(string Rule, string Message, string? Field = null) : Decision;

    /// <summary>The thing the command acts on does not exist, e.g. <c>counter 'c-1'</c>.</summary>
    public sealed record NotFound(string What) : Decision;

    /// <summary>
    /// A rule refused the command because of the resource's state rather than the command's content, e.g. writing to a
    /// closed year (api.md: "409 conflict (closed year, …)"). Like <see cref="Refused"/> it names the rule; it maps to 409.
    /// </summary>
    public sealed record Conflicted(string Rule, string Message) : Decision;

    public static Decision Accept(params object[] events) => new Accepted(events);
    public static Decision Accept(IEnumerable<object> events) => new Accepted(events.ToList());
    public static Decision Refuse(string rule, string message, string? field = null) => new Refused(rule, message, field);
    public static Decision Missing(string what) => new NotFound(what);
    public static Decision Conflict(string rule, string message) => new Conflicted(rule, message);
}
