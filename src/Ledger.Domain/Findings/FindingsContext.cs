using Ledger.Domain.Capaian;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.RevisingRenstra;

namespace Ledger.Domain.Findings;

/// <summary>The input replayed once for every rule: the Renstra and year states plus event look-ups.</summary>
public sealed class FindingsContext
{
    public FindingsContext(FindingsInput input)
    {
        Input = input;
        RenstraEvents = [.. input.RenstraEvents.OrderBy(e => e.Sequence)];
        YearEvents = [.. input.YearEvents.OrderBy(e => e.Sequence)];
        Renstra = Renstras.Renstra.Replay(RenstraEvents.Select(e => e.Event));
        State = PerformanceYear.Replay(input.Agency, input.Year, YearEvents.Select(e => e.Event));
    }

    public FindingsInput Input { get; }
    public int Year => Input.Year;
    public CapaianPolicy Policy => Input.Policy;
    public IReadOnlyList<AuditedEvent> RenstraEvents { get; }
    public IReadOnlyList<AuditedEvent> YearEvents { get; }
    public RenstraState Renstra { get; }
    public PerformanceYearState State { get; }

    /// <summary>Year-stream events of one type, in sequence order.</summary>
    public IEnumerable<(AuditedEvent Meta, T Event)> OfYear<T>() where T : IDomainEvent =>
        YearEvents.Where(e => e.Event is T).Select(e => (e, (T)e.Event));

    public IEnumerable<(AuditedEvent Meta, T Event)> OfRenstra<T>() where T : IDomainEvent =>
        RenstraEvents.Where(e => e.Event is T).Select(e => (e, (T)e.Event));

    public AuditedEvent? IndicatorAddedEvent(string code) =>
        OfRenstra<IndicatorAdded>().Where(x => x.Event.Code == code).Select(x => x.Meta).FirstOrDefault();

    /// <summary>Renstra revisions that changed this indicator's target for the audited year.</summary>
    public IEnumerable<AuditedEvent> RenstraRevisionsOf(string code) =>
        OfRenstra<RenstraRevised>().Where(x => x.Event.Changes.Any(c => c.Indicator == code && c.Year == Year)).Select(x => x.Meta);
}
