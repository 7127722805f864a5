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
/// <c>Id</c>, so this wraps them. Only ever aggregated live (never stored as a document): the state a decision sees is a
/// fold of the events themselves, continued from this process's earlier fold of the stream or, for a year stream's first
/// fold in a process, from its newest stream snapshot the service authenticates (docs/snapshots.md).
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
    private static readonly Dictionary<Type, Fold> Folds = new Fold[]
    {
        new Fold<AgencyState>(AgencyState.Initial, Agency.Evolve),
        new Fold<RenstraState>(RenstraState.Initial, Renstra.Evolve),
        // The year's agency and year are put in by the command (PerformanceYearState.Initial needs them; Evolve never reads them).
        new Fold<PerformanceYearState>(PerformanceYearState.Initial("", 0), PerformanceYear.Evolve),
        new Fold<EvaluationState>(EvaluationState.Initial, Evaluation.Evolve),
        new Fold<UserDirectoryState>(UserDirectoryState.Initial, (s, e) => s.Evolve(e)),
    }.ToDictionary(f => f.StateType);

    public static void Register(StoreOptions options)
    {
        foreach (var fold in Folds.Values) fold.Register(options);
    }

    /// <summary>The seed and the pure <c>Evolve</c> Marten folds <typeparamref name="TState"/> streams with (the same functions).</summary>
    public static Fold<TState> FoldOf<TState>() => (Fold<TState>)Folds[typeof(TState)];

    public abstract class Fold
    {
        internal abstract Type StateType { get; }
        internal abstract void Register(StoreOptions options);
    }

    public sealed class Fold<TState>(TState initial, Func<TState, IDomainEvent, TState> evolve) : Fold
    {
        public TState Initial { get; } = initial;

        /// <summary><paramref name="state"/> with <paramref name="events"/> folded onto it, in order.</summary>
        public TState Apply(TState state, IEnumerable<object> events) => events.Aggregate(state, (s, e) => evolve(s, (IDomainEvent)e));

        internal override Type StateType => typeof(TState);

        internal override void Register(StoreOptions options) =>
            options.Projections.Add(new FoldProjection<TState>(Initial, evolve), ProjectionLifecycle.Live);
    }
}
