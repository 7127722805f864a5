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
/// Without a standby a write asks no WAL position for <c>Ledger-Lsn</c> (no read could wait for it).
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
        // The caller's token against the user directory, the heads, the append and its commit: nothing else.
        Assert.True(queries.Count == 3, $"{queries.Count} queries:\n{list}");

        // Appended behind the service's back: the head moved, so the next decision folds it (the answer's version follows it).
        var behind = await seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.70m, "Koreksi langsung"));
        var (afterStatus, after) = await CorrectAsync(client, agency, token, 0.73m);
        Assert.Equal(HttpStatusCode.OK, afterStatus);
        Assert.Equal(behind.Version + 1, after);
    }

    [Fact]
    public async Task WithoutAStandby_WritesAnswerNoWalPosition_AndWalPositionsAlwaysAddsIt()
    {
        var agency = ApiClient.NewAgencyCode();
        await new SeedEvents(f).FullYearAsync(agency);
        var token = await f.CreateUserAsync("staff", agency);

        using (var client = f.CreateClient())
        {
            var ((status, _), queries) = await QueryTrace.OfAsync(tp => CorrectAsync(client, agency, token, 0.71m, tp));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.DoesNotContain(queries, q => q.Contains("pg_current_wal_lsn", StringComparison.Ordinal));
            using var response = await SendCorrectionAsync(client, agency, token, 0.72m, null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Ledger-Lsn"));
        }

        await using var always = await f.StartHostAsync(b => b.UseSetting("Ledger:WalPositions", "always"));
        using (var client = always.Server.CreateClient())
        {
            using var response = await SendCorrectionAsync(client, agency, token, 0.73m, null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches("^[0-9A-F]+/[0-9A-F]+$", Assert.Single(response.Headers.GetValues("Ledger-Lsn")));
        }
    }

    private static async Task<(HttpStatusCode Status, long Version)> CorrectAsync(HttpClient client, string agency, string token, decimal value, string? traceParent = null)
    {
        using var r = await SendCorrectionAsync(client, agency, token, value, traceParent);
        var text = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != HttpStatusCode.OK) return (r.StatusCode, -1);
        using var json = JsonDocument.Parse(text);
        return (r.StatusCode, json.RootElement.GetProperty("version").GetInt64());
    }

    private static async Task<HttpResponseMessage> SendCorrectionAsync(HttpClient client, string agency, string token, decimal value, string? traceParent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/agencies/{agency}/realizations/corrections")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { indicator = "I1", year = SurakartaSeed.Year, period = "Y", value, reason = "Koreksi hasil verifikasi" }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        if (traceParent is not null) request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        return await client.SendAsync(request);
    }
}
