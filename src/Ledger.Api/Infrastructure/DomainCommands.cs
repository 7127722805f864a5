using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Commands;
using Ledger.Domain;
using DomainDecision = Ledger.Domain.Decision;
using PipelineDecision = Ledger.Commands.Decision;

namespace Ledger.Api.Infrastructure;

/// <summary>The glue between the pure domain and the generic command pipeline: event names, JSON, decisions.</summary>
public static class DomainCommands
{
    /// <summary>
    /// One JSON dialect for request bodies, responses and stored event payloads: camelCase, and numbers must be JSON
    /// numbers (no "12" strings, no NaN): the contract reads every number as a decimal.
    /// </summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The one registry of domain event names, shared by the pipeline and every loader.</summary>
    public static EventTypeRegistry Events { get; } = EventTypes();

    /// <summary>A stored event as the domain event it records (unknown type names fail loudly: see EventTypeRegistry).</summary>
    public static IDomainEvent Decode(Ledger.EventStore.RecordedEvent recorded) => (IDomainEvent)Events.Deserialize(recorded, Json);

    public static EventTypeRegistry EventTypes()
    {
        var registry = new EventTypeRegistry();
        foreach (var (name, type) in DomainEventTypes.All) registry.Register(name, type);
        return registry;
    }

    /// <summary>
    /// Rules that refuse because of the resource's state, not the command: 409 (api.md: "409 conflict (closed year, …)").
    /// Every other rule is a 422. Duplicates (an agency or Renstra registered twice) stay 422 as before.
    /// </summary>
    public static IReadOnlySet<string> ConflictRules { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleCodes.YearClosed, RuleCodes.YearAlreadyClosed,
    };

    public static PipelineDecision ToPipeline(DomainDecision decision) => decision switch
    {
        DomainDecision.Accepted a => PipelineDecision.Accept(a.Events.Cast<object>()),
        DomainDecision.Refused r when ConflictRules.Contains(r.Rule) => PipelineDecision.Conflict(r.Rule, r.Message),
        DomainDecision.Refused r => PipelineDecision.Refuse(r.Rule, r.Message, r.Field),
        DomainDecision.NotFound n => PipelineDecision.Missing(n.What),
        _ => throw new ArgumentOutOfRangeException(nameof(decision)),
    };

    /// <summary>The pipeline folds decoded events as objects; every domain event is an <see cref="IDomainEvent"/>.</summary>
    public static Func<TState, object, TState> Evolve<TState>(Func<TState, IDomainEvent, TState> evolve) =>
        (state, e) => evolve(state, (IDomainEvent)e);

    private const string ReasonKey = "ledger.reason";

    /// <summary>Body mappers call this so that the write's reason is recorded on every event (api.md: "Each write may carry reason").</summary>
    public static void RecordReason(HttpContext http, string? reason)
    {
        if (!string.IsNullOrWhiteSpace(reason)) http.Items[ReasonKey] = reason.Trim();
    }

    public static string? Reason(HttpContext http) => http.Items.TryGetValue(ReasonKey, out var r) ? r as string : null;
}
