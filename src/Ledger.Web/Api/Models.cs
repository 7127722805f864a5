using System.Text.Json;

namespace Ledger.Web.Api;

// The API's answers as the pages read them (docs/api-notes.md has the full shapes; unknown fields are ignored here).

public sealed record Me(Guid Id, string Name, string? Nip, string Role, string? Agency);

public sealed record AgencyRenstra(int PeriodStart, int PeriodEnd, string Title, string? Decree);

public sealed record AgencyYear(int Year, bool Recorded, bool Closed, DateTimeOffset? ClosedAt, string? SnapshotHash);

public sealed record AgencySummary(string Code, string Name, IReadOnlyList<AgencyRenstra> Renstras, IReadOnlyList<AgencyYear> Years);

public sealed record Measure(
    int Year, decimal? Target, string TargetSource, decimal? Realization, decimal? Capaian, decimal? CapaianDisplay, string? CapaianMethod,
    string? CapaianNotComputedReason, string? Predikat, IReadOnlyDictionary<string, decimal>? Realizations);

public sealed record PerformanceRow(
    string Code, string Name, string Unit, string Polarity, string Level, string Kind, string? Parent, Measure Current, Measure? Previous,
    decimal? EndTarget, decimal? ProgressToEndTarget, decimal? ProgressDisplay);

public sealed record BudgetRow(
    string Code, string Name, string? Parent, decimal PaguMurni, decimal Pagu, decimal Spent, decimal? Absorption, decimal? AbsorptionDisplay,
    decimal Efficiency, decimal? EfficiencyPercent, bool ExceedsPagu);

public sealed record BudgetTotals(decimal PaguMurni, decimal Pagu, decimal Spent, decimal? Absorption, decimal Efficiency);

public sealed record RenstraInfo(int PeriodStart, int PeriodEnd, string Title, string? Decree, int Revisions);

public sealed record Performance(
    string Agency, int Year, int PreviousYear, RenstraInfo? Renstra, string? RatingScale, IReadOnlyList<PerformanceRow> Indicators,
    IReadOnlyList<BudgetRow> Budget, BudgetTotals BudgetTotals, long Version, DateTimeOffset? AsOf);

public sealed record Targets(decimal? Renstra, bool RenstraRevised, decimal? PkMurni, decimal? Pk, string Source, decimal? InForce);

public sealed record Indicator(
    string Agency, int Year, string Code, string Name, string Unit, string Polarity, string Level, string Kind, string? Parent,
    int RenstraPeriodStart, Targets Targets, IReadOnlyDictionary<string, decimal> Realizations, decimal? AnnualValue, decimal? Capaian,
    decimal? CapaianDisplay, string? CapaianMethod, string? CapaianNotComputedReason, string? Predikat, string? RatingScale, long Version,
    DateTimeOffset? AsOf);

public sealed record ActorInfo(string? Name, string? Nip, string? Role);

public sealed record HistoryEntry(
    DateTimeOffset At, string Effective, int? Year, ActorInfo Actor, string Kind, string? Reason, string? Ground, decimal? Before,
    decimal? After, string? Note, Guid EventId, long Sequence);

public sealed record IndicatorListItem(string Code, string Name, string Level, string Kind, string Unit, string Polarity, string? Parent);

public sealed record Signer(string Name, string Nip, string Position);

public sealed record PkTarget(string Indicator, string? Name, decimal Target, decimal? RenstraTarget);

public sealed record PkVersion(int Number, string Kind, DateOnly SignedOn, Signer Signer, string? Reason, string? Ground, IReadOnlyList<PkTarget> Targets);

public sealed record Pk(
    string Agency, int Year, int Number, string Kind, DateOnly SignedOn, Signer Signer, IReadOnlyList<PkTarget> Targets,
    IReadOnlyList<PkVersion> Versions, long Version, DateTimeOffset? AsOf);

public sealed record Finding(string Rule, string Severity, string Subject, string Message, IReadOnlyList<Guid> Evidence, IReadOnlyList<long> Sequences);

public sealed record ChangeActor(Guid? Id, string? Name, string? Nip, string? Role);

public sealed record Change(
    DateTimeOffset At, ChangeActor Actor, string Kind, string Stream, int? Year, string? Subject, string? Period, string? Reason,
    string? Ground, string? Summary, Guid EventId, long Sequence, long Version);

public sealed record ChangeLog(string Agency, IReadOnlyList<Change> Changes, bool Truncated, DateTimeOffset? AsOf);

public sealed record ChainHead(long? HeadSequence, string? LogDigest, string? Format);

public sealed record CorrectionAfterClose(
    Guid EventId, long Sequence, long Version, DateTimeOffset At, JsonElement? Actor, string Reason, string Indicator, string Period,
    decimal Before, decimal After);

public sealed record Snapshot(
    string Agency, int Year, string SnapshotHash, string? Canonicalization, DateTimeOffset ClosedAt, JsonElement? ClosedBy, string? Note,
    string? Reason, Guid CloseEventId, long CloseSequence, IReadOnlyList<string> IndicatorsWithoutRealization, ChainHead? ChainHead,
    IReadOnlyList<CorrectionAfterClose> CorrectionsAfterClose, long Version);

public sealed record SnapshotCheck(bool Ok, string StoredHash, string RecomputedHash, string DocumentHash, string Canonicalization);

public sealed record FollowUp(string Action, string Status, string? Evidence, DateTimeOffset? At);

public sealed record Recommendation(int Number, string Text, IReadOnlyList<FollowUp> FollowUps);

public sealed record Evaluation(
    string Agency, int Year, decimal Score, string Predikat, string Scale, JsonElement? Components, string? ReportNumber, string? Indicator,
    IReadOnlyList<Recommendation> Recommendations, long Version);

public sealed record ProposalChange(string Indicator, decimal? Before, decimal After);

public sealed record PkProposal(
    Guid ProposalId, string Status, int BasedOnVersion, string Reason, string Ground, DateOnly SignedOn, Signer Signer,
    IReadOnlyList<PkTarget> Targets, IReadOnlyList<ProposalChange> Changes, int? Version, string? RejectReason);

public sealed record PublishedHead(long Sequence, string? PublishedIn, string Published, string Recomputed, bool Matches);

public sealed record VerifyProblem(long? Sequence, string Stream, string Problem);

public sealed record ChainCheck(
    bool Ok, long EventsChecked, long? FirstBrokenSequence, IReadOnlyList<VerifyProblem> Problems, long HeadSequence, string LogDigest,
    IReadOnlyList<PublishedHead> PublishedHeads);

public sealed record UserItem(Guid Id, string Name, string? Nip, string Role, string? Agency, bool Revoked);
