using FluentValidation;
using JasperFx.Events.Projections;
using Ledger.Domain;
using Ledger.Storage;
using Marten;

namespace Ledger.Commands.Tests.Counters;

// A toy aggregate that exercises the pipeline: a named counter that can be opened once and incremented up to a
// limit. The limit lives in ANOTHER stream (counter-limits), so incrementing needs a context loaded before deciding.

public sealed record CounterOpened(string Id, string Name) : IDomainEvent;
public sealed record CounterIncremented(int By) : IDomainEvent;
public sealed record LimitSet(int Max) : IDomainEvent;

public sealed record CounterState(bool Open, int Value)
{
    public static readonly CounterState Initial = new(false, 0);

    public static CounterState Evolve(CounterState state, IDomainEvent @event) => @event switch
    {
        CounterOpened => state with { Open = true },
        CounterIncremented e => state with { Value = state.Value + e.By },
        _ => throw new InvalidOperationException($"A counter has no event {@event.GetType().Name}."),
    };
}

public interface IHasReason
{
    string? Reason { get; }
}

public sealed record OpenCounter(string? Id, string? Name, string? Reason) : IHasReason;

public sealed record IncrementBody(int By, string? Reason);
public sealed record IncrementCounter(string Id, int By, string? Reason) : IHasReason;

public static class Counter
{
    public const int DefaultLimit = 100;
    public const string Limits = "counter-limits";

    public static string StreamOf(string id) => $"counter-{id}";

    /// <summary>The toy's event names and its live aggregation, added to Ledger's Marten configuration.</summary>
    public static void Configure(StoreOptions o)
    {
        o.Events.MapEventType<CounterOpened>("counter-opened");
        o.Events.MapEventType<CounterIncremented>("counter-incremented");
        o.Events.MapEventType<LimitSet>("counter-limit-set");
        o.Projections.Add(new FoldProjection<CounterState>(CounterState.Initial, CounterState.Evolve), ProjectionLifecycle.Live);
    }

    public static readonly CommandHandler<OpenCounter, CounterState> Open = new()
    {
        Stream = c => StreamOf(c.Id!),
        Tenant = _ => "toy",
        Initial = CounterState.Initial,
        Decide = (state, c) => state.Open
            ? Decision.Refuse("counter.already-open", $"Counter '{c.Id}' is already open.", "id")
            : Decision.Accept(new CounterOpened(c.Id!, c.Name!)),
    };

    /// <summary>Increment, with a test hook run while loading the context (to play a concurrent writer, block, or fail).</summary>
    public static CommandHandler<IncrementCounter, CounterState, int> Increment(Func<IncrementCounter, CancellationToken, Task> hook) => new()
    {
        Stream = c => StreamOf(c.Id),
        Tenant = _ => "toy",
        Initial = CounterState.Initial,
        LoadContext = async (c, reader, ct) =>
        {
            await hook(c, ct);
            var limits = await reader.ReadAsync(Limits, ct: ct);
            return limits.Count == 0 ? DefaultLimit : ((LimitSet)limits[^1].Data).Max;
        },
        Decide = (state, c, limit) =>
            !state.Open ? Decision.Missing($"Counter '{c.Id}'")
            : state.Value + c.By > limit ? Decision.Refuse("counter.limit", $"The counter would pass its limit of {limit}.", "by")
            : Decision.Accept(new CounterIncremented(c.By)),
    };

    public static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(System.Text.Json.JsonSerializerDefaults.Web);
}

public sealed class OpenCounterValidator : AbstractValidator<OpenCounter>
{
    public OpenCounterValidator()
    {
        RuleFor(c => c.Id).NotEmpty().Matches("^[a-z0-9-]{1,60}$");
        RuleFor(c => c.Name).NotEmpty().MaximumLength(100);
    }
}

public sealed class IncrementCounterValidator : AbstractValidator<IncrementCounter>
{
    public IncrementCounterValidator() => RuleFor(c => c.By).InclusiveBetween(1, 50);
}
