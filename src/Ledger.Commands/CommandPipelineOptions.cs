using System.Text.Json;
using Ledger.Storage;
using Microsoft.AspNetCore.Http;

namespace Ledger.Commands;

/// <summary>What every command endpoint shares. Registered once with <see cref="CommandServiceCollectionExtensions.AddCommandPipeline"/>.</summary>
public sealed class CommandPipelineOptions
{
    /// <summary>For request bodies and responses (event payloads are Marten's, in the same dialect: <see cref="LedgerJson"/>).</summary>
    public JsonSerializerOptions Json { get; set; } = LedgerJson.Options;

    /// <summary>
    /// Who and why, from the request and the (valid) command: actor and reason, recorded on every event. The pipeline
    /// fills in the correlation id (X-Correlation-Id, else the trace identifier) and the idempotency key where the
    /// factory leaves them null.
    /// </summary>
    public Func<HttpContext, object, CommandMetadata> Metadata { get; set; } = (_, _) => CommandMetadata.None;

    /// <summary>The largest command body read (1 MB by default); a larger one is 413 without being buffered.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Attempts for a write without If-Match that keeps losing races, before 409.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How long a completed response is replayed for its key.</summary>
    public TimeSpan IdempotencyRetention { get; set; } = IdempotencyStore.DefaultRetention;

    /// <summary>How long an unfinished claim blocks its key (after that a crashed request's key is free again).</summary>
    public TimeSpan IdempotencyLease { get; set; } = IdempotencyStore.DefaultLease;
}
