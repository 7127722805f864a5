using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Ledger.Api.Tests;

/// <summary>
/// The queries one request sends to PostgreSQL: Npgsql's command activities in the request's trace (the request carries
/// its own trace id in <c>traceparent</c>; ASP.NET Core continues it and Npgsql's activities are its children).
/// Connection opens are not counted. A batch of several statements is one activity: one round trip.
/// </summary>
public static class QueryTrace
{
    /// <param name="send">sends the request with the given <c>traceparent</c> header value.</param>
    public static async Task<(T Result, IReadOnlyList<string> Queries)> OfAsync<T>(Func<string, Task<T>> send)
    {
        var trace = ActivityTraceId.CreateRandom();
        var commands = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Source.Name == "Npgsql" && a.TraceId == trace) commands.Enqueue(a.DisplayName + " " + a.GetTagItem("db.query.text"));
            },
        };
        ActivitySource.AddActivityListener(listener);
        var result = await send($"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        return (result, commands.Where(c => !c.StartsWith("connect", StringComparison.OrdinalIgnoreCase)).ToList());
    }

    /// <summary>A GET with the token as bearer: its status, its JSON body (default when none) and its queries.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body, IReadOnlyList<string> Queries)> GetAsync(HttpClient client, string url, string token)
    {
        var ((status, body), queries) = await OfAsync(async traceParent =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new("Bearer", token);
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
            using var r = await client.SendAsync(request);
            var text = await r.Content.ReadAsStringAsync();
            return (r.StatusCode, text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : default);
        });
        return (status, body, queries);
    }
}
