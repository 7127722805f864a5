namespace Ledger.Domain;

/// <summary>Marker for every event of the domain. Each concrete event is listed in <see cref="DomainEventTypes.All"/>.</summary>
public interface IDomainEvent { }

/// <summary>What a pure decision returns: the events to append, or why nothing may be appended.</summary>
public abstract record Decision
{
    private Decision() { }

    public sealed record Accepted(IReadOnlyList<IDomainEvent> Events) : Decision;

    /// <summary>A domain rule refused the command. <paramref name="Rule"/> is a stable code (see <see cref="RuleCodes"/>).</summary>
    public sealed record Refused(string Rule, string Message, string? Field = null) : Decision;

    /// <summary>The command names something that does not exist (agency, renstra, indicator…).</summary>
    public sealed record NotFound(string What) : Decision;

    public static Decision Accept(params IDomainEvent[] events) => new Accepted(events);
    public static Decision Refuse(string rule, string message, string? field = null) => new Refused(rule, message, field);
    public static Decision Missing(string what) => new NotFound(what);
}
