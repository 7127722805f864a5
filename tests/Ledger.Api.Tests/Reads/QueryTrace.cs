using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Ledger.Api.Tests.Reads;

/// <summary>
/// The statements one HTTP request sends to PostgreSQL: Npgsql's command activities in the request's trace (the request
/// carries its own trace id in <c>traceparent</c>; ASP.NET Core continues it and Npgsql's activities are its children).
/// Connection opens are not counted. A batch of several statements is one activity: one round trip.
/// </summary>
internal static class QueryTrace
{
    public static async Task<(HttpStatusCode Status, JsonElement Body, IReadOnlyList<string> Queries)> GetAsync(HttpClient client, string url, string token)
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
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var r = await client.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (r.StatusCode, body, commands.Where(c => !c.StartsWith("connect", StringComparison.OrdinalIgnoreCase)).ToList());
    }
}
