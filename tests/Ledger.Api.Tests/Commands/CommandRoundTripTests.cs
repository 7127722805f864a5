using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Api.Tests.Reads;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears.CorrectingRealization;

namespace Ledger.Api.Tests.Commands;

/// <summary>
/// Issue 13 (commands p99 &lt; 50 ms): a command on a year stream asks the versions of its own stream and of the streams
/// its context reads (agency, Renstra plans) in one query; when the process's fold of the stream is at that version it
/// decides on it without reading the stream again. A write behind the service's back moves the head, so it is folded.
/// </summary>
public sealed class CommandRoundTripTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task AWarmCorrection_ReadsNoEventsOfItsStream_AndAnEventAppendedBehindItsBackIsFoldedBeforeTheNextDecision()
    {
        var agency = ApiClient.NewAgencyCode();
        var seed = new SeedEvents(f);
        await seed.FullYearAsync(agency);
        var token = await f.CreateUserAsync("staff", agency);
        using var client = f.CreateClient();

        var (status, first) = await CorrectAsync(client, agency, token, 0.71m);
        Assert.Equal(HttpStatusCode.OK, status); // the process now holds the stream's fold at this version

        var ((warmStatus, warm), queries) = await QueryTrace.OfAsync(tp => CorrectAsync(client, agency, token, 0.72m, tp));
        Assert.Equal(HttpStatusCode.OK, warmStatus);
        Assert.Equal(first + 1, warm);
        var list = string.Join("\n", queries);
        Assert.DoesNotContain(queries, q => q.Contains("mt_events", StringComparison.Ordinal) && q.Contains("select", StringComparison.OrdinalIgnoreCase)
                                            && !q.Contains("unnest", StringComparison.Ordinal) && !q.Contains("users", StringComparison.Ordinal));
        Assert.True(queries.Count <= 4, $"{queries.Count} queries:\n{list}");

        // Appended behind the service's back: the head moved, so the next decision folds it (the answer's version follows it).
        var behind = await seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.70m, "Koreksi langsung"));
        var (afterStatus, after) = await CorrectAsync(client, agency, token, 0.73m);
        Assert.Equal(HttpStatusCode.OK, afterStatus);
        Assert.Equal(behind.Version + 1, after);
    }

    private static async Task<(HttpStatusCode Status, long Version)> CorrectAsync(HttpClient client, string agency, string token, decimal value, string? traceParent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/agencies/{agency}/realizations/corrections")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { indicator = "I1", year = SurakartaSeed.Year, period = "Y", value, reason = "Koreksi hasil verifikasi" }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        if (traceParent is not null) request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        using var r = await client.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != HttpStatusCode.OK) return (r.StatusCode, -1);
        using var json = JsonDocument.Parse(text);
        return (r.StatusCode, json.RootElement.GetProperty("version").GetInt64());
    }
}
