using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;
using Ledger.Domain.PerformanceYears.DeclaringClaims;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.Evaluations;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.DeclaringTargets;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain;

/// <summary>
/// The one explicit list of stored event type names. The name is what the store keeps, so renaming or moving a class
/// never changes stored data; changing an event's shape means a new name (".v2") and an upcaster, never an edit here.
/// </summary>
public static class DomainEventTypes
{
    public static IReadOnlyList<(string Name, Type Type)> All { get; } =
    [
        ("agency.registered.v1", typeof(AgencyRegistered)),
        ("agency.rating-scale-set.v1", typeof(RatingScaleSet)),

        ("renstra.created.v1", typeof(RenstraCreated)),
        ("renstra.indicator-added.v1", typeof(IndicatorAdded)),
        ("renstra.revised.v1", typeof(RenstraRevised)),
        ("renstra.revision-proposed.v1", typeof(RenstraRevisionProposed)),
        ("renstra.revision-approved.v1", typeof(RenstraRevisionApproved)),
        ("renstra.revision-rejected.v1", typeof(RenstraRevisionRejected)),
        ("renstra.targets-declared.v1", typeof(TargetsDeclared)),

        ("pk.signed.v1", typeof(PkSigned)),
        ("pk.revised.v1", typeof(PkRevised)),
        ("pk.revision-proposed.v1", typeof(PkRevisionProposed)),
        ("pk.revision-approved.v1", typeof(PkRevisionApproved)),
        ("pk.revision-rejected.v1", typeof(PkRevisionRejected)),
        ("realization.recorded.v1", typeof(RealizationRecorded)),
        ("realization.corrected.v1", typeof(RealizationCorrected)),
        ("year.claims-declared.v1", typeof(ClaimsDeclared)),
        ("budget.enacted.v1", typeof(BudgetEnacted)),
        ("budget.revised.v1", typeof(BudgetRevised)),
        ("budget.spending-recorded.v1", typeof(SpendingRecorded)),
        ("budget.totals-declared.v1", typeof(BudgetTotalsDeclared)),
        ("year.closed.v1", typeof(YearClosed)),
        ("year.snapshot-frozen.v1", typeof(YearSnapshotFrozen)),

        ("evaluation.recorded.v1", typeof(EvaluationRecorded)),
        ("evaluation.follow-up-recorded.v1", typeof(FollowUpRecorded)),

        ("user.created.v1", typeof(Users.UserCreated)),
        ("user.token-revoked.v1", typeof(Users.UserTokenRevoked)),
        ("user.token-issued.v1", typeof(Users.UserTokenIssued)),
    ];

    private static readonly Dictionary<string, Type> ByName = All.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);
    private static readonly Dictionary<Type, string> ByType = All.ToDictionary(e => e.Type, e => e.Name);

    /// <summary>The stored name of an event's type; throws for a type missing from <see cref="All"/>.</summary>
    public static string NameOf(IDomainEvent @event) => NameOf(@event.GetType());

    public static string NameOf(Type type) =>
        ByType.TryGetValue(type, out var name)
            ? name
            : throw new InvalidOperationException($"{type.Name} is not registered in DomainEventTypes.All.");

    public static Type? TypeOf(string name) => ByName.GetValueOrDefault(name);
}
