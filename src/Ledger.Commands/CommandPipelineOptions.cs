using System.Text.Json;
using Ledger.EventStore;
using Microsoft.AspNetCore.Http;

namespace Ledger.Commands;

/// <summary>What every command endpoint shares. Registered once with <see cref="CommandServiceCollectionExtensions.AddCommandPipeline"/>.</summary>
public sealed class CommandPipelineOptions
{
    /// <summary>Event name ↔ CLR type. Required: events are stored by name.</summary>
    public EventTypeRegistry Events { get; set; } = new();

    /// <summary>For request bodies and event payloads. camelCase by default (JSON web defaults).</summary>
    public JsonSerializerOptions Json { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Who and why, from the request and the (valid) command: actor JSON and reason, recorded on every event.
    /// The pipeline fills in the correlation id (X-Correlation-Id, else the trace identifier) and the idempotency key
    /// where the factory leaves them null.
    /// </summary>
    public Func<HttpContext, object, AppendMetadata> Metadata { get; set; } = (_, _) => AppendMetadata.None;

    /// <summary>The largest command body read (1 MB by default); a larger one is 413 without being buffered.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Attempts for a write without If-Match that keeps losing races, before 409.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How long a completed response is replayed for its key.</summary>
    public TimeSpan IdempotencyRetention { get; set; } = IdempotencyStore.DefaultRetention;

    /// <summary>How long an unfinished claim blocks its key (after that a crashed request's key is free again).</summary>
    public TimeSpan IdempotencyLease { get; set; } = IdempotencyStore.DefaultLease;
}
