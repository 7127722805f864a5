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

/// <summary>
/// Reads Ledger's headers back from a Marten event. Marten's serializer gives them as <see cref="EventHeadersConverter"/>
/// reads them (text as <see cref="string"/>, the actor as a <see cref="JsonHeaderValue"/>); any other CLR shape (a header
/// set on an event not yet stored) is serialized to JSON first.
/// </summary>
public static class EventHeaderValues
{
    /// <summary>The header as JSON (an element of its own), or null when absent.</summary>
    public static System.Text.Json.JsonElement? Json(JasperFx.Events.IEvent e, string name)
    {
        if (e.Headers is null || !e.Headers.TryGetValue(name, out var value) || value is null) return null;
        return value switch
        {
            System.Text.Json.JsonElement element => element,
            JsonHeaderValue json => json.ToElement(),
            _ => System.Text.Json.JsonSerializer.SerializeToElement(value, value.GetType(), LedgerJson.Options),
        };
    }

    /// <summary>A text header (reason, agency, idempotency key) exactly as written, or null (absent, or not text).</summary>
    public static string? Text(JasperFx.Events.IEvent e, string name) =>
        e.Headers is not null && e.Headers.TryGetValue(name, out var value) ? value switch
        {
            string text => text,
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element => element.GetString(),
            _ => null,
        } : null;

    /// <summary>The actor header as JSON text (for tables and responses that keep it as JSON), or null.</summary>
    public static string? ActorJson(JasperFx.Events.IEvent e) =>
        e.Headers is not null && e.Headers.TryGetValue(EventHeaders.Actor, out var value) && value is JsonHeaderValue json
            ? json.Json
            : Json(e, EventHeaders.Actor) is { } a ? a.GetRawText() : null;
}
