using System.Collections.Immutable;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;

namespace Ledger.Domain.PerformanceYears;

public enum PkRevisionGround { OfficialChange, BudgetChange, PriorityChange }

/// <summary>The signatory of a PK version as it was at signing (a snapshot, not a reference to a user).</summary>
public sealed record Signer(string Name, string Nip, string Position);

/// <summary>One PK target as signed, with the Renstra target of that year when the PK was signed (for provenance).</summary>
public sealed record PkTargetSigned(string Indicator, decimal Target, decimal? RenstraTarget);

/// <summary>A PK version: number 0 is the PK murni, N ≥ 1 is PK perubahan N. Targets are the full set in force.</summary>
public sealed record PkVersion(
    int Number, DateOnly SignedOn, Signer Signer, string? Reason, PkRevisionGround? Ground, ImmutableList<PkTargetSigned> Targets)
{
    public string Kind => Number == 0 ? "murni" : "perubahan";
    public decimal? TargetFor(string indicator) => Targets.Find(t => t.Indicator == indicator)?.Target;
}

/// <summary>The current value of one indicator-period; <see cref="OriginalValue"/> is the first value recorded.</summary>
public sealed record Realization(
    string Indicator, Period Period, decimal Value, decimal OriginalValue, decimal? Numerator, decimal? Denominator,
    string? Evidence, string? Note, decimal? ClaimedCapaian, int Corrections, bool CorrectedAfterClose);

public sealed record BudgetLine(string Code, string Name, string? Parent, decimal PaguMurni, decimal Pagu, decimal SpentDirect, int SpendingEntries);

/// <summary>APBD murni and its revisions for one agency-year, plus spending recorded against it.</summary>
public sealed record BudgetState(bool Enacted, ImmutableList<BudgetLine> Lines, ImmutableList<DeclaredTotal> DeclaredTotals, int Revisions)
{
    public static BudgetState None { get; } = new(false, [], [], 0);

    public BudgetLine? Line(string? code) => Lines.Find(l => l.Code == code);
    public IEnumerable<BudgetLine> Children(string code) => Lines.Where(l => l.Parent == code);
    public IEnumerable<BudgetLine> Roots => Lines.Where(l => l.Parent is null);

    public IEnumerable<BudgetLine> Descendants(string code) =>
        Children(code).SelectMany(c => Descendants(c.Code).Prepend(c));

    public IEnumerable<BudgetLine> Ancestors(string code)
    {
        var current = Line(code);
        var guard = Lines.Count;
        while (current?.Parent is { } parent && guard-- > 0 && Line(parent) is { } p)
        {
            yield return p;
            current = p;
        }
    }

    /// <summary>Spending on the line itself plus everything recorded below it.</summary>
    public decimal Spent(string code) => (Line(code)?.SpentDirect ?? 0m) + new SpentBelow(Lines).Of(code);

    /// <summary>
    /// <see cref="Spent"/> of every line, by code, in one pass over the lines (a table of the whole budget; calling
    /// <see cref="Spent"/> per line walks the tree below each line again).
    /// </summary>
    public IReadOnlyDictionary<string, decimal> SpentByLine()
    {
        var below = new SpentBelow(Lines);
        var spent = new Dictionary<string, decimal>(Lines.Count, StringComparer.Ordinal);
        foreach (var l in Lines) spent.TryAdd(l.Code, l.SpentDirect + below.Of(l.Code)); // Line(code) is the first line of that code
        return spent;
    }

    public decimal TotalPaguMurni => Roots.Sum(l => l.PaguMurni);
    public decimal TotalPagu => Roots.Sum(l => l.Pagu);

    public decimal TotalSpent => TotalSpentOf(SpentByLine());

    /// <summary><see cref="TotalSpent"/> from a <see cref="SpentByLine"/> table the caller already has (the roots' sum).</summary>
    public decimal TotalSpentOf(IReadOnlyDictionary<string, decimal> spentByLine) => Roots.Sum(l => spentByLine[l.Code]);

    /// <summary>
    /// The spending recorded below a code: the sum, over the lines whose parent is that code, of their own spending and
    /// of what is below them (the lines of <see cref="Descendants"/>), each code's sum computed once.
    /// </summary>
    private sealed class SpentBelow(ImmutableList<BudgetLine> lines)
    {
        private readonly ILookup<string?, BudgetLine> _children = lines.ToLookup(l => l.Parent, StringComparer.Ordinal);
        private readonly Dictionary<string, decimal?> _sums = new(StringComparer.Ordinal);

        public decimal Of(string code)
        {
            if (_sums.TryGetValue(code, out var known))
                return known ?? throw new InvalidOperationException($"Budget line '{code}' is below itself.");
            _sums[code] = null; // in progress: a cycle in the parents would otherwise recurse forever
            var sum = 0m;
            foreach (var c in _children[code]) sum += c.SpentDirect + Of(c.Code);
            _sums[code] = sum;
            return sum;
        }
    }
}

/// <summary>Everything about one agency-year: PK versions, realizations, budget, and whether the year is closed.</summary>
public sealed record PerformanceYearState(
    string AgencyCode,
    int Year,
    ImmutableList<PkVersion> PkVersions,
    ImmutableList<Realization> Realizations,
    BudgetState Budget,
    bool Closed,
    string? SnapshotHash)
{
    public static PerformanceYearState Initial(string agencyCode, int year) =>
        new(agencyCode, year, [], [], BudgetState.None, false, null);

    /// <summary>PK perubahan proposals of the year, in the order they were made (issue 5 item 2).</summary>
    public ImmutableList<PkRevisionProposal> PkProposals { get; init; } = [];

    public PkRevisionProposal? PkProposal(Guid id) => PkProposals.Find(p => p.Id == id);

    public PkVersion? CurrentPk => PkVersions.IsEmpty ? null : PkVersions[^1];
    public PkVersion? PkMurni => PkVersions.IsEmpty ? null : PkVersions[0];
    public PkVersion? PkVersion(int number) => PkVersions.Find(v => v.Number == number);

    public Realization? RealizationFor(string indicator, Period period) =>
        Realizations.Find(r => r.Indicator == indicator && r.Period == period);

    public IReadOnlyDictionary<Period, decimal> RealizationValues(string indicator) =>
        Realizations.Where(r => r.Indicator == indicator).ToDictionary(r => r.Period, r => r.Value);

    public PerformanceYearState Evolve(IDomainEvent @event) => @event switch
    {
        PkSigned e => this with
        {
            PkVersions = PkVersions.Add(new PkVersion(0, e.SignedOn, e.Signer, null, null, [.. e.Targets])),
        },
        PkRevised e => this with
        {
            PkVersions = PkVersions.Add(new PkVersion(e.Version, e.SignedOn, e.Signer, e.Reason, Wire.ParseGround(e.Ground), [.. e.Targets])),
        },
        RealizationRecorded e => this with
        {
            Realizations = Realizations.Add(new Realization(e.Indicator, Wire.ParsePeriod(e.Period), e.Value, e.Value, e.Numerator,
                e.Denominator, e.Evidence, e.Note, e.ClaimedCapaian, 0, false)),
        },
        RealizationCorrected e => Corrected(e),
        BudgetEnacted e => this with
        {
            Budget = new BudgetState(true,
                [.. e.Lines.Select(l => new BudgetLine(l.Code, l.Name, l.Parent, l.Pagu, l.Pagu, 0m, 0))],
                [.. e.DeclaredTotals], 0),
        },
        BudgetRevised e => this with
        {
            Budget = Budget with
            {
                Revisions = e.RevisionNumber,
                Lines = e.Changes.Aggregate(Budget.Lines, (lines, c) =>
                    lines.Find(l => l.Code == c.Code) is { } existing
                        ? lines.Replace(existing, existing with { Pagu = c.After })
                        // A line added by a revision had no pagu murni.
                        : lines.Add(new BudgetLine(c.Code, c.Name, c.Parent, 0m, c.After, 0m, 0))),
            },
        },
        SpendingRecorded e => this with
        {
            Budget = Budget with
            {
                Lines = Replace(Budget.Lines, l => l.Code == e.Code,
                    l => l with { SpentDirect = l.SpentDirect + e.Amount, SpendingEntries = l.SpendingEntries + 1 }),
            },
        },
        PkRevisionProposed e => this with { PkProposals = PkProposals.Add(new PkRevisionProposal(e, ProposalStatus.Pending, null, null)) },
        PkRevisionApproved e => this with
        {
            PkProposals = PkProposals.ConvertAll(p => p.Id == e.ProposalId ? p with { Status = ProposalStatus.Approved, Version = e.Version } : p),
        },
        PkRevisionRejected e => this with
        {
            PkProposals = PkProposals.ConvertAll(p => p.Id == e.ProposalId ? p with { Status = ProposalStatus.Rejected, RejectReason = e.Reason } : p),
        },
        YearClosed e => this with { Closed = true, SnapshotHash = e.SnapshotHash },
        _ => this,
    };

    /// <summary>
    /// A correction replaces its realization's value. The period is parsed once, when first needed (as before, only
    /// once a realization of the indicator is met), not once per realization.
    /// </summary>
    private PerformanceYearState Corrected(RealizationCorrected e)
    {
        Period? period = null;
        return this with
        {
            Realizations = Replace(Realizations, r => r.Indicator == e.Indicator && r.Period == (period ??= Wire.ParsePeriod(e.Period)),
                r => r with { Value = e.After, Corrections = r.Corrections + 1, CorrectedAfterClose = r.CorrectedAfterClose || e.AfterClose }),
        };
    }

    /// <summary>
    /// <c>list.ConvertAll(x => match(x) ? change(x) : x)</c> without rebuilding the list: the matching items are
    /// replaced in place (O(log n) each), so a spending entry or a correction does not cost O(items).
    /// </summary>
    private static ImmutableList<T> Replace<T>(ImmutableList<T> list, Func<T, bool> match, Func<T, T> change)
    {
        var result = list;
        var i = 0;
        foreach (var item in list)
        {
            if (match(item)) result = result.SetItem(i, change(item));
            i++;
        }
        return result;
    }
}
