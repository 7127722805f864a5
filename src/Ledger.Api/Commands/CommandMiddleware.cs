using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Storage;

namespace Ledger.Api.Commands;

/// <summary>
/// Around every command endpoint (the Wolverine chains), outside the chain, so that a race lost at Wolverine's commit can be
/// decided again: Wolverine's own concurrency mapping catches inside the chain, where no retry is possible.
/// <list type="number">
/// <item>the command headers are parsed (400 for a malformed If-Match, Idempotency-Key or X-Correlation-Id);</item>
/// <item>the request body is buffered (each attempt reads it again) and so is the answer (a failed attempt leaves nothing);</item>
/// <item><see cref="CommandFailedException"/> is answered through <see cref="FailureTable"/> (nothing was saved);</item>
/// <item>a lost race (<see cref="AppendRace.IsLost"/>: the stream moved since it was folded, a concurrent creator, a lock
///   or time conflict) is 412 with both versions when the request carried If-Match (never retried: the client decided on
///   that version); otherwise the whole chain runs again on a fresh session, up to <see cref="MaxAttempts"/>, then 409;</item>
/// <item>an answer replayed from Wolverine's deduplicated responses (status, body, Location) gets its ETag back, from the
///   version in the body it replays (the same ETag the first answer had), and <c>Idempotency-Replayed: true</c>; Wolverine's
///   422 for a key reused with another request gets its rule (<see cref="KeyReusedRule"/>).</item>
/// </list>
/// A replayed answer is given only once its events are known to be in the log and on the synchronous standby
/// (<see cref="StreamLoader.DurableAsync"/>): a commit cut by a primary's restart is visible afterwards without ever having
/// been replicated, and its replay would acknowledge events a failover then loses (docs/replication.md).
/// Exceptions that are neither (a bug, the database gone) propagate: 5xx.
/// </summary>
public sealed class CommandMiddleware(RequestDelegate next, StreamLoader streams, ILogger<CommandMiddleware> log)
{
    public const int MaxAttempts = 3;

    /// <summary>Marks an answer replayed for an Idempotency-Key (nothing was decided or written for it).</summary>
    public const string ReplayedHeader = "Idempotency-Replayed";

    /// <summary>The rule of the 422 for an Idempotency-Key first used for another request (method, path or body).</summary>
    public const string KeyReusedRule = "idempotency.key-reused";

    private static JsonSerializerOptions ProblemJson => LedgerJson.Options;

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<Wolverine.Http.HttpChain>() is null)
        {
            await next(http);
            return;
        }
        if (CommandRequest.Parse(http) is { } badHeader)
        {
            await WriteProblemAsync(http, badHeader);
            return;
        }
        var request = CommandRequest.Of(http);
        http.Request.EnableBuffering();
        var original = http.Response.Body;
        using var answer = new MemoryStream();
        http.Response.Body = answer;
        var lookedAgain = false;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                request.NewAttempt();
                http.Request.Body.Position = 0;
                try
                {
                    await next(http);
                    break;
                }
                catch (CommandFailedException e) when (!lookedAgain && request.IdempotencyKey is not null
                    && e.Failure is CommandFailure.Refused or CommandFailure.Conflict or CommandFailure.NotFound)
                {
                    // The same key's first request may have committed between Wolverine's lookup of a stored answer and
                    // this decision, which then saw its events (two processes, or a client's impatient retry): run the
                    // chain once more, so that the lookup finds and replays that answer instead of refusing the retry.
                    // Without such a commit the decision refuses again, the same way. Wolverine's own refusal watch
                    // (GH-5206) answers most such refusals before they get here (docs/commands.md, "Concurrent requests").
                    lookedAgain = true;
                    Reset(http, answer);
                }
                catch (CommandFailedException e)
                {
                    Reset(http, answer);
                    await WriteProblemAsync(http, e.Failure);
                    break;
                }
                catch (Exception e) when (AppendRace.IsLost(e) && request.DecidedOn is { } decided)
                {
                    Reset(http, answer);
                    var actual = await streams.VersionAsync(decided.Stream, CancellationToken.None);
                    if (request.IfMatch is { } required)
                    {
                        await WriteProblemAsync(http, new CommandFailure.PreconditionFailed(decided.Stream, required, actual));
                        break;
                    }
                    if (attempt == MaxAttempts)
                    {
                        log.LogWarning("{Stream} lost {Attempts} races in a row (expected {Expected}, actual {Actual}); answering 409.",
                            decided.Stream, MaxAttempts, decided.Version, actual);
                        await WriteProblemAsync(http, new CommandFailure.RaceLost(decided.Stream, decided.Version, actual, MaxAttempts));
                        break;
                    }
                    log.LogDebug("Attempt {Attempt} on {Stream} lost a race (expected {Expected}, actual {Actual}); deciding again.",
                        attempt, decided.Stream, decided.Version, actual);
                    // Jitter, growing with the attempt, so that writers that collided do not collide again in lockstep.
                    await Task.Delay(Random.Shared.Next(1, 10 * attempt + 1), http.RequestAborted);
                }
            }
            RestoreReplayedETag(http, answer);
            NameKeyReusedRule(http, answer);
            if (http.Response.Headers[ReplayedHeader] == "true" && !await streams.DurableAsync(EventIdsOf(answer), http.RequestAborted))
            {
                // The stored answer names events this server does not have: they were committed on a primary that was
                // lost before its standby had them. Not an answer to give; the client's retry decides again.
                log.LogWarning("A replayed answer names events that are not in the log (lost in a failover); answering 503.");
                Reset(http, answer);
                http.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The database is unavailable.",
                    detail: "The stored answer of this Idempotency-Key is not in the log any more (a database failover). Send the request again.")
                    .ExecuteAsync(http);
            }
        }
        finally
        {
            http.Response.Body = original;
        }
        answer.Position = 0;
        await answer.CopyToAsync(original, http.RequestAborted);
    }

    private static Guid[] EventIdsOf(MemoryStream answer)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer.GetBuffer().AsMemory(0, (int)answer.Length));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("eventIds", out var ids)
                && ids.ValueKind == JsonValueKind.Array
                ? ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetGuid()).ToArray()
                : [];
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return [];
        }
    }

    private static void Reset(HttpContext http, MemoryStream answer)
    {
        answer.SetLength(0);
        http.Response.Headers.Clear();
        http.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>A 2xx written without an ETag is a replay of a stored answer: its body names the version.</summary>
    private static void RestoreReplayedETag(HttpContext http, MemoryStream answer)
    {
        if (http.Response.StatusCode is < 200 or > 299 || http.Response.Headers.ETag.Count > 0 || answer.Length == 0) return;
        try
        {
            using var doc = JsonDocument.Parse(answer.GetBuffer().AsMemory(0, (int)answer.Length));
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("version", out var v) && v.TryGetInt64(out var version))
            {
                http.Response.Headers.ETag = CommandRunner.ETag(version);
                http.Response.Headers[ReplayedHeader] = "true";
            }
        }
        catch (JsonException)
        {
            // not a command answer; leave it as it is
        }
    }

    /// <summary>
    /// Wolverine answers an Idempotency-Key reused for another request with a bare 422 problem. Every other 422 of the API
    /// names its rule (clients tell a refusal from a reused key by it; /api/users names this one too), so it gets
    /// <see cref="KeyReusedRule"/>. Only a 422 written by the chain without a rule, on a request with a key, is that answer:
    /// every 422 of the failure table carries its rule.
    /// </summary>
    private static void NameKeyReusedRule(HttpContext http, MemoryStream answer)
    {
        if (http.Response.StatusCode != StatusCodes.Status422UnprocessableEntity || CommandRequest.Of(http).IdempotencyKey is null
            || answer.Length == 0) return;
        JsonNode? problem;
        try
        {
            problem = JsonNode.Parse(answer.GetBuffer().AsSpan(0, (int)answer.Length));
        }
        catch (JsonException)
        {
            return;
        }
        if (problem is not JsonObject o || o.ContainsKey("rule")) return;
        o["rule"] = KeyReusedRule;
        answer.SetLength(0);
        using (var writer = new Utf8JsonWriter(answer)) o.WriteTo(writer);
        http.Response.ContentLength = null;
    }

    private static async Task WriteProblemAsync(HttpContext http, CommandFailure failure)
    {
        var problem = FailureTable.ToProblem(failure);
        Infrastructure.Language.ProblemLanguage.Apply(http, problem, failure);
        http.Response.StatusCode = problem.Status!.Value;
        http.Response.ContentType = "application/problem+json; charset=utf-8";
        await http.Response.WriteAsync(JsonSerializer.Serialize(problem, problem.GetType(), ProblemJson), Encoding.UTF8, http.RequestAborted);
    }
}
