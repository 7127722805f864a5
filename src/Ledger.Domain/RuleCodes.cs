namespace Ledger.Domain;

/// <summary>
/// Every stable rule code a decision can refuse with. Clients and findings key on these strings:
/// never rename one; add a new code instead.
/// </summary>
public static class RuleCodes
{
    // Agency
    public const string AgencyAlreadyRegistered = "agency.already-registered";
    public const string AgencyCodeInvalid = "agency.code-invalid";
    public const string AgencyNameRequired = "agency.name-required";
    public const string RatingScaleInvalid = "rating-scale.invalid";

    // Renstra
    public const string RenstraAlreadyExists = "renstra.already-exists";
    public const string RenstraPeriodInvalid = "renstra.period-invalid";
    public const string RenstraTitleRequired = "renstra.title-required";
    public const string RenstraTransitionYearInvalid = "renstra.transition-year-invalid";

    public const string IndicatorCodeRequired = "indicator.code-required";
    public const string IndicatorNameRequired = "indicator.name-required";
    public const string IndicatorUnitRequired = "indicator.unit-required";
    public const string IndicatorDuplicateCode = "indicator.duplicate-code";
    public const string IndicatorParentNotFound = "indicator.parent-not-found";
    public const string IndicatorTargetYearOutsidePeriod = "indicator.target-year-outside-period";
    public const string IndicatorTargetNegative = "indicator.target-negative";
    public const string IndicatorLowerFormulaWithoutLowerPolarity = "indicator.lower-formula-needs-lower-polarity";

    // Targets as printed in another table of the source (DeclareTargets).
    public const string DeclaredTargetsSourceRequired = "renstra.declared-targets.source-required";
    public const string DeclaredTargetsUnknownIndicator = "renstra.declared-targets.unknown-indicator";
    public const string DeclaredTargetsRequired = "renstra.declared-targets.required";

    public const string RenstraRevisionReasonRequired = "renstra.revision.reason-required";
    public const string RenstraRevisionNoChanges = "renstra.revision.no-changes";
    public const string RenstraRevisionUnknownIndicator = "renstra.revision.unknown-indicator";
    public const string RenstraRevisionYearOutsidePeriod = "renstra.revision.year-outside-period";
    public const string RenstraRevisionDuplicateChange = "renstra.revision.duplicate-change";
    public const string RenstraRevisionNoChange = "renstra.revision.no-change";
    public const string RenstraRevisionTargetNegative = "renstra.revision.target-negative";

    // Performance year: PK
    public const string PkTargetsRequired = "pk.targets-required";
    public const string PkUnknownIndicator = "pk.unknown-indicator";
    public const string PkDuplicateIndicator = "pk.duplicate-indicator";
    public const string PkTargetNegative = "pk.target-negative";
    public const string PkSignerRequired = "pk.signer-required";
    public const string PkSignerNipInvalid = "pk.signer.nip-invalid";
    public const string PkSignedInFuture = "pk.signed-on.in-future";
    public const string PkMurniAlreadySigned = "pk.murni.already-signed";
    public const string PkPerubahanWithoutMurni = "pk.perubahan.no-murni";
    public const string PkPerubahanReasonRequired = "pk.perubahan.reason-required";
    public const string PkPerubahanGroundRequired = "pk.perubahan.ground-required";
    public const string PkPerubahanNoChange = "pk.perubahan.no-change";
    public const string PkPerubahanSignedBeforePrevious = "pk.perubahan.signed-before-previous";

    // Performance year: realizations
    public const string RealizationPeriodInvalid = "realization.period-invalid";
    public const string RealizationGranularityMixed = "realization.granularity-mixed";
    public const string RealizationAlreadyRecorded = "realization.already-recorded-use-correction";
    public const string RealizationValueNegative = "realization.value-negative";
    public const string RealizationFractionInvalid = "realization.fraction-invalid";
    public const string CorrectionReasonRequired = "realization.correction.reason-required";
    public const string CorrectionNoRealization = "realization.correction.no-realization";
    public const string CorrectionSameValue = "realization.correction.same-value";

    // Performance year: claims printed in a report of the year that are not realizations (DeclareClaims).
    public const string DeclaredClaimsSourceRequired = "year.declared-claims.source-required";
    public const string DeclaredClaimsRequired = "year.declared-claims.required";
    public const string DeclaredClaimsUnknownIndicator = "year.declared-claims.unknown-indicator";
    public const string DeclaredClaimsDuplicate = "year.declared-claims.duplicate";
    public const string DeclaredClaimFigureRequired = "year.declared-claims.figure-required";
    public const string DeclaredClaimNegative = "year.declared-claims.negative";

    // Performance year: budget
    public const string BudgetAlreadyEnacted = "budget.already-enacted";
    public const string BudgetLinesRequired = "budget.lines-required";
    public const string BudgetLineIncomplete = "budget.line-incomplete";
    public const string BudgetDuplicateCode = "budget.duplicate-code";
    public const string BudgetParentNotFound = "budget.parent-not-found";
    public const string BudgetParentCycle = "budget.parent-cycle";
    public const string BudgetPaguNegative = "budget.pagu-negative";
    public const string BudgetDeclaredTotalUnknownCode = "budget.declared-total-unknown-code";
    public const string BudgetRevisionWithoutMurni = "budget.revision.no-murni";
    public const string BudgetRevisionReasonRequired = "budget.revision.reason-required";
    public const string BudgetRevisionUnknownLine = "budget.revision.unknown-line";
    public const string BudgetRevisionNoChange = "budget.revision.no-change";
    public const string DeclaredBudgetTotalsWithoutBudget = "budget.declared-totals.no-budget";
    public const string DeclaredBudgetTotalsSourceRequired = "budget.declared-totals.source-required";
    public const string DeclaredBudgetTotalsRequired = "budget.declared-totals.required";
    public const string DeclaredBudgetTotalFigureRequired = "budget.declared-totals.figure-required";
    public const string DeclaredBudgetTotalNegative = "budget.declared-totals.negative";
    public const string SpendingNoBudget = "spending.no-budget";
    public const string SpendingUnknownLine = "spending.unknown-line";
    public const string SpendingAmountNegative = "spending.amount-negative";
    public const string SpendingLevelMixed = "spending.level-mixed";

    // Performance year: closing
    public const string YearClosed = "year.closed";
    public const string YearAlreadyClosed = "year.already-closed";
    public const string YearSnapshotHashRequired = "year.snapshot-hash-required";
    public const string YearNotEnded = "year.not-ended";

    // Users (the user directory)
    public const string UserNameRequired = "user.name-required";
    public const string UserRoleInvalid = "user.role-invalid";
    public const string UserAgencyRequired = "user.agency-required";
    public const string UserAgencyNotAllowed = "user.agency-not-allowed";
    public const string UserAlreadyExists = "user.already-exists";
    public const string UserRevokeReasonRequired = "user.revoke-reason-required";
    public const string UserTokenReasonRequired = "user.token-reason-required";
    public const string UserRevoked = "user.revoked";

    // Revision workflow (issue 5 item 2): a proposal by staff, signed (approved) or rejected by the approver.
    public const string RevisionProposalNotPending = "revision-proposal.not-pending";
    public const string RevisionProposalStale = "revision-proposal.stale";
    public const string RevisionProposalRejectReasonRequired = "revision-proposal.reject-reason-required";
    public const string RevisionProposalDuplicateId = "revision-proposal.duplicate-id";

    // Evaluations (PermenPANRB 88/2021, issue 5 item 5).
    public const string EvaluationAlreadyRecorded = "evaluation.already-recorded";
    public const string EvaluationScoreOutOfRange = "evaluation.score-out-of-range";
    public const string EvaluationPredikatMismatch = "evaluation.predikat-mismatch";
    public const string EvaluationComponentOutOfRange = "evaluation.component-out-of-range";
    public const string EvaluationComponentsSumMismatch = "evaluation.components-sum-mismatch";
    public const string EvaluationRecommendationsRequired = "evaluation.recommendations-required";
    public const string EvaluationNotRecorded = "evaluation.not-recorded";
    public const string FollowUpUnknownRecommendation = "evaluation.follow-up.unknown-recommendation";
    public const string FollowUpActionRequired = "evaluation.follow-up.action-required";
}
