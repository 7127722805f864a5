using Ledger.Domain;
using Ledger.Domain.Capaian;
using Ledger.Domain.Findings;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.Tests.Findings;

/// <summary>
/// An agency's Renstra 2021–2026 and year 2023 as audited events with increasing global sequences, written the way
/// the store would hand them to the rules (events built directly, so a rule can also be shown old or odd data).
/// </summary>
internal sealed class AuditLog
{
    public const int Year = 2023;
    public static readonly Signer Head = new("Kepala BKPSDM", "19800412 200003 1 003", "Kepala Badan");
    public static readonly Actor Staff = new("Perencana", "198004122000031003", "staff");
    public static readonly Actor Approver = new("Kepala BKPSDM", "19800412 200003 1 003", "approver");

    private long _sequence;
    private DateTimeOffset _clock = new(2023, 1, 2, 0, 0, 0, TimeSpan.Zero);
    public List<AuditedEvent> Renstra { get; } = [];
    public List<AuditedEvent> YearEvents { get; } = [];

    public AuditLog() : this(new RenstraCreated("a", 2021, 2026, "Renstra 2021-2026", null, null)) { }

    /// <summary>A log whose Renstra is another plan (e.g. Paser 2025–2029 with transition year 2030).</summary>
    public AuditLog(RenstraCreated renstra) => R(renstra);

    public AuditedEvent R(IDomainEvent e, Actor? actor = null, string? reason = null) => Add(Renstra, null, "renstra-a-2021", e, actor, reason);
    public AuditedEvent Y(IDomainEvent e, Actor? actor = null, string? reason = null) => Add(YearEvents, Year, "year-a-2023", e, actor, reason);

    private AuditedEvent Add(List<AuditedEvent> list, int? year, string stream, IDomainEvent e, Actor? actor, string? reason)
    {
        _clock = _clock.AddDays(1);
        var audited = new AuditedEvent(++_sequence, Guid.NewGuid(), stream, year, _clock, actor ?? Staff, reason, e);
        list.Add(audited);
        return audited;
    }

    public FindingsInput Input(DateTimeOffset? now = null) =>
        new("a", Year, Renstra, YearEvents, now ?? new DateTimeOffset(2023, 12, 1, 0, 0, 0, TimeSpan.Zero), CapaianPolicy.Default);

    public IReadOnlyList<Finding> Findings(string rule, DateTimeOffset? now = null) =>
        FindingRules.Evaluate(Input(now)).Where(f => f.Rule == rule).ToList();

    /// <summary>The findings of another audited year over the Renstra events only (no year events).</summary>
    public IReadOnlyList<Finding> FindingsOfYear(int year, string rule) =>
        FindingRules.Evaluate(new FindingsInput("a", year, Renstra, [], new DateTimeOffset(year, 6, 1, 0, 0, 0, TimeSpan.Zero), CapaianPolicy.Default))
            .Where(f => f.Rule == rule).ToList();

    public IEnumerable<AuditedEvent> All => Renstra.Concat(YearEvents);

    // Event helpers with the Surakarta shapes.
    public static IndicatorAdded Indicator(string code, string unit = "%", string polarity = "higher", decimal? baseline = null,
        int? baselineYear = null, params (int Year, decimal Target)[] targets) =>
        new(code, code + " name", "sasaran", "IKU", null, unit, polarity, "inverse-2t", "annual", baseline, baselineYear,
            targets.Select(t => new YearTarget(t.Year, t.Target)).ToList(), null);

    public static PkSigned Pk(params (string Code, decimal Target, decimal? Renstra)[] targets) =>
        new(0, new DateOnly(2023, 1, 31), Head, 2021, targets.Select(t => new PkTargetSigned(t.Code, t.Target, t.Renstra)).ToList());

    public static PkRevised PkPerubahan(IReadOnlyList<(string Code, decimal Target, decimal? Renstra)> all,
        IReadOnlyList<(string Code, decimal? Before, decimal After)> changes, string reason = "Perubahan anggaran", string ground = "budget-change") =>
        new(1, reason, ground, new DateOnly(2023, 10, 2), Head, all.Select(t => new PkTargetSigned(t.Code, t.Target, t.Renstra)).ToList(),
            changes.Select(c => new PkTargetChanged(c.Code, c.Before, c.After)).ToList());

    public static RealizationRecorded Realization(string code, decimal value, decimal? claimed = null, string period = "Y") =>
        new(code, period, value, null, null, null, null, claimed);

    public static RealizationCorrected Correction(string code, decimal before, decimal after, bool afterClose, string reason = "Narasi L993") =>
        new(code, "Y", before, after, reason, afterClose);

    public static YearClosed Closed(params string[] missing) => new(new string('a', 64), "LKjIP", missing);

    public static BudgetEnacted Budget(IReadOnlyList<(string Code, string? Parent, decimal Pagu)> lines, params (string Code, decimal Amount)[] declared) =>
        new(lines.Select(l => new BudgetLineEnacted(l.Code, l.Code + " name", l.Parent, l.Pagu)).ToList(),
            declared.Select(d => new DeclaredTotal(d.Code, d.Amount)).ToList(), lines.Where(l => l.Parent is null).Sum(l => l.Pagu));

    public static BudgetRevised BudgetRevision(decimal totalBefore, decimal totalAfter, params (string Code, string? Parent, decimal Before, decimal After)[] changes) =>
        new(1, "Refocusing", changes.Select(c => new BudgetLineRevised(c.Code, c.Code + " name", c.Parent, c.Before, c.After)).ToList(), totalBefore, totalAfter);

    public static RenstraRevised RenstraRevision(string code, int year, decimal? before, decimal after, string reason = "Perubahan Renstra",
        string? legalBasis = "Perwali 5/2023") =>
        new(1, reason, legalBasis, [new RenstraTargetRevised(code, year, before, after)]);

    public static SpendingRecorded Spending(string code, decimal amount, decimal spentToDate, decimal pagu, bool exceeds) =>
        new(code, amount, "Y", spentToDate, pagu, exceeds);
}
