using System.Globalization;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.DeclaringClaims;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.DeclaringTargets;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.History;

/// <summary>
/// One indicator's history entry as the all-indicators mapping (<see cref="IndicatorHistory.Entries"/>) gives it, with the
/// structured facts behind the entry's text: the realization period, the PK signing date, and for a revision proposal its
/// id and the status this entry records (pending when proposed, approved or rejected when decided).
/// </summary>
public sealed record IndicatorHistoryItem(
    string Indicator, HistoryEntry Entry, string? Period = null, DateOnly? On = null, Guid? ProposalId = null, ProposalStatus? Status = null);

/// <summary>
/// What the history mapping remembers from earlier events, each fact keyed by the stream it came from: a Renstra's period
/// (for an indicator added without targets), pending proposals (an approval or rejection carries only the proposal id),
/// and the indicators a year stream committed or reported (a year close is an entry for those). Every fact an event needs
/// comes from an earlier event of the SAME stream, so folding a stream's earlier events (in any order) restores it.
/// </summary>
public sealed class IndicatorHistoryMemory
{
    internal Dictionary<string, string> Periods { get; } = new(StringComparer.Ordinal);
    internal Dictionary<(string Stream, Guid Id), PkRevisionProposed> PkProposals { get; } = new();
    internal Dictionary<(string Stream, Guid Id), RenstraRevisionProposed> RenstraProposals { get; } = new();
    internal Dictionary<string, HashSet<string>> Touched { get; } = new(StringComparer.Ordinal);

    /// <summary>Folds an event into the memory without producing entries.</summary>
    public void Remember(AuditedEvent e) => _ = IndicatorHistory.Entries(e, this);
}

/// <summary>
/// The history of indicators: a pure mapping from the events of Renstra streams and year streams to entries, in global
/// sequence order. <see cref="For"/> is one indicator's history (the HTTP read); <see cref="Entries"/> maps one event to the
/// entries of every indicator it touched (the <c>sakip-history</c> read model), and <see cref="For"/> is defined through
/// it, so the two can never disagree. A PK perubahan that left the indicator's target unchanged is not an entry (it did not
/// touch it); a year close is an entry when the indicator was committed or reported that year, with a note when the close
/// listed it as having no realization.
/// </summary>
public static class IndicatorHistory
{
    public static IReadOnlyList<HistoryEntry> For(string code, IEnumerable<AuditedEvent> events, int? year = null)
    {
        var memory = new IndicatorHistoryMemory();
        var entries = new List<HistoryEntry>();
        foreach (var e in events.OrderBy(e => e.Sequence))
            foreach (var item in Entries(e, memory))
                if (item.Indicator == code && (year is not { } only || item.Entry.Year == only))
                    entries.Add(item.Entry);
        return entries;
    }

    /// <summary>
    /// True when <paramref name="e"/>'s entries depend on earlier events of its stream (<see cref="IndicatorHistoryMemory"/>):
    /// an indicator added without targets (the Renstra's period), an approval or rejection (the proposal), a year close
    /// recorded before it carried <see cref="YearClosed.IndicatorsCommittedOrReported"/> (the indicators touched that year).
    /// A consumer that did not fold those earlier events must do so first.
    /// </summary>
    public static bool NeedsEarlierEvents(IDomainEvent e) => e is IndicatorAdded { Targets.Count: 0 }
        or RenstraRevisionApproved or RenstraRevisionRejected or PkRevisionApproved or PkRevisionRejected
        or YearClosed { IndicatorsCommittedOrReported: null };

    /// <summary>Every event type <see cref="Entries"/> maps (a consumer that filters the log by type subscribes to exactly these).</summary>
    public static IReadOnlyList<Type> SourceEventTypes { get; } =
    [
        typeof(RenstraCreated), typeof(IndicatorAdded), typeof(RenstraRevised), typeof(TargetsDeclared),
        typeof(RenstraRevisionProposed), typeof(RenstraRevisionApproved), typeof(RenstraRevisionRejected),
        typeof(PkSigned), typeof(PkRevised), typeof(PkRevisionProposed), typeof(PkRevisionApproved), typeof(PkRevisionRejected),
        typeof(RealizationRecorded), typeof(RealizationCorrected), typeof(ClaimsDeclared), typeof(YearClosed),
    ];

    /// <summary>
    /// The event types of which only the events about one indicator (their <c>Indicator</c>) can give that indicator an
    /// entry or a fact its entries need: a realization or correction of another indicator gives entries of that one only,
    /// and the fact it leaves (the indicator was reported in that year) matters only to that one's year-close entry.
    /// </summary>
    public static IReadOnlyList<Type> PerIndicatorEventTypes { get; } = [typeof(RealizationRecorded), typeof(RealizationCorrected)];

    /// <summary>
    /// Whether <paramref name="e"/> can matter to <see cref="For"/>(<paramref name="code"/>, …): a type it maps, and of
    /// <see cref="PerIndicatorEventTypes"/> only the events about <paramref name="code"/>. <see cref="For"/> gives the
    /// same entries from the events that match as from all of them, so a reader may leave the others out (in the
    /// store's query) and decode only these.
    /// </summary>
    public static bool MayConcern(string code, IDomainEvent e) => e switch
    {
        RealizationRecorded r => r.Indicator == code,
        RealizationCorrected c => c.Indicator == code,
        _ => SourceEventTypes.Contains(e.GetType()),
    };

    /// <summary>The event types whose facts the memory keeps (the ones to fold from earlier in a stream).</summary>
    public static IReadOnlyList<Type> RememberedEventTypes { get; } =
    [
        typeof(RenstraCreated), typeof(RenstraRevisionProposed), typeof(PkRevisionProposed), typeof(PkSigned), typeof(PkRevised),
        typeof(RealizationRecorded), typeof(RealizationCorrected),
    ];

    /// <summary>
    /// The entries of every indicator one event touched, in a fixed order (the event's own order of targets or changes; for
    /// a year close, indicators in ordinal order), and the event's facts folded into <paramref name="memory"/>. Call it for
    /// each event in sequence order with one memory (or prime the memory first, see <see cref="NeedsEarlierEvents"/>).
    /// </summary>
    public static IReadOnlyList<IndicatorHistoryItem> Entries(AuditedEvent e, IndicatorHistoryMemory memory)
    {
        var items = new List<IndicatorHistoryItem>();

        void Add(string indicator, string effective, int? y, string kind, string? reason, string? ground, decimal? before, decimal? after,
            string? note = null, string? period = null, DateOnly? on = null, Guid? proposal = null, ProposalStatus? status = null) =>
            items.Add(new IndicatorHistoryItem(indicator,
                new HistoryEntry(e.RecordedAt, effective, y, e.Actor, kind, reason ?? e.Reason, ground, before, after, note, e.Id, e.Sequence),
                period, on, proposal, status));

        void Touch(string indicator) => (memory.Touched.TryGetValue(e.Stream, out var set) ? set : memory.Touched[e.Stream] = new(StringComparer.Ordinal)).Add(indicator);

        switch (e.Event)
        {
            case RenstraCreated c:
                memory.Periods[e.Stream] = $"{c.PeriodStart}–{c.PeriodEnd}";
                break;
            case IndicatorAdded a:
                if (a.Targets.Count == 0)
                    Add(a.Code, memory.Periods.GetValueOrDefault(e.Stream, "renstra"), null, HistoryKinds.IndicatorAdded, null, null, null, null,
                        "added without yearly targets");
                foreach (var t in a.Targets)
                    Add(a.Code, Year(t.Year), t.Year, HistoryKinds.IndicatorAdded, null, null, null, t.Target,
                        $"unit {a.Unit}, polarity {a.Polarity}" + (a.Baseline is { } b ? $", baseline {b} ({a.BaselineYear})" : ""));
                break;
            case RenstraRevised r:
                foreach (var c in r.Changes)
                    Add(c.Indicator, Year(c.Year), c.Year, HistoryKinds.RenstraRevised, r.Reason, r.LegalBasis, c.Before, c.After,
                        $"Renstra revision {r.RevisionNumber}");
                break;
            case RenstraRevisionProposed p:
                memory.RenstraProposals[(e.Stream, p.ProposalId)] = p;
                foreach (var c in p.Changes)
                    Add(c.Indicator, Year(c.Year), c.Year, HistoryKinds.RenstraRevisionProposed, p.Reason, p.LegalBasis, c.Before, c.After,
                        $"proposal {p.ProposalId}, awaiting the approver", proposal: p.ProposalId, status: ProposalStatus.Pending);
                break;
            case RenstraRevisionApproved a when memory.RenstraProposals.GetValueOrDefault((e.Stream, a.ProposalId)) is { } p:
                foreach (var c in p.Changes)
                    Add(c.Indicator, Year(c.Year), c.Year, HistoryKinds.RenstraRevisionApproved, p.Reason, p.LegalBasis, c.Before, c.After,
                        $"proposal {a.ProposalId} approved as Renstra revision {a.RevisionNumber}", proposal: a.ProposalId, status: ProposalStatus.Approved);
                break;
            case RenstraRevisionRejected r when memory.RenstraProposals.GetValueOrDefault((e.Stream, r.ProposalId)) is { } p:
                foreach (var c in p.Changes)
                    Add(c.Indicator, Year(c.Year), c.Year, HistoryKinds.RenstraRevisionRejected, r.Reason, null, c.Before, c.After,
                        $"proposal {r.ProposalId} rejected; nothing changed", proposal: r.ProposalId, status: ProposalStatus.Rejected);
                break;
            case TargetsDeclared d:
                foreach (var t in d.Targets)
                    Add(d.Indicator, Year(t.Year), t.Year, HistoryKinds.TargetsDeclared, null, null, null, t.Target,
                        $"printed in {d.Source}; Renstra target then {Text(t.RenstraTarget)} (evidence only, the target in force is unchanged)"
                        + (d.Note is { } n ? $"; {n}" : ""));
                break;
            case PkRevisionProposed p when e.StreamYear is { } y:
                memory.PkProposals[(e.Stream, p.ProposalId)] = p;
                foreach (var c in p.Changes)
                    Add(c.Indicator, Date(p.SignedOn), y, HistoryKinds.PkPerubahanProposed, p.Reason, p.Ground, c.Before, c.After,
                        $"proposal {p.ProposalId}, to be signed by {p.Signer.Name} ({p.Signer.Nip})", on: p.SignedOn, proposal: p.ProposalId,
                        status: ProposalStatus.Pending);
                break;
            case PkRevisionApproved a when e.StreamYear is { } y && memory.PkProposals.GetValueOrDefault((e.Stream, a.ProposalId)) is { } p:
                foreach (var c in p.Changes)
                    Add(c.Indicator, Date(p.SignedOn), y, HistoryKinds.PkPerubahanApproved, p.Reason, p.Ground, c.Before, c.After,
                        $"proposal {a.ProposalId} approved as PK perubahan {a.Version}", on: p.SignedOn, proposal: a.ProposalId,
                        status: ProposalStatus.Approved);
                break;
            case PkRevisionRejected r when e.StreamYear is { } y && memory.PkProposals.GetValueOrDefault((e.Stream, r.ProposalId)) is { } p:
                foreach (var c in p.Changes)
                    Add(c.Indicator, Date(p.SignedOn), y, HistoryKinds.PkPerubahanRejected, r.Reason, p.Ground, c.Before, c.After,
                        $"proposal {r.ProposalId} rejected; nothing changed", on: p.SignedOn, proposal: r.ProposalId, status: ProposalStatus.Rejected);
                break;
            case PkSigned s when e.StreamYear is { } y:
                foreach (var t in s.Targets)
                {
                    Touch(t.Indicator);
                    Add(t.Indicator, Date(s.SignedOn), y, HistoryKinds.PkMurni, null, null, null, t.Target,
                        $"signed by {s.Signer.Name} ({s.Signer.Nip}); Renstra target then {Text(t.RenstraTarget)}", on: s.SignedOn);
                }
                break;
            case PkRevised p when e.StreamYear is { } y:
                foreach (var c in p.Changes)
                {
                    Touch(c.Indicator);
                    Add(c.Indicator, Date(p.SignedOn), y, HistoryKinds.PkPerubahan, p.Reason, p.Ground, c.Before, c.After,
                        $"PK perubahan {p.Version} signed by {p.Signer.Name} ({p.Signer.Nip})", on: p.SignedOn);
                }
                break;
            case RealizationRecorded r when e.StreamYear is { } y:
                Touch(r.Indicator);
                Add(r.Indicator, Effective(y, r.Period), y, HistoryKinds.RealizationRecorded, null, null, null, r.Value,
                    Claims(r) ?? r.Evidence, period: r.Period);
                break;
            case RealizationCorrected r when e.StreamYear is { } y:
                Touch(r.Indicator);
                Add(r.Indicator, Effective(y, r.Period), y, HistoryKinds.RealizationCorrected, r.Reason, null, r.Before, r.After,
                    r.AfterClose ? "recorded after the year was closed" : null, period: r.Period);
                break;
            case ClaimsDeclared d when e.StreamYear is { } y:
                foreach (var c in d.Claims)
                    Add(c.Indicator, Effective(y, c.Period), y, HistoryKinds.ClaimsDeclared, null, null, null, null,
                        $"printed in {d.Source}: " + string.Join("; ", new[]
                        {
                            c.ClaimedCapaian is { } cc ? $"claimed capaian {Text(cc)}" : null,
                            c.ClaimedProgress is { } cp ? $"claimed progress to the Renstra end {Text(cp)}" : null,
                            c.Note,
                        }.OfType<string>()) + " (evidence only, not a realization)", period: c.Period);
                break;
            case YearClosed c when e.StreamYear is { } y:
                // A close since 2026-12-07 carries the set; an older one needs the year's earlier events (NeedsEarlierEvents).
                var touched = c.IndicatorsCommittedOrReported ?? (IEnumerable<string>?)memory.Touched.GetValueOrDefault(e.Stream);
                var without = c.IndicatorsWithoutRealization.ToHashSet(StringComparer.Ordinal);
                foreach (var code in (touched ?? []).Concat(without).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                    Add(code, Year(y), y, HistoryKinds.YearClosed, c.Note, null, null, null,
                        without.Contains(code) ? "closed without a realization for this indicator" : $"snapshot {c.SnapshotHash}");
                break;
        }
        return items;
    }

    internal static string Year(int year) => year.ToString(CultureInfo.InvariantCulture);
    internal static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    internal static string Effective(int year, string period) => period == "Y" ? Year(year) : $"{Year(year)}-{period}";
    /// <summary>What a realization claimed as printed (capaian, progress toward the Renstra end target), or null.</summary>
    private static string? Claims(RealizationRecorded r)
    {
        var claims = new[]
        {
            r.ClaimedCapaian is { } c ? $"claimed capaian {Text(c)}" : null,
            r.ClaimedProgress is { } p ? $"claimed progress to the Renstra end {Text(p)}" : null,
        }.OfType<string>().ToList();
        return claims.Count == 0 ? null : string.Join("; ", claims);
    }

    private static string Text(decimal? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none";
}
