namespace Ledger.Storage;

/// <summary>
/// The Marten event headers Ledger writes on every event of a command (besides Marten's own correlation and causation
/// ids). They are part of the event row, so the hash chain covers them.
/// </summary>
public static class EventHeaders
{
    /// <summary>The acting user as a JSON object <c>{ "name", "nip", "role" }</c>, as the token said at write time.</summary>
    public const string Actor = "actor";

    /// <summary>The write's reason (api.md: "Each write may carry reason"; revisions and corrections require it).</summary>
    public const string Reason = "reason";

    /// <summary>The agency the stream belongs to (single tenancy: the agency is in the stream key and here).</summary>
    public const string Agency = "agency";

    /// <summary>The Idempotency-Key of the request that appended the event, if any.</summary>
    public const string IdempotencyKey = "idempotencyKey";
}

/// <summary>Reads Ledger's headers back from a Marten event, whatever CLR shape the deserialiser gave them.</summary>
public static class EventHeaderValues
{
    /// <summary>The header as JSON, or null when absent.</summary>
    public static System.Text.Json.JsonElement? Json(JasperFx.Events.IEvent e, string name)
    {
        if (e.Headers is null || !e.Headers.TryGetValue(name, out var value) || value is null) return null;
        return value switch
        {
            System.Text.Json.JsonElement element => element,
            _ => System.Text.Json.JsonSerializer.SerializeToElement(value, value.GetType(), LedgerJson.Options),
        };
    }

    /// <summary>A text header (reason, agency, idempotency key), or null.</summary>
    public static string? Text(JasperFx.Events.IEvent e, string name) =>
        Json(e, name) is { ValueKind: System.Text.Json.JsonValueKind.String } s ? s.GetString() : null;

    /// <summary>The actor header as JSON text (for tables and responses that keep it as JSON), or null.</summary>
    public static string? ActorJson(JasperFx.Events.IEvent e) => Json(e, EventHeaders.Actor) is { } a ? a.GetRawText() : null;
}
