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

    /// <summary>
    /// The Renstra in force for <paramref name="year"/>, the one rule every write, read, audit read, snapshot and read
    /// model uses: of the plans that could cover the year (<see cref="CandidatePeriodStarts"/>, newest first), the first
    /// that exists and covers it, so a newer plan supersedes an older one for the years they share. The caller says how
    /// to get the plan starting in a given year (from a replay, as of an instant, from memory); null when there is none.
    /// </summary>
    public static async ValueTask<TPlan?> InForceAsync<TPlan>(int year, Func<int, ValueTask<TPlan?>> planStartingIn, Func<TPlan, RenstraState> stateOf)
        where TPlan : class
    {
        foreach (var start in CandidatePeriodStarts(year))
            if (await planStartingIn(start) is { } plan && stateOf(plan) is { Exists: true } state && state.Covers(year)) return plan;
        return null;
    }

    /// <summary><see cref="InForceAsync{TPlan}"/> over plans already in memory.</summary>
    public static RenstraState? InForce(int year, Func<int, RenstraState?> planStartingIn)
    {
        var found = InForceAsync(year, start => ValueTask.FromResult(planStartingIn(start)), s => s);
        return found.IsCompletedSuccessfully ? found.Result : throw new InvalidOperationException("Plans in memory are found synchronously.");
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
