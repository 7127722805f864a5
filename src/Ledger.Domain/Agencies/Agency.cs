using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;

namespace Ledger.Domain.Agencies;

/// <summary>Commands of the Agency aggregate (stream <c>agency-{code}</c>).</summary>
public abstract record AgencyCommand;

public static class Agency
{
    public static string StreamName(string agencyCode) => $"agency-{agencyCode}";

    public static Decision Decide(AgencyState state, AgencyCommand command) => command switch
    {
        RegisterAgency c => RegisteringAgencyDecision.Decide(state, c),
        SetRatingScale c => SettingRatingScaleDecision.Decide(state, c),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown agency command."),
    };

    public static AgencyState Evolve(AgencyState state, IDomainEvent @event) => state.Evolve(@event);

    public static AgencyState Replay(IEnumerable<IDomainEvent> events) => events.Aggregate(AgencyState.Initial, Evolve);
}
