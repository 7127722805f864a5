using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.DeclaringTargets;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.Renstras;

/// <summary>Commands of the Renstra aggregate (stream <c>renstra-{agency}-{periodStart}</c>).</summary>
public abstract record RenstraCommand;

/// <summary>Facts from other aggregates that Renstra decisions need; loaded by the caller.</summary>
public sealed record RenstraContext(bool AgencyExists);

public static class Renstra
{
    public static string StreamName(string agencyCode, int periodStart) => $"renstra-{agencyCode}-{periodStart}";

    /// <summary>
    /// The period starts of every Renstra that could cover <paramref name="year"/>, newest first. A transition year may
    /// be the year before the period (start = year + 1) or the year after it; a period is at most
    /// <see cref="CreatingRenstra.CreatingRenstraDecision.MaxPeriodYears"/> years, so with its transition year a plan
    /// reaches back at most that many years. Writes (deciding) and reads (showing) both search exactly these streams.
    /// </summary>
    public static IEnumerable<int> CandidatePeriodStarts(int year)
    {
        for (var start = year + 1; start >= year - CreatingRenstra.CreatingRenstraDecision.MaxPeriodYears; start--) yield return start;
    }

    public static Decision Decide(RenstraState state, RenstraCommand command, RenstraContext context) => command switch
    {
        CreateRenstra c => CreatingRenstraDecision.Decide(state, c, context),
        AddIndicator c => AddingIndicatorDecision.Decide(state, c),
        ReviseRenstra c => RevisingRenstraDecision.Decide(state, c),
        DeclareTargets c => DeclaringTargetsDecision.Decide(state, c),
        ProposeRenstraRevision c => ProposingRenstraRevisionDecision.Propose(state, c),
        ApproveRenstraRevision c => ProposingRenstraRevisionDecision.Approve(state, c),
        RejectRenstraRevision c => ProposingRenstraRevisionDecision.Reject(state, c),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown renstra command."),
    };

    public static RenstraState Evolve(RenstraState state, IDomainEvent @event) => state.Evolve(@event);

    public static RenstraState Replay(IEnumerable<IDomainEvent> events) => events.Aggregate(RenstraState.Initial, Evolve);
}
