using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Ledger.Storage;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Ledger.Commands;

/// <summary>
/// One HTTP command, end to end: headers → JSON body → command → FluentValidation → idempotency claim →
/// <see cref="CommandExecutor"/> → response (remembered for the idempotency key unless it is a 5xx).
/// </summary>
internal static class CommandEndpoint
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string IdempotencyReplayedHeader = "Idempotency-Replayed";
    public const string CorrelationIdHeader = "X-Correlation-Id";
    private const int MaxHeaderLength = 200;

    private static readonly JsonSerializerOptions ResponseJson = new(JsonSerializerDefaults.Web);

    public static async Task HandleAsync<TBody, TCommand, TState>(
        HttpContext http, CommandHandlerDefinition<TCommand, TState> handler, Func<HttpContext, TBody, TCommand> map, int successStatus)
    {
        var services = http.RequestServices;
        var options = services.GetRequiredService<CommandPipelineOptions>();
        var store = services.GetRequiredService<IDocumentStore>();
        var reader = services.GetRequiredService<StreamLoader>();
        var idempotency = services.GetRequiredService<IdempotencyStore>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Commands");
        var ct = http.RequestAborted;

        // Input errors are answered before any key is claimed: they are a function of the request alone, so a retry of
        // the same request gets the same answer anyway, and they never write.
        var (headers, headerFailure) = ReadHeaders(http.Request);
        if (headers is null)
        {
            await WriteAsync(http, Render(headerFailure!, successStatus));
            return;
        }
        var body = await ReadBodyAsync(http.Request, options.MaxBodyBytes, ct);
        if (body is null)
        {
            await WriteAsync(http, Render(new CommandFailure.BodyTooLarge(options.MaxBodyBytes), successStatus));
            return;
        }
        var (value, bindFailure) = Bind<TBody>(body, options.Json);
        if (bindFailure is not null)
        {
            await WriteAsync(http, Render(bindFailure, successStatus));
            return;
        }
        var command = map(http, value!);
        if (await ValidateAsync(services, command, ct) is { } invalid)
        {
            await WriteAsync(http, Render(invalid, successStatus));
            return;
        }

        var supplied = options.Metadata(http, command!);
        var metadata = supplied with
        {
            CorrelationId = supplied.CorrelationId ?? headers.CorrelationId ?? http.TraceIdentifier,
            IdempotencyKey = supplied.IdempotencyKey ?? headers.IdempotencyKey,
        };

        Task<StoredResponse> Execute() => ExecuteAsync(handler, command, store, reader, options, metadata, headers.IfMatch, log, successStatus, ct);

        if (headers.IdempotencyKey is not { } key)
        {
            await WriteAsync(http, await Execute());
            return;
        }

        var scope = Scope(handler.Tenant(command), metadata.Actor is null ? null : JsonSerializer.Serialize(metadata.Actor, options.Json));
        var hash = RequestHash(http.Request, body);
        var claim = await idempotency.ClaimAsync(scope, key, hash, options.IdempotencyLease, ct);
        switch (claim)
        {
            case IdempotencyClaim.Completed { SameRequest: true } done:
                log.LogInformation("Replaying the response remembered for idempotency key {Key}.", key);
                http.Response.Headers[IdempotencyReplayedHeader] = "true";
                await WriteAsync(http, done.Response);
                return;
            case IdempotencyClaim.Completed or IdempotencyClaim.InFlight { SameRequest: false }:
                await WriteAsync(http, Render(new CommandFailure.IdempotencyKeyReused(key), successStatus));
                return;
            case IdempotencyClaim.InFlight:
                await WriteAsync(http, Render(new CommandFailure.IdempotencyKeyInFlight(key), successStatus));
                return;
            case IdempotencyClaim.Claimed claimed:
                StoredResponse response;
                try
                {
                    response = await Execute();
                }
                catch
                {
                    // Not an answer to remember (a 5xx or a cancelled request): free the key for a retry, then let the
                    // exception surface as it would without a key.
                    await idempotency.ReleaseAsync(claimed, CancellationToken.None);
                    throw;
                }
                if (response.Status >= 500)
                    await idempotency.ReleaseAsync(claimed, CancellationToken.None);
                else if (!await idempotency.CompleteAsync(claimed, response, options.IdempotencyRetention, CancellationToken.None))
                    log.LogWarning("The claim on idempotency key {Key} ran out before the response was stored; it was not remembered.", key);
                await WriteAsync(http, response);
                return;
            default:
                throw new InvalidOperationException($"Unknown idempotency claim {claim}.");
        }
    }

    private static async Task<StoredResponse> ExecuteAsync<TCommand, TState>(
        CommandHandlerDefinition<TCommand, TState> handler, TCommand command, IDocumentStore store, StreamLoader reader, CommandPipelineOptions options,
        CommandMetadata metadata, long? ifMatch, ILogger log, int successStatus, CancellationToken ct)
    {
        var outcome = await CommandExecutor.ExecuteAsync(handler, command, store, reader, options, metadata, ifMatch, log, ct);
        if (outcome is not CommandSucceeded s) return Render(outcome, successStatus);
        var extra = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (handler.ResponseFields?.Invoke(s.Events) is { } fields) foreach (var (k, v) in fields) extra[k] = v;
        if (handler.FollowOn is { } followOn)
            foreach (var (k, v) in await followOn(command, s.Events, new FollowOnContext(store, reader, options, metadata, log), ct)) extra[k] = v;
        return Render(outcome, handler.SuccessStatus?.Invoke(s.Events) ?? successStatus, extra);
    }

    // ---- Headers ----

    private sealed record Headers(long? IfMatch, string? IdempotencyKey, string? CorrelationId);

    private static (Headers? Headers, CommandFailure? Failure) ReadHeaders(HttpRequest request)
    {
        long? ifMatch = null;
        if (request.Headers.IfMatch is { Count: > 0 } ifMatchValues)
        {
            if (ParseVersion(ifMatchValues) is not { } v)
                return (null, new CommandFailure.BadHeader("If-Match",
                    "If-Match must be one stream version: a whole number ≥ 0, quoted (\"3\") or bare (3)."));
            ifMatch = v;
        }
        if (!TryReadToken(request.Headers[IdempotencyKeyHeader], out var key))
            return (null, new CommandFailure.BadHeader(IdempotencyKeyHeader, $"Idempotency-Key must be one value of 1 to {MaxHeaderLength} characters."));
        if (!TryReadToken(request.Headers[CorrelationIdHeader], out var correlation))
            return (null, new CommandFailure.BadHeader(CorrelationIdHeader, $"X-Correlation-Id must be one value of 1 to {MaxHeaderLength} characters."));
        return (new Headers(ifMatch, key, correlation), null);
    }

    /// <summary>"3", 3 or W/"3" (a weak tag names the same version here); anything else, including *, is malformed.</summary>
    internal static long? ParseVersion(StringValues values)
    {
        if (values.Count != 1 || values[0] is not { } raw) return null;
        var s = raw.Trim();
        if (s.StartsWith("W/", StringComparison.Ordinal)) s = s[2..];
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"') s = s[1..^1];
        if (s.Length == 0 || s.Length > 19 || !s.All(char.IsAsciiDigit)) return null;
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    private static bool TryReadToken(StringValues values, out string? token)
    {
        token = null;
        if (values.Count == 0) return true;
        if (values.Count != 1) return false;
        var s = values[0]?.Trim();
        if (string.IsNullOrEmpty(s) || s.Length > MaxHeaderLength) return false;
        token = s;
        return true;
    }

    // ---- Body ----

    /// <returns>the body, or null when it is larger than <paramref name="max"/> bytes (by Content-Length or as read).</returns>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long max, CancellationToken ct)
    {
        if (request.ContentLength > max) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static (TBody? Value, CommandFailure? Failure) Bind<TBody>(byte[] body, JsonSerializerOptions json)
    {
        TBody? value;
        try
        {
            value = body.Length == 0 ? default : JsonSerializer.Deserialize<TBody>(body, json);
        }
        catch (JsonException e)
        {
            // The path names the field (as spelled in the JSON), line and position locate it; the exception's own
            // message would leak CLR type names.
            var field = e.Path is null or "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
            var where = e.LineNumber is { } line && e.BytePositionInLine is { } pos ? $" (line {line + 1}, position {pos + 1})" : "";
            var message = field == "$"
                ? $"The body is not valid JSON for this command{where}."
                : $"The value of '{field}' is malformed or of the wrong type{where}.";
            return (default, Invalid(field, message));
        }
        return value is null ? (default, Invalid("$", "A JSON object body is required.")) : (value, null);
    }

    private static async Task<CommandFailure?> ValidateAsync<TCommand>(IServiceProvider services, TCommand command, CancellationToken ct)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var validator in services.GetServices<IValidator<TCommand>>())
        {
            var result = await validator.ValidateAsync(command, ct);
            foreach (var error in result.Errors)
            {
                var field = CamelCasePath(error.PropertyName);
                if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
                list.Add(error.ErrorMessage);
            }
        }
        return errors.Count == 0 ? null : new CommandFailure.ValidationFailed(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }

    /// <summary><c>Lines[0].Code</c> → <c>lines[0].code</c>: the names the client sent.</summary>
    internal static string CamelCasePath(string propertyPath)
    {
        if (string.IsNullOrEmpty(propertyPath)) return "$";
        return string.Join('.', propertyPath.Split('.').Select(segment =>
        {
            var bracket = segment.IndexOf('[');
            return bracket < 0
                ? JsonNamingPolicy.CamelCase.ConvertName(segment)
                : JsonNamingPolicy.CamelCase.ConvertName(segment[..bracket]) + segment[bracket..];
        }));
    }

    private static CommandFailure.ValidationFailed Invalid(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });

    // ---- Idempotency ----

    /// <summary>Keys are per tenant and actor: two users (or tenants) choosing the same key never see each other's responses.</summary>
    internal static string Scope(string? tenant, string? actorJson)
    {
        var actor = actorJson is null ? "" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(actorJson)));
        return $"{tenant}|{actor}";
    }

    /// <summary>SHA-256 of method, path (with query) and body bytes: what makes a retry "the same request".</summary>
    private static byte[] RequestHash(HttpRequest request, byte[] body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n"));
        sha.AppendData(body);
        return sha.GetHashAndReset();
    }

    // ---- Responses ----

    private static StoredResponse Render(CommandOutcome outcome, int successStatus, IReadOnlyDictionary<string, object?>? extra = null)
    {
        switch (outcome)
        {
            case CommandSucceeded s:
                var body = JsonSerializer.Serialize(new SuccessBody(s.Stream, s.Version, s.EventIds)
                {
                    Extra = extra is { Count: > 0 } ? extra.ToDictionary() : null,
                }, ResponseJson);
                return new StoredResponse(successStatus, "application/json; charset=utf-8", body, ETag(s.Version));
            case CommandFailure f:
                var problem = FailureTable.ToProblem(f);
                return new StoredResponse(problem.Status!.Value, "application/problem+json; charset=utf-8",
                    JsonSerializer.Serialize(problem, problem.GetType(), ResponseJson), null);
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome}.");
        }
    }

    private sealed record SuccessBody(string StreamId, long Version, IReadOnlyList<Guid> EventIds)
    {
        /// <summary>The handler's <see cref="CommandHandlerDefinition{TCommand,TState}.ResponseFields"/>, inlined beside the standard three.</summary>
        [System.Text.Json.Serialization.JsonExtensionData]
        public Dictionary<string, object?>? Extra { get; init; }
    }

    internal static string ETag(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    private static async Task WriteAsync(HttpContext http, StoredResponse response)
    {
        http.Response.StatusCode = response.Status;
        http.Response.ContentType = response.ContentType;
        if (response.ETag is not null) http.Response.Headers.ETag = response.ETag;
        await http.Response.WriteAsync(response.Body, Encoding.UTF8, http.RequestAborted);
    }
}
