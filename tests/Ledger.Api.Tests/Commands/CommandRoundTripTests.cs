using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Api.Commands;
using Ledger.Api.Tests.Reads;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears.CorrectingRealization;

namespace Ledger.Api.Tests.Commands;

/// <summary>
/// Issue 13 (commands p99 &lt; 50 ms): a command on a year stream asks the versions of its own stream and of the streams
/// its context reads (agency, Renstra plans) in the query that authenticates its caller (<c>YearHeadsPrefetch</c>); when
/// the process's fold of the stream is at that version it decides on it without reading the stream again. A write behind
/// the service's back moves the head, so it is folded; one between the prefetch and the decision loses the first attempt,
/// and the retry asks the heads afresh. Without a standby a write asks no WAL position for <c>Ledger-Lsn</c>.
/// </summary>
public sealed class CommandRoundTripTests(HookedApiFactory f) : IClassFixture<HookedApiFactory>
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
        // The caller's token against the user directory with the command's heads, then the append and its commit: nothing else.
        Assert.True(queries.Count == 2, $"{queries.Count} queries:\n{list}");

        // Appended behind the service's back: the head moved, so the next decision folds it (the answer's version follows it).
        var behind = await seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.70m, "Koreksi langsung"));
        var (afterStatus, after) = await CorrectAsync(client, agency, token, 0.73m);
        Assert.Equal(HttpStatusCode.OK, afterStatus);
        Assert.Equal(behind.Version + 1, after);
    }

    [Fact]
    public async Task AWriteBetweenThePrefetchedHeadsAndTheDecision_LosesTheFirstAttempt_AndTheRetryAsksTheHeadsAfresh()
    {
        var agency = ApiClient.NewAgencyCode();
        var seed = new SeedEvents(f);
        await seed.FullYearAsync(agency);
        var token = await f.CreateUserAsync("staff", agency);
        using var client = f.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await CorrectAsync(client, agency, token, 0.71m)).Status); // the fold is now held

        // After the authentication asked the heads, before the first attempt folds: another writer appends to the stream.
        Reads.Appended? behind = null;
        var hook = f.Hooks.OnFold(PerformanceYear.StreamName(agency, SurakartaSeed.Year), async (call, _) =>
        {
            if (call == 1) behind = await seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.70m, "Koreksi langsung"));
        });
        var (status, version) = await CorrectAsync(client, agency, token, 0.72m);

        // The first attempt decided on the prefetched (older) head and lost at the append; the second asked the current
        // heads and folded the other writer's event. Reusing the prefetched heads on the retry would lose every attempt (409).
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, hook.Calls);
        Assert.Equal(behind!.Version + 1, version);
    }

    [Fact]
    public async Task AnIdempotencyKey_IsLookedUpInTheTokensQuery_AndARepeatIsStillAnsweredFromItsClaim()
    {
        var agency = ApiClient.NewAgencyCode();
        await new SeedEvents(f).FullYearAsync(agency);
        var token = await f.CreateUserAsync("staff", agency);
        using var client = f.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await CorrectAsync(client, agency, token, 0.71m, key: Guid.NewGuid().ToString())).Status); // the fold is now held

        var key = Guid.NewGuid().ToString();
        var ((status, version), queries) = await QueryTrace.OfAsync(tp => CorrectAsync(client, agency, token, 0.72m, tp, key));
        Assert.Equal(HttpStatusCode.OK, status);
        var list = string.Join("\n", queries);
        // The token's query asks the heads and the key's claim; then the append, the claim and the answer in one batch.
        // Wolverine's own lookup (select fingerprint, … where deduplication_id = $1) is not sent: without the change, 3.
        Assert.Contains(queries, q => q.Contains("unnest", StringComparison.Ordinal) && q.Contains(IdempotencyClaimPrefetch.ClaimsTable, StringComparison.Ordinal));
        Assert.DoesNotContain(queries, q => q.Contains("select fingerprint", StringComparison.OrdinalIgnoreCase));
        Assert.True(queries.Count == 2, $"{queries.Count} queries:\n{list}");

        // The same request again: the token's query finds the claim, Wolverine reads it and answers as the first time.
        var ((repeatStatus, repeatVersion), repeatQueries) = await QueryTrace.OfAsync(tp => CorrectAsync(client, agency, token, 0.72m, tp, key));
        Assert.Equal(HttpStatusCode.OK, repeatStatus);
        Assert.Equal(version, repeatVersion);
        Assert.Contains(repeatQueries, q => q.Contains("select fingerprint", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(version + 1, (await CorrectAsync(client, agency, token, 0.73m)).Version); // the repeat wrote nothing

        // Another caller with the same key and body: another scope, so its own claim and its own write.
        var other = await f.CreateUserAsync("staff", agency);
        Assert.Equal(version + 2, (await CorrectAsync(client, agency, other, 0.72m, key: key)).Version);
    }

    [Fact]
    public async Task AClaimCommittedAfterTheTokensQuery_IsFoundByTheRetry_AndTheKeyWritesOnce()
    {
        var agency = ApiClient.NewAgencyCode();
        await new SeedEvents(f).FullYearAsync(agency);
        var token = await f.CreateUserAsync("staff", agency);
        using var client = f.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await CorrectAsync(client, agency, token, 0.71m)).Status); // the fold is now held

        // After the token's query said "no claim" for the key, before the first attempt decides: the same request (same key,
        // same body) from another connection runs to its end and commits the claim.
        var key = Guid.NewGuid().ToString();
        (HttpStatusCode Status, long Version)? concurrent = null;
        var hook = f.Hooks.OnFold(PerformanceYear.StreamName(agency, SurakartaSeed.Year), async (call, _) =>
        {
            if (call != 1) return;
            using var second = f.CreateClient();
            concurrent = await CorrectAsync(second, agency, token, 0.72m, key: key);
        });
        var first = await CorrectAsync(client, agency, token, 0.72m, key: key);

        // The first attempt lost the race at the append; the retry asked Wolverine, which found the other request's claim
        // and answered with its answer. (Were the kept "no claim" reused by the retry, the claim's key, inserted in the
        // retry's own transaction, would still refuse its commit and Wolverine would answer from the claim that won: the
        // end is the same, one write; that the answer is used once is the next test's.)
        Assert.Equal((HttpStatusCode.OK, concurrent!.Value.Version), first);
        Assert.Equal(HttpStatusCode.OK, concurrent.Value.Status);
        Assert.True(hook.Calls >= 2, $"{hook.Calls} folds");
        Assert.Equal(first.Version + 1, (await CorrectAsync(client, agency, token, 0.73m)).Version);
    }

    [Fact]
    public async Task TheClaimAnswer_IsUsedOnceAndOnlyForTheIdItWasAskedFor()
    {
        var wolverine = new CountingLookup();
        var lookup = new PrefetchedClaimLookup(wolverine);
        await Task.Run(async () =>
        {
            IdempotencyClaimPrefetch.Keep("sha256:aa", exists: false);
            Assert.Null(await lookup.FindClaimAsync(null!, "sha256:bb", null, default)); // another id: Wolverine is asked
            Assert.Equal(1, wolverine.Calls);
            Assert.Null(await lookup.FindClaimAsync(null!, "sha256:aa", typeof(object), default)); // another store: asked
            Assert.Equal(2, wolverine.Calls);
            Assert.Null(await lookup.FindClaimAsync(null!, "sha256:aa", null, default)); // answered here
            Assert.Equal(2, wolverine.Calls);
            Assert.Null(await lookup.FindClaimAsync(null!, "sha256:aa", null, default)); // a retry of the chain: asked again
            Assert.Equal(3, wolverine.Calls);

            IdempotencyClaimPrefetch.Keep("sha256:cc", exists: true);
            Assert.Null(await lookup.FindClaimAsync(null!, "sha256:cc", null, default)); // a claim exists: Wolverine reads it
            Assert.Equal(4, wolverine.Calls);
        });
        // Nothing kept outside that flow.
        Assert.Null(await lookup.FindClaimAsync(null!, "sha256:aa", null, default));
        Assert.Equal(5, wolverine.Calls);
    }

    private sealed class CountingLookup : Wolverine.Marten.IMartenDeduplicatedResponses
    {
        public int Calls;

        public Task<Wolverine.Persistence.Durability.DeduplicatedResponseClaim?> FindClaimAsync(Marten.IDocumentSession session, string? deduplicationId,
            Type? ancillaryStoreMarker, CancellationToken cancellation)
        {
            Calls++;
            return Task.FromResult<Wolverine.Persistence.Durability.DeduplicatedResponseClaim?>(null);
        }

        public Marten.Linq.QueryHandlers.IQueryHandler<Wolverine.Persistence.Durability.DeduplicatedResponseClaim?> ClaimQuery(Marten.IDocumentSession session,
            string? deduplicationId, Type? ancillaryStoreMarker) => throw new NotSupportedException();

        public void QueueClaim(Marten.IDocumentSession session, Wolverine.Persistence.Durability.PendingDeduplicatedResponseClaim? claim, Type? ancillaryStoreMarker) =>
            throw new NotSupportedException();
    }

    [Theory]
    [InlineData(false, 2)] // a small body, sent chunked (no Content-Length, as .NET's JsonContent sends): its year is read
    [InlineData(true, 3)]  // over 8 KB (padded with spaces): nothing is read before authentication; the command asks its heads
    public async Task ACommandsBodyYear_IsReadFromASmallBodyDeclaredOrNot_AndALargerBodyAsksItsOwnHeads(bool large, int expectedQueries)
    {
        var agency = ApiClient.NewAgencyCode();
        await new SeedEvents(f).FullYearAsync(agency);
        var token = await f.CreateUserAsync("staff", agency);
        using var client = f.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await CorrectAsync(client, agency, token, 0.71m)).Status);

        var (response, queries) = await QueryTrace.OfAsync(async tp =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/agencies/{agency}/realizations/corrections")
            {
                Content = new UnknownLengthContent(JsonSerializer.Serialize(new { indicator = "I1", year = SurakartaSeed.Year, period = "Y", value = 0.72m, reason = "Koreksi" })
                    .Replace("}", (large ? new string(' ', YearHeadsPrefetchAttribute.MaxBodyBytes) : "") + "}", StringComparison.Ordinal)),
            };
            request.Headers.Authorization = new("Bearer", token);
            request.Headers.TryAddWithoutValidation("traceparent", tp);
            using var r = await client.SendAsync(request);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        });
        Assert.True(response.StatusCode == HttpStatusCode.OK, response.Item2);
        // The token's query (with the heads when the year was read), the command's heads otherwise, the append.
        Assert.True(queries.Count == expectedQueries, $"{queries.Count} queries:\n{string.Join("\n", queries)}");
    }

    [Theory]
    [InlineData("{\"indicator\":\"I1\",\"year\":2023,\"value\":1}", 2023)]
    [InlineData("{\"nested\":{\"year\":1999},\"list\":[{\"year\":1998}],\"year\":2024}", 2024)]
    [InlineData("{\"nested\":{\"year\":1999}}", null)]
    [InlineData("{\"year\":\"2023\"}", null)]
    [InlineData("{\"year\":2023.5}", null)]
    [InlineData("{\"year\":99999999999}", null)]
    [InlineData("[{\"year\":2023}]", null)]
    [InlineData("{\"year\":", null)]
    [InlineData("not json", null)]
    public void TheBodysYear_IsTheObjectsOwnWholeNumber(string body, int? year) =>
        Assert.Equal(year, YearHeadsPrefetchAttribute.TopLevelYear(Encoding.UTF8.GetBytes(body)));

    /// <summary>A JSON body sent without Content-Length (chunked).</summary>
    private sealed class UnknownLengthContent(string json) : HttpContent
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(json);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
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

    private static async Task<(HttpStatusCode Status, long Version)> CorrectAsync(HttpClient client, string agency, string token, decimal value,
        string? traceParent = null, string? key = null)
    {
        using var r = await SendCorrectionAsync(client, agency, token, value, traceParent, key);
        var text = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != HttpStatusCode.OK) return (r.StatusCode, -1);
        using var json = JsonDocument.Parse(text);
        return (r.StatusCode, json.RootElement.GetProperty("version").GetInt64());
    }

    private static async Task<HttpResponseMessage> SendCorrectionAsync(HttpClient client, string agency, string token, decimal value, string? traceParent,
        string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/agencies/{agency}/realizations/corrections")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { indicator = "I1", year = SurakartaSeed.Year, period = "Y", value, reason = "Koreksi hasil verifikasi" }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        if (traceParent is not null) request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        if (key is not null) request.Headers.TryAddWithoutValidation(IdempotencyClaimPrefetch.Header, key);
        return await client.SendAsync(request);
    }
}
