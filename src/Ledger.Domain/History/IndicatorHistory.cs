using System.Globalization;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.History;

/// <summary>
/// The history of one indicator: a pure mapping from the events of its Renstra stream(s) and year streams to
/// entries, in global sequence order. A PK perubahan that left the indicator's target unchanged is not an entry (it
/// did not touch it); a year close is an entry when the indicator was committed or reported that year, with a note
/// when the close listed it as having no realization.
/// </summary>
public static class IndicatorHistory
{
    public static IReadOnlyList<HistoryEntry> For(string code, IEnumerable<AuditedEvent> events, int? year = null)
    {
        var entries = new List<HistoryEntry>();
        var periods = new Dictionary<string, string>(StringComparer.Ordinal); // stream → "2021–2026"
        var touchedYears = new HashSet<int>();
        // Proposals by id, so an approval or rejection (which carries only the id) shows the targets it was about.
        var pkProposals = new Dictionary<Guid, PkRevisionProposed>();
        var renstraProposals = new Dictionary<Guid, RenstraRevisionProposed>();
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            HistoryEntry Entry(string effective, int? y, string kind, string? reason, string? ground, decimal? before, decimal? after,
                string? note = null) =>
                new(e.RecordedAt, effective, y, e.Actor, kind, reason ?? e.Reason, ground, before, after, note, e.Id, e.Sequence);

            switch (e.Event)
            {
                case RenstraCreated c:
                    periods[e.Stream] = $"{c.PeriodStart}–{c.PeriodEnd}";
                    break;
                case IndicatorAdded a when a.Code == code:
                    if (a.Targets.Count == 0)
                        entries.Add(Entry(periods.GetValueOrDefault(e.Stream, "renstra"), null, HistoryKinds.IndicatorAdded, null, null, null, null,
                            "added without yearly targets"));
                    foreach (var t in a.Targets)
                        entries.Add(Entry(Year(t.Year), t.Year, HistoryKinds.IndicatorAdded, null, null, null, t.Target,
                            $"unit {a.Unit}, polarity {a.Polarity}" + (a.Baseline is { } b ? $", baseline {b} ({a.BaselineYear})" : "")));
                    break;
                case RenstraRevised r:
                    foreach (var c in r.Changes.Where(c => c.Indicator == code))
                        entries.Add(Entry(Year(c.Year), c.Year, HistoryKinds.RenstraRevised, r.Reason, r.LegalBasis, c.Before, c.After,
                            $"Renstra revision {r.RevisionNumber}"));
                    break;
                case RenstraRevisionProposed p:
                    renstraProposals[p.ProposalId] = p;
                    foreach (var c in p.Changes.Where(c => c.Indicator == code))
                        entries.Add(Entry(Year(c.Year), c.Year, HistoryKinds.RenstraRevisionProposed, p.Reason, p.LegalBasis, c.Before, c.After,
                            $"proposal {p.ProposalId}, awaiting the approver"));
                    break;
                case RenstraRevisionApproved a when renstraProposals.GetValueOrDefault(a.ProposalId) is { } p:
                    foreach (var c in p.Changes.Where(c => c.Indicator == code))
                        entries.Add(Entry(Year(c.Year), c.Year, HistoryKinds.RenstraRevisionApproved, p.Reason, p.LegalBasis, c.Before, c.After,
                            $"proposal {a.ProposalId} approved as Renstra revision {a.RevisionNumber}"));
                    break;
                case RenstraRevisionRejected r when renstraProposals.GetValueOrDefault(r.ProposalId) is { } p:
                    foreach (var c in p.Changes.Where(c => c.Indicator == code))
                        entries.Add(Entry(Year(c.Year), c.Year, HistoryKinds.RenstraRevisionRejected, r.Reason, null, c.Before, c.After,
                            $"proposal {r.ProposalId} rejected; nothing changed"));
                    break;
                case PkRevisionProposed p when e.StreamYear is { } y:
                    pkProposals[p.ProposalId] = p;
                    if (p.Changes.FirstOrDefault(c => c.Indicator == code) is { } pc)
                        entries.Add(Entry(Date(p.SignedOn), y, HistoryKinds.PkPerubahanProposed, p.Reason, p.Ground, pc.Before, pc.After,
                            $"proposal {p.ProposalId}, to be signed by {p.Signer.Name} ({p.Signer.Nip})"));
                    break;
                case PkRevisionApproved a when e.StreamYear is { } y && pkProposals.GetValueOrDefault(a.ProposalId) is { } p
                                               && p.Changes.FirstOrDefault(c => c.Indicator == code) is { } ac:
                    entries.Add(Entry(Date(p.SignedOn), y, HistoryKinds.PkPerubahanApproved, p.Reason, p.Ground, ac.Before, ac.After,
                        $"proposal {a.ProposalId} approved as PK perubahan {a.Version}"));
                    break;
                case PkRevisionRejected r when e.StreamYear is { } y && pkProposals.GetValueOrDefault(r.ProposalId) is { } p
                                               && p.Changes.FirstOrDefault(c => c.Indicator == code) is { } rc:
                    entries.Add(Entry(Date(p.SignedOn), y, HistoryKinds.PkPerubahanRejected, r.Reason, p.Ground, rc.Before, rc.After,
                        $"proposal {r.ProposalId} rejected; nothing changed"));
                    break;
                case PkSigned s when e.StreamYear is { } y && s.Targets.FirstOrDefault(t => t.Indicator == code) is { } t:
                    touchedYears.Add(y);
                    entries.Add(Entry(Date(s.SignedOn), y, HistoryKinds.PkMurni, null, null, null, t.Target,
                        $"signed by {s.Signer.Name} ({s.Signer.Nip}); Renstra target then {Text(t.RenstraTarget)}"));
                    break;
                case PkRevised p when e.StreamYear is { } y && p.Changes.FirstOrDefault(c => c.Indicator == code) is { } c:
                    touchedYears.Add(y);
                    entries.Add(Entry(Date(p.SignedOn), y, HistoryKinds.PkPerubahan, p.Reason, p.Ground, c.Before, c.After,
                        $"PK perubahan {p.Version} signed by {p.Signer.Name} ({p.Signer.Nip})"));
                    break;
                case RealizationRecorded r when e.StreamYear is { } y && r.Indicator == code:
                    touchedYears.Add(y);
                    entries.Add(Entry(Effective(y, r.Period), y, HistoryKinds.RealizationRecorded, null, null, null, r.Value,
                        r.ClaimedCapaian is { } cc ? $"claimed capaian {cc}" : r.Evidence));
                    break;
                case RealizationCorrected r when e.StreamYear is { } y && r.Indicator == code:
                    touchedYears.Add(y);
                    entries.Add(Entry(Effective(y, r.Period), y, HistoryKinds.RealizationCorrected, r.Reason, null, r.Before, r.After,
                        r.AfterClose ? "recorded after the year was closed" : null));
                    break;
                case YearClosed c when e.StreamYear is { } y && (touchedYears.Contains(y) || c.IndicatorsWithoutRealization.Contains(code)):
                    entries.Add(Entry(Year(y), y, HistoryKinds.YearClosed, c.Note, null, null, null,
                        c.IndicatorsWithoutRealization.Contains(code) ? "closed without a realization for this indicator" : $"snapshot {c.SnapshotHash}"));
                    break;
            }
        }
        return year is { } only ? entries.Where(x => x.Year == only).ToList() : entries;
    }

    internal static string Year(int year) => year.ToString(CultureInfo.InvariantCulture);
    internal static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    internal static string Effective(int year, string period) => period == "Y" ? Year(year) : $"{Year(year)}-{period}";
    private static string Text(decimal? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none";
}
