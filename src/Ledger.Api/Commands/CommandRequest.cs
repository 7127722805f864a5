using System.Globalization;
using Ledger.Api.Features.Reads;
using Microsoft.Extensions.Primitives;

namespace Ledger.Api.Commands;

/// <summary>
/// The headers a command reads (If-Match, Idempotency-Key, X-Correlation-Id), parsed once by <see cref="CommandMiddleware"/>
/// before the endpoint runs, and what the attempt decided on (its stream and version), for answering a race lost at commit.
/// </summary>
public sealed class CommandRequest
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string CorrelationIdHeader = "X-Correlation-Id";
    private const int MaxHeaderLength = 200;
    private static readonly object Key = new();

    public long? IfMatch { get; private init; }
    public string? IdempotencyKey { get; private init; }
    public string? CorrelationId { get; private init; }

    /// <summary>The stream and version the current attempt decided on (null before it loaded one).</summary>
    public (string Stream, long Version)? DecidedOn { get; private set; }

    public void Decided(string stream, long version) => DecidedOn ??= (stream, version);

    /// <summary>The current attempt, from 1 (<see cref="CommandMiddleware"/> runs the chain again after a lost race).</summary>
    public int Attempt { get; private set; }

    /// <summary>Forget the previous attempt's stream (a retry decides again).</summary>
    public void NewAttempt()
    {
        DecidedOn = null;
        Attempt++;
    }

    /// <summary>
    /// The heads asked with the caller's authentication (<see cref="YearHeadsPrefetchAttribute"/>) when they cover
    /// <paramref name="streams"/>, for the first attempt only: a retry follows a lost race, so it asks the current heads.
    /// </summary>
    public StreamHeads? PrefetchedHeads(HttpContext http, IReadOnlySet<string> streams) =>
        Attempt == 1 ? YearHeadsPrefetchAttribute.Kept(http, streams) : null;

    public static CommandRequest Of(HttpContext http) =>
        http.Items.TryGetValue(Key, out var r) && r is CommandRequest request
            ? request
            : throw new InvalidOperationException("A command endpoint ran without CommandMiddleware.");

    /// <returns>the parsed headers, stored on the request, or the 400 for a malformed one.</returns>
    public static CommandFailure? Parse(HttpContext http)
    {
        var headers = http.Request.Headers;
        long? ifMatch = null;
        if (headers.IfMatch is { Count: > 0 } ifMatchValues)
        {
            if (ParseVersion(ifMatchValues) is not { } v)
                return new CommandFailure.BadHeader("If-Match", "If-Match must be one stream version: a whole number ≥ 0, quoted (\"3\") or bare (3).");
            ifMatch = v;
        }
        if (!TryReadToken(headers[IdempotencyKeyHeader], out var key))
            return new CommandFailure.BadHeader(IdempotencyKeyHeader, $"Idempotency-Key must be one value of 1 to {MaxHeaderLength} characters.");
        if (!TryReadToken(headers[CorrelationIdHeader], out var correlation))
            return new CommandFailure.BadHeader(CorrelationIdHeader, $"X-Correlation-Id must be one value of 1 to {MaxHeaderLength} characters.");
        http.Items[Key] = new CommandRequest { IfMatch = ifMatch, IdempotencyKey = key, CorrelationId = correlation };
        return null;
    }

    /// <summary>"3", 3 or W/"3" (a weak tag names the same version here); anything else, including *, is malformed.</summary>
    public static long? ParseVersion(StringValues values)
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
}
