using System.Globalization;
using Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;
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
                case BudgetTotalsDeclared d when d.Totals.FirstOrDefault(t => t.Code == code) is { } t:
                    entries.Add(Entry(IndicatorHistory.Year(year), HistoryKinds.BudgetTotalsDeclared, null, null, t.Pagu ?? t.Spent,
                        $"printed in {d.Source}: " + string.Join(", ", new[]
                        {
                            t.Pagu is { } pg ? $"pagu {pg.ToString(CultureInfo.InvariantCulture)}" : null,
                            t.Spent is { } sp ? $"spent {sp.ToString(CultureInfo.InvariantCulture)}" : null,
                            t.ClaimedEfficiency is { } ce ? $"efficiency {ce.ToString(CultureInfo.InvariantCulture)} %" : null,
                            t.ClaimedEfficiencyAmount is { } ca ? $"efficiency Rp {ca.ToString(CultureInfo.InvariantCulture)}" : null,
                            t.ClaimedAbsorption is { } cb ? $"absorption {cb.ToString(CultureInfo.InvariantCulture)} %" : null,
                        }.OfType<string>()) +
                        $"; on record then: pagu {t.PaguOnRecord.ToString(CultureInfo.InvariantCulture)}, spent {t.SpentOnRecord.ToString(CultureInfo.InvariantCulture)} (evidence only)"));
                    break;
                case YearClosed c when known:
                    entries.Add(Entry(IndicatorHistory.Year(year), HistoryKinds.YearClosed, c.Note, null, null, $"snapshot {c.SnapshotHash}"));
                    break;
            }
        }
        return entries;
    }
}
