using System.Buffers;
using System.Text.Json;
using Ledger.Api.Features.Reads;

namespace Ledger.Api.Commands;

/// <summary>Where a year-stream command names its year: the route's <c>{year}</c>, or the body's top-level <c>year</c>.</summary>
public enum YearIn
{
    Route,
    Body,
}

/// <summary>
/// A command on a year stream (<c>year-{agency}-{year}</c>, <c>PerformanceYearHandler</c>): the query that authenticates
/// the caller (<c>UseBearerTokens</c>) asks the heads the command's handler asks (its stream, the agency, the Renstra plans
/// that could cover the year) in the same query, and the command's first attempt decides on them
/// (<see cref="CommandRequest.PrefetchedHeads"/>) instead of asking again: one round trip to PostgreSQL fewer per command
/// (docs/performance.md, issue 13). They are the versions at one instant before the decision, as the command's own query
/// would be; a write after that instant is caught by the append's expected version as before, and the retry asks afresh.
/// <para>
/// A body year is read from a small body only (at most <see cref="MaxBodyBytes"/>, chunked or not; no more than that
/// is read before authentication), buffered so that the command reads it again; anything else (no year, not JSON, a
/// year out of range, a larger body) prefetches nothing and the command asks its heads itself, exactly as without this
/// attribute.
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class YearHeadsPrefetchAttribute(YearIn year) : Attribute
{
    /// <summary>The largest body whose <c>year</c> is looked for before authentication (a command's body is a few hundred bytes).</summary>
    public const int MaxBodyBytes = 8 * 1024;

    public YearIn Year { get; } = year;

    /// <summary>The streams to ask along with the authentication, or null (nothing to prefetch for this request).</summary>
    public async ValueTask<IReadOnlySet<string>?> StreamsAsync(HttpContext http, ReadLoader loader) =>
        HeadsPrefetch.StreamsOf(http, loader, Year == YearIn.Route
            ? HeadsPrefetch.RouteYear()(http)
            : await BodyYearAsync(http) is { } year ? [year] : null);

    private static readonly object Key = new();

    /// <summary>Keeps the heads asked with the authentication for the command (not for the request's other reads).</summary>
    public static void Keep(HttpContext http, StreamHeads heads) => http.Items[Key] = heads;

    /// <summary>The kept heads if they cover <paramref name="streams"/>; null otherwise.</summary>
    public static StreamHeads? Kept(HttpContext http, IReadOnlySet<string> streams) =>
        http.Items.TryGetValue(Key, out var kept) && kept is StreamHeads heads && streams.IsSubsetOf(heads.Asked) ? heads : null;

    /// <summary>
    /// The body's top-level <c>year</c> when it is a whole number and the body is at most <see cref="MaxBodyBytes"/>
    /// (declared or not: .NET's <c>JsonContent</c> sends no Content-Length); the body is left buffered at position 0.
    /// </summary>
    private static async ValueTask<int?> BodyYearAsync(HttpContext http)
    {
        if (http.Request.ContentLength is 0 or > MaxBodyBytes || !http.Request.Body.CanRead) return null;
        http.Request.EnableBuffering();
        var bytes = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1); // every realization and correction comes here: no new array each
        try
        {
            var read = await http.Request.Body.ReadAtLeastAsync(bytes.AsMemory(0, MaxBodyBytes + 1), MaxBodyBytes + 1, throwOnEndOfStream: false, http.RequestAborted);
            return read > MaxBodyBytes ? null : TopLevelYear(bytes.AsSpan(0, read)); // a larger body: only its own read takes it whole
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            return null; // the command's own read of the body meets the same failure and answers it
        }
        finally
        {
            http.Request.Body.Position = 0;
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The value of the object's own <c>year</c> property (not a nested one's) if it is an int; otherwise null.</summary>
    internal static int? TopLevelYear(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isYear = reader.ValueTextEquals("year"u8);
                if (!reader.Read()) return null;
                if (isYear) return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var year) ? year : null;
                reader.Skip();
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
