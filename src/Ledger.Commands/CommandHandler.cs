using Ledger.EventStore;

namespace Ledger.Commands;

/// <summary>
/// How one command is handled, as plain functions (no reflection, no attribute scanning): which stream it acts on,
/// how that stream's events fold into a state, and the decision. Two shapes: <see cref="CommandHandler{TCommand,TState}"/>
/// decides from the stream alone; <see cref="CommandHandler{TCommand,TState,TContext}"/> first loads a context from
/// other streams. Either way the decision function itself stays pure.
/// </summary>
public abstract record CommandHandlerDefinition<TCommand, TState>
{
    private protected CommandHandlerDefinition() { }

    /// <summary>The stream the command acts on, e.g. <c>c => new StreamName($"counter-{c.Id}")</c>. Called only on a valid command.</summary>
    public required Func<TCommand, StreamName> Stream { get; init; }

    /// <summary>The stream's type, recorded when the stream is created, e.g. <c>counter</c>.</summary>
    public required string StreamType { get; init; }

    /// <summary>The tenant the stream belongs to (also scopes idempotency keys); none by default.</summary>
    public Func<TCommand, string?> Tenant { get; init; } = _ => null;

    /// <summary>The state of a stream with no events. Treated as immutable: it is the seed of every fold.</summary>
    public required TState Initial { get; init; }

    /// <summary>Folds one decoded event (an instance of a type in the <see cref="EventTypeRegistry"/>) into the state.</summary>
    public required Func<TState, object, TState> Evolve { get; init; }

    /// <summary>
    /// Extra fields for the success body, computed from the appended events (e.g. a hash the decision computed);
    /// none by default. They are part of the response, so an idempotent replay returns them too.
    /// </summary>
    public Func<IReadOnlyList<object>, IReadOnlyDictionary<string, object?>>? ResponseFields { get; init; }

    /// <summary>
    /// The success status for these appended events when it is not the endpoint's default (e.g. 202 when a write only
    /// recorded a proposal); null keeps the endpoint's status.
    /// </summary>
    public Func<IReadOnlyList<object>, int?>? SuccessStatus { get; init; }

    /// <summary>
    /// A second step run after a successful append, NOT atomic with it (e.g. an append to another stream through that
    /// stream's own handler). Its fields are added to the success body. Exceptions propagate as for the append itself.
    /// </summary>
    public Func<TCommand, IReadOnlyList<object>, FollowOnContext, CancellationToken, Task<IReadOnlyDictionary<string, object?>>>? FollowOn { get; init; }

    internal abstract Task<Decision> DecideAsync(TState state, TCommand command, IEventReader reader, CancellationToken ct);
}

/// <summary>A handler that decides from its own stream only: <c>decide(state, command)</c>.</summary>
public sealed record CommandHandler<TCommand, TState> : CommandHandlerDefinition<TCommand, TState>
{
    public required Func<TState, TCommand, Decision> Decide { get; init; }

    internal override Task<Decision> DecideAsync(TState state, TCommand command, IEventReader reader, CancellationToken ct) =>
        Task.FromResult(Decide(state, command));
}

/// <summary>
/// A handler that needs facts from other streams: <see cref="LoadContext"/> reads them (it may do I/O; it runs on
/// every attempt, after the command's own stream is loaded), then the pure <c>decide(state, command, context)</c>.
/// </summary>
public sealed record CommandHandler<TCommand, TState, TContext> : CommandHandlerDefinition<TCommand, TState>
{
    public required Func<TCommand, IEventReader, CancellationToken, Task<TContext>> LoadContext { get; init; }
    public required Func<TState, TCommand, TContext, Decision> Decide { get; init; }

    internal override async Task<Decision> DecideAsync(TState state, TCommand command, IEventReader reader, CancellationToken ct)
    {
        var context = await LoadContext(command, reader, ct);
        return Decide(state, command, context);
    }
}

/// <summary>What a <see cref="CommandHandlerDefinition{TCommand,TState}.FollowOn"/> step needs to run another command with the same metadata (actor, reason, correlation).</summary>
public sealed record FollowOnContext(IEventStore Store, CommandPipelineOptions Options, AppendMetadata Metadata, Microsoft.Extensions.Logging.ILogger Log);
