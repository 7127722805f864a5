using System.Collections.Immutable;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.Renstras;

/// <summary>An agency's five-year strategic plan, its indicators in the order they were added, and its revision count.</summary>
public sealed record RenstraState(
    bool Exists,
    string AgencyCode,
    int PeriodStart,
    int PeriodEnd,
    string Title,
    string? Decree,
    int? TransitionYear,
    ImmutableList<IndicatorDefinition> Indicators,
    int Revisions)
{
    public static RenstraState Initial { get; } = new(false, "", 0, 0, "", null, null, [], 0);

    /// <summary>Revision proposals, in the order they were made (issue 5 item 2).</summary>
    public ImmutableList<RenstraRevisionProposal> Proposals { get; init; } = [];

    public RenstraRevisionProposal? Proposal(Guid id) => Proposals.Find(p => p.Id == id);

    public IndicatorDefinition? Indicator(string? code) => Indicators.Find(i => i.Code == code);

    /// <summary>Years that may carry a target: the period plus the declared transition year.</summary>
    public bool AcceptsTargetYear(int year) =>
        (year >= PeriodStart && year <= PeriodEnd) || (TransitionYear is { } t && year == t);

    /// <summary>Does this plan cover the year (its period, or its transition year before or after it)?</summary>
    public bool Covers(int year) => AcceptsTargetYear(year);

    /// <summary>Every year the plan covers: its period, then its transition year when that lies outside it.</summary>
    public IEnumerable<int> YearsCovered()
    {
        if (!Exists) yield break;
        for (var y = PeriodStart; y <= PeriodEnd; y++) yield return y;
        if (TransitionYear is { } t && (t < PeriodStart || t > PeriodEnd)) yield return t;
    }

    public RenstraState Evolve(IDomainEvent @event) => @event switch
    {
        RenstraCreated e => this with
        {
            Exists = true, AgencyCode = e.AgencyCode, PeriodStart = e.PeriodStart, PeriodEnd = e.PeriodEnd, Title = e.Title,
            Decree = e.Decree, TransitionYear = e.TransitionYear,
        },
        IndicatorAdded e => this with { Indicators = Indicators.Add(e.ToDefinition()) },
        RenstraRevised e => this with
        {
            Revisions = Revisions + 1,
            Indicators = Indicators.ConvertAll(i =>
            {
                var mine = e.Changes.Where(c => c.Indicator == i.Code).ToList();
                return mine.Count == 0
                    ? i
                    : i with { Targets = mine.Aggregate(i.Targets, (t, c) => t.SetItem(c.Year, c.After)) };
            }),
        },
        RenstraRevisionProposed e => this with { Proposals = Proposals.Add(new RenstraRevisionProposal(e, ProposalStatus.Pending, null, null)) },
        RenstraRevisionApproved e => this with
        {
            Proposals = Proposals.ConvertAll(p => p.Id == e.ProposalId ? p with { Status = ProposalStatus.Approved, RevisionNumber = e.RevisionNumber } : p),
        },
        RenstraRevisionRejected e => this with
        {
            Proposals = Proposals.ConvertAll(p => p.Id == e.ProposalId ? p with { Status = ProposalStatus.Rejected, RejectReason = e.Reason } : p),
        },
        _ => this,
    };
}
