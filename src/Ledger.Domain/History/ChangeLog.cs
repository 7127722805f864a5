using System.Globalization;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.Evaluations;
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
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.DeclaringTargets;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.Domain.Users;

namespace Ledger.Domain.History;

/// <summary>
/// What one event changed, for the agency-wide change log (issue 12 item 6): the thing it is about (<see cref="Subject"/>:
/// an indicator or budget line code, null when the event is about the whole plan, year or agency), the period, the
/// reason and ground, and one short English line. Pure: the API adds who, when and where from the store.
/// </summary>
public sealed record ChangeDescription(string? Subject, string? Period, string? Reason, string? Ground, string Summary)
{
    private static string N(decimal value) => value.ToString(CultureInfo.InvariantCulture);
    private static string N(decimal? value) => value is { } v ? N(v) : "none";

    /// <summary>At most three "code year before → after" items, then "and n more".</summary>
    private static string List<T>(IReadOnlyList<T> items, Func<T, string> show) =>
        items.Count <= 3
            ? string.Join(", ", items.Select(show))
            : string.Join(", ", items.Take(3).Select(show)) + $" and {items.Count - 3} more";

    /// <summary>The one code every item names, else null.</summary>
    private static string? Only<T>(IReadOnlyList<T> items, Func<T, string> code) =>
        items.Select(code).Distinct(StringComparer.Ordinal).ToList() is [var one] ? one : null;

    private static string Targets(int count) => count == 1 ? "1 target" : $"{count} targets";

    /// <param name="headerReason">the write's reason metadata; an event's own reason wins (as in the indicator history).</param>
    public static ChangeDescription Of(IDomainEvent e, string? headerReason) => e switch
    {
        AgencyRegistered a => new(null, null, headerReason, null, $"Agency {a.Code} registered: {a.Name}"),
        RatingScaleSet s => new(null, null, headerReason, null,
            $"Rating scale '{s.Name}' in force from {s.EffectiveFromYear} ({s.Bands.Count} bands)"),
        RenstraCreated c => new(null, null, headerReason, c.Decree, $"Renstra {c.PeriodStart}–{c.PeriodEnd} created: {c.Title}"),
        IndicatorAdded i => new(i.Code, null, headerReason, null, $"Indicator {i.Code} added ({i.Level}, {i.Kind}): {i.Name}"),
        RenstraRevised r => new(Only(r.Changes, c => c.Indicator), null, r.Reason, r.LegalBasis,
            $"Renstra revision {r.RevisionNumber}: {List(r.Changes, c => $"{c.Indicator} {c.Year} {N(c.Before)} → {N(c.After)}")}"),
        RenstraRevisionProposed p => new(Only(p.Changes, c => c.Indicator), null, p.Reason, p.LegalBasis,
            $"Renstra revision proposed: {List(p.Changes, c => $"{c.Indicator} {c.Year} {N(c.Before)} → {N(c.After)}")}"),
        RenstraRevisionApproved a => new(null, null, headerReason, null, $"Renstra revision proposal approved as revision {a.RevisionNumber}"),
        RenstraRevisionRejected r => new(null, null, r.Reason, null, "Renstra revision proposal rejected"),
        TargetsDeclared t => new(t.Indicator, null, headerReason, null,
            $"Targets of {t.Indicator} as printed in {t.Source}: {List(t.Targets, d => $"{d.Year} {N(d.Target)}")}"),
        PkSigned s => new(null, null, headerReason, null,
            $"PK murni signed on {s.SignedOn:yyyy-MM-dd} by {s.Signer.Name}: {Targets(s.Targets.Count)}"),
        PkRevised r => new(Only(r.Changes, c => c.Indicator), null, r.Reason, r.Ground,
            $"PK perubahan {r.Version} signed on {r.SignedOn:yyyy-MM-dd}: {List(r.Changes, c => $"{c.Indicator} {N(c.Before)} → {N(c.After)}")}"),
        PkRevisionProposed p => new(Only(p.Changes, c => c.Indicator), null, p.Reason, p.Ground,
            $"PK perubahan proposed: {List(p.Changes, c => $"{c.Indicator} {N(c.Before)} → {N(c.After)}")}"),
        PkRevisionApproved a => new(null, null, headerReason, null, $"PK perubahan proposal approved as version {a.Version}"),
        PkRevisionRejected r => new(null, null, r.Reason, null, "PK perubahan proposal rejected"),
        RealizationRecorded r => new(r.Indicator, r.Period, headerReason, null, $"Realization of {r.Indicator} {r.Period} recorded: {N(r.Value)}"),
        RealizationCorrected c => new(c.Indicator, c.Period, c.Reason, null,
            $"Realization of {c.Indicator} {c.Period} corrected: {N(c.Before)} → {N(c.After)}{(c.AfterClose ? " (after the year was closed)" : "")}"),
        ClaimsDeclared c => new(Only(c.Claims, x => x.Indicator), Only(c.Claims, x => x.Period), headerReason, null,
            $"Claims as printed in {c.Source}: {List(c.Claims, x => $"{x.Indicator} {x.Period}")}"),
        BudgetEnacted b => new(null, null, headerReason, null, $"APBD murni enacted: {b.Lines.Count} lines, total {N(b.Total)}"),
        BudgetRevised r => new(Only(r.Changes, c => c.Code), null, r.Reason, null,
            $"APBD perubahan {r.RevisionNumber}: {List(r.Changes, c => $"{c.Code} {N(c.Before)} → {N(c.After)}")}; total {N(r.TotalBefore)} → {N(r.TotalAfter)}"),
        SpendingRecorded s => new(s.Code, s.Period, headerReason, null,
            $"Spending on {s.Code} {s.Period}: {N(s.Amount)} (spent to date {N(s.SpentToDate)} of pagu {N(s.Pagu)}){(s.ExceedsPagu ? ", exceeds the pagu" : "")}"),
        BudgetTotalsDeclared d => new(Only(d.Totals, t => t.Code), null, headerReason, null,
            $"Budget totals as printed in {d.Source}: {List(d.Totals, t => t.Code)}"),
        YearClosed c => new(null, null, c.Note ?? headerReason, null, $"Year closed; snapshot {c.SnapshotHash}"),
        YearSnapshotFrozen f => new(null, null, headerReason, null, $"Year-end snapshot frozen ({f.Canonicalization}, {f.SnapshotHash})"),
        EvaluationRecorded v => new(v.Indicator, null, headerReason, null,
            $"Evaluation recorded: score {N(v.Score)}, predikat {v.Predikat}{(v.ReportNumber is { } n ? $", report {n}" : "")}"),
        FollowUpRecorded f => new(null, null, headerReason, null, $"Follow-up on recommendation {f.Recommendation} ({f.Status}): {f.Action}"),
        UserCreated u => new(null, null, headerReason, null, $"User {u.Name} created ({u.Role})"),
        UserTokenRevoked r => new(null, null, r.Reason, null, "User token revoked"),
        UserTokenIssued i => new(null, null, i.Reason, null, "New user token issued"),
        _ => new(null, null, headerReason, null, DomainEventTypes.NameOf(e)),
    };
}
