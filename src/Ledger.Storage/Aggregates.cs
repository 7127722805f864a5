using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.Evaluations;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.Domain.Users;
using Marten;
using Marten.Events.Aggregation;

namespace Ledger.Storage;

/// <summary>
/// A domain state folded from one stream, as Marten hands it to a command (<c>AggregateStreamAsync</c>), with the version
/// of the last event folded. The domain's states are plain records without an identity; Marten wants a document with an
/// <c>Id</c>, so this wraps them. Only ever aggregated live (never stored): the state a decision sees is always a fold of
/// the events themselves.
/// </summary>
public sealed class Folded<TState>
{
    public string Id { get; set; } = "";
    public required TState State { get; set; }
    public long Version { get; set; }
}

/// <summary>
/// Live aggregation of one kind of stream with the domain's own pure <c>Evolve</c> (no reflection, no Apply methods):
/// start from the domain's initial state, fold every event in version order.
/// </summary>
public sealed class FoldProjection<TState>(TState initial, Func<TState, IDomainEvent, TState> evolve)
    : SingleStreamProjection<Folded<TState>, string>
{
    public override Folded<TState>? Evolve(Folded<TState>? snapshot, string id, IEvent e) =>
        new() { Id = id, State = evolve(snapshot is null ? initial : snapshot.State, (IDomainEvent)e.Data), Version = e.Version };
}

/// <summary>The aggregates of the domain, one per kind of stream, registered as live aggregations.</summary>
public static class LedgerAggregates
{
    public static void Register(StoreOptions options)
    {
        options.Projections.Add(new FoldProjection<AgencyState>(AgencyState.Initial, Agency.Evolve), ProjectionLifecycle.Live);
        options.Projections.Add(new FoldProjection<RenstraState>(RenstraState.Initial, Renstra.Evolve), ProjectionLifecycle.Live);
        // The year's agency and year are put in by the command (PerformanceYearState.Initial needs them; Evolve never reads them).
        options.Projections.Add(new FoldProjection<PerformanceYearState>(PerformanceYearState.Initial("", 0), PerformanceYear.Evolve), ProjectionLifecycle.Live);
        options.Projections.Add(new FoldProjection<EvaluationState>(EvaluationState.Initial, Evaluation.Evolve), ProjectionLifecycle.Live);
        options.Projections.Add(new FoldProjection<UserDirectoryState>(UserDirectoryState.Initial, (s, e) => s.Evolve(e)), ProjectionLifecycle.Live);
    }
}
