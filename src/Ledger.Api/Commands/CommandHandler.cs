using Ledger.Api.Features.Reads;
using Ledger.Storage;
using Marten;

namespace Ledger.Api.Commands;

/// <summary>
/// How one command is handled, as plain functions (no reflection, no attribute scanning): which stream it acts on and
/// the decision. The stream is folded by Marten (the live aggregation of <see cref="Folded{TState}"/> registered for
/// <typeparamref name="TState"/>); <see cref="CommandRunner"/> runs it inside a Wolverine endpoint. Two shapes:
/// <see cref="CommandHandler{TCommand,TState}"/> decides from the stream alone; <see cref="CommandHandler{TCommand,TState,TContext}"/>
/// first loads a context from other streams. Either way the decision function itself stays pure.
/// </summary>
public abstract record CommandHandlerDefinition<TCommand, TState>
{
    private protected CommandHandlerDefinition() { }

    /// <summary>The stream the command acts on, e.g. <c>c => $"counter-{c.Id}"</c>. Called only on a valid command.</summary>
    public required Func<TCommand, string> Stream { get; init; }

    /// <summary>The agency the stream belongs to (recorded as the events' agency header); none by default.</summary>
    public Func<TCommand, string?> Tenant { get; init; } = _ => null;

    /// <summary>The state of a stream with no events (the fold's seed).</summary>
    public required TState Initial { get; init; }

    /// <summary>Adjusts the folded state before deciding (e.g. fills in what the stream key says); none by default.</summary>
    public Func<TState, TCommand, TState>? Prepare { get; init; }

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
    /// A second write decided after this one, in the same session and so in the same transaction (e.g. an append to
    /// another stream through that stream's own handler): both commit or neither. Its fields are added to the success body.
    /// </summary>
    public Func<TCommand, IReadOnlyList<object>, FollowOnContext, CancellationToken, Task<IReadOnlyDictionary<string, object?>>>? FollowOn { get; init; }

    /// <summary>
    /// The streams whose current versions are asked in one query before the fold (the command's own stream among them,
    /// and the streams its context reads, e.g. <see cref="ReadLoader.HeadStreams"/>); null (the default, or when it
    /// returns null) asks none. With them a warm fold of the command's stream needs no query when the stream has not moved
    /// since (<see cref="CommandRunner"/>), and the context's loads take the same versions.
    /// </summary>
    public Func<TCommand, ReadLoader, IReadOnlySet<string>?>? Heads { get; init; }

    internal abstract Task<Decision> DecideAsync(TState state, TCommand command, ReadLoader reads, CancellationToken ct);
}

/// <summary>A handler that decides from its own stream only: <c>decide(state, command)</c>.</summary>
public sealed record CommandHandler<TCommand, TState> : CommandHandlerDefinition<TCommand, TState>
{
    public required Func<TState, TCommand, Decision> Decide { get; init; }

    internal override Task<Decision> DecideAsync(TState state, TCommand command, ReadLoader reads, CancellationToken ct) =>
        Task.FromResult(Decide(state, command));
}

/// <summary>
/// A handler that needs facts from other streams: <see cref="LoadContext"/> reads them (it may do I/O; it runs on
/// every attempt, after the command's own stream is loaded), then the pure <c>decide(state, command, context)</c>.
/// </summary>
public sealed record CommandHandler<TCommand, TState, TContext> : CommandHandlerDefinition<TCommand, TState>
{
    public required Func<TCommand, ReadLoader, CancellationToken, Task<TContext>> LoadContext { get; init; }
    public required Func<TState, TCommand, TContext, Decision> Decide { get; init; }

    internal override async Task<Decision> DecideAsync(TState state, TCommand command, ReadLoader reads, CancellationToken ct)
    {
        var context = await LoadContext(command, reads, ct);
        return Decide(state, command, context);
    }
}

/// <summary>What a <see cref="CommandHandlerDefinition{TCommand,TState}.FollowOn"/> step needs to decide another command in the same session.</summary>
public sealed record FollowOnContext(IDocumentSession Session, CommandRunner Runner, CommandMetadata Metadata);
