using Ledger.Storage;
using Marten;

namespace Ledger.Api.Commands;

/// <summary>
/// Who, why and in which conversation: written on every event of one command as Marten metadata (correlation and
/// causation ids) and Ledger's headers (<see cref="EventHeaders"/>), all covered by the hash chain.
/// </summary>
public sealed record CommandMetadata
{
    /// <summary>The acting user, serialised as a JSON object (e.g. <c>{ id, name, nip, role, agency }</c>).</summary>
    public object? Actor { get; init; }
    public string? Reason { get; init; }
    public string? Agency { get; init; }
    public string? CorrelationId { get; init; }
    public string? CausationId { get; init; }
    public string? IdempotencyKey { get; init; }

    public static CommandMetadata None { get; } = new();

    /// <summary>The conversation (correlation, causation) is the session's: every event the request appends shares it.</summary>
    public void ApplyTo(IDocumentSession session)
    {
        if (CorrelationId is not null) session.CorrelationId = CorrelationId;
        if (CausationId is not null) session.CausationId = CausationId;
    }

    /// <summary>
    /// Who, why and which agency are per event: a follow-on write in the same transaction records its own reason (Marten
    /// would let session-wide headers overwrite an event's own).
    /// </summary>
    public void ApplyTo(JasperFx.Events.IEvent e)
    {
        if (Actor is not null) e.SetHeader(EventHeaders.Actor, Actor);
        if (Reason is not null) e.SetHeader(EventHeaders.Reason, Reason);
        if (Agency is not null) e.SetHeader(EventHeaders.Agency, Agency);
        if (IdempotencyKey is not null) e.SetHeader(EventHeaders.IdempotencyKey, IdempotencyKey);
    }
}
