using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;
using Ledger.Domain.PerformanceYears.DeclaringClaims;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;

namespace Ledger.Domain.PerformanceYears;

/// <summary>Commands of the PerformanceYear aggregate (stream <c>year-{agency}-{year}</c>).</summary>
public abstract record PerformanceYearCommand;

public static class PerformanceYear
{
    public static string StreamName(string agencyCode, int year) => $"year-{agencyCode}-{year}";

    public static Decision Decide(PerformanceYearState state, PerformanceYearCommand command, PerformanceYearContext context)
    {
        if (!context.AgencyExists) return Decision.Missing("agency");
        // A closed year is frozen; only corrections (always with a reason) may still be recorded, and they are
        // flagged as after-close so they show up as findings against the snapshot.
        if (state.Closed && command is not CorrectRealization)
            return command is CloseYear
                ? Decision.Refuse(RuleCodes.YearAlreadyClosed, $"{state.Year} is already closed.")
                : Decision.Refuse(RuleCodes.YearClosed,
                    $"{state.Year} is closed; only realization corrections with a reason may still be recorded.");

        return command switch
        {
            SignPk c => SigningPkDecision.Decide(state, c, context),
            RevisePk c => RevisingPkDecision.Decide(state, c, context),
            ProposePkRevision c => ProposingPkRevisionDecision.Propose(state, c, context),
            ApprovePkRevision c => ProposingPkRevisionDecision.Approve(state, c, context),
            RejectPkRevision c => ProposingPkRevisionDecision.Reject(state, c),
            RecordRealization c => RecordingRealizationDecision.Decide(state, c, context),
            CorrectRealization c => CorrectingRealizationDecision.Decide(state, c),
            DeclareClaims c => DeclaringClaimsDecision.Decide(state, c, context),
            EnactBudget c => EnactingBudgetDecision.Decide(state, c),
            ReviseBudget c => RevisingBudgetDecision.Decide(state, c),
            RecordSpending c => RecordingSpendingDecision.Decide(state, c),
            DeclareBudgetTotals c => DeclaringBudgetTotalsDecision.Decide(state, c),
            CloseYear c => ClosingYearDecision.Decide(state, c, context),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown performance-year command."),
        };
    }

    public static PerformanceYearState Evolve(PerformanceYearState state, IDomainEvent @event) => state.Evolve(@event);

    public static PerformanceYearState Replay(string agencyCode, int year, IEnumerable<IDomainEvent> events) =>
        events.Aggregate(PerformanceYearState.Initial(agencyCode, year), Evolve);
}
