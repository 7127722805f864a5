using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;

namespace Ledger.Domain.History;

/// <summary>
/// The history of one budget line in one year: APBD murni, each APBD perubahan that moved its pagu, each spending
/// entry on it (before/after = spent to date), and the year close. Pure; events in global sequence order.
/// </summary>
public static class BudgetLineHistory
{
    public static IReadOnlyList<HistoryEntry> For(string code, int year, IEnumerable<AuditedEvent> events)
    {
        var entries = new List<HistoryEntry>();
        var known = false;
        foreach (var e in events.Where(e => e.StreamYear == year).OrderBy(e => e.Sequence))
        {
            HistoryEntry Entry(string effective, string kind, string? reason, decimal? before, decimal? after, string? note) =>
                new(e.RecordedAt, effective, year, e.Actor, kind, reason ?? e.Reason, null, before, after, note, e.Id, e.Sequence);

            switch (e.Event)
            {
                case BudgetEnacted b when b.Lines.FirstOrDefault(l => l.Code == code) is { } line:
                    known = true;
                    entries.Add(Entry(IndicatorHistory.Year(year), HistoryKinds.BudgetEnacted, null, null, line.Pagu,
                        $"APBD murni: {line.Name}" + (line.Parent is { } p ? $" (under {p})" : "")));
                    break;
                case BudgetRevised r when r.Changes.FirstOrDefault(c => c.Code == code) is { } c:
                    known = true;
                    entries.Add(Entry(IndicatorHistory.Year(year), HistoryKinds.BudgetRevised, r.Reason, c.Before, c.After,
                        $"APBD perubahan {r.RevisionNumber}" + (c.Before is null ? ": line added" : "")));
                    break;
                case SpendingRecorded s when s.Code == code:
                    entries.Add(Entry(IndicatorHistory.Effective(year, s.Period), HistoryKinds.SpendingRecorded, null, s.SpentToDate - s.Amount,
                        s.SpentToDate, s.ExceedsPagu ? $"exceeds the pagu {s.Pagu} (here or above)" : $"pagu {s.Pagu}"));
                    break;
                case YearClosed c when known:
                    entries.Add(Entry(IndicatorHistory.Year(year), HistoryKinds.YearClosed, c.Note, null, null, $"snapshot {c.SnapshotHash}"));
                    break;
            }
        }
        return entries;
    }
}
