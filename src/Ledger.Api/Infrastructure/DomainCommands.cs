using System.Text.Json;
using Ledger.Storage;
using Ledger.Api.Commands;
using Ledger.Domain;
using DomainDecision = Ledger.Domain.Decision;
using PipelineDecision = Ledger.Api.Commands.Decision;

namespace Ledger.Api.Infrastructure;

/// <summary>The glue between the pure domain and the generic command pipeline: JSON, decisions, the write's reason.</summary>
public static class DomainCommands
{
    /// <summary>One JSON dialect for request bodies, responses and stored event payloads (<see cref="LedgerJson"/>).</summary>
    public static JsonSerializerOptions Json => LedgerJson.Options;

    /// <summary>A stored event as the domain event it records (Marten deserialised it by its stored type name).</summary>
    public static IDomainEvent Decode(JasperFx.Events.IEvent stored) => StreamLoader.Decode(stored);

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

    private const string ReasonKey = "ledger.reason";

    /// <summary>Body mappers call this so that the write's reason is recorded on every event (api.md: "Each write may carry reason").</summary>
    public static void RecordReason(HttpContext http, string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return;
        // Bodies with a validator check this too; this covers the ones validated as domain commands (agencies).
        if (reason.Length > BodyRules.TextLength)
            throw new Commands.CommandFailedException(new Commands.CommandFailure.ValidationFailed(new Dictionary<string, string[]>
            {
                ["reason"] = [$"The reason may have at most {BodyRules.TextLength} characters."],
            }));
        http.Items[ReasonKey] = reason.Trim();
    }

    public static string? Reason(HttpContext http) => http.Items.TryGetValue(ReasonKey, out var r) ? r as string : null;
}
