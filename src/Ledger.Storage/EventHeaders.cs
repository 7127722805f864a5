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
