using System.Net;
using Ledger.Api.Features.Reads;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Reads;

/// <summary>
/// Issue 13: reads keep each stream's newest folded state in memory (<see cref="StreamStateCache"/>) and fold only the
/// events it lacks. A cached read must answer exactly what a full replay of the log answers, at the head and at every
/// instant, whatever was cached before.
/// </summary>
public sealed class StreamStateCacheTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private SeedEvents Seed => new(f);

    private StreamLoader Streams => new(f.Store, f.Database.Owner);

    [Fact]
    public async Task CachedLoader_AnswersTheHeadAndEveryInstantExactlyAsAFullReplay()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        var cache = new StreamStateCache(100);
        var cached = new ReadLoader(Streams, cache: cache);
        var replay = new ReadLoader(Streams);
        var instants = new List<DateTimeOffset>();

        for (var i = 1; i <= 6; i++)
        {
            // The head, read through the cache (which then holds this version) and by a full replay.
            await SameAsync(agency, null, cached, replay);
            var before = cache.Get<PerformanceYearState>(PerformanceYear.StreamName(agency, SurakartaSeed.Year))!;

            var appended = await Seed.YearAsync(agency, SurakartaSeed.Year,
                new CorrectRealization("I1", Period.Y, 0.70m + i / 100m, $"Koreksi ke-{i} hasil verifikasi"));
            instants.Add(appended.RecordedAt);

            // The cache is one event behind now: as of the new event's instant (and just before it) the cached state
            // plus the events recorded by then must equal the replay, and the cache must not have moved.
            await SameAsync(agency, appended.RecordedAt, cached, replay);
            await SameAsync(agency, appended.RecordedAt.AddTicks(-10), cached, replay);
            Assert.Equal(before.Version, cache.Get<PerformanceYearState>(PerformanceYear.StreamName(agency, SurakartaSeed.Year))!.Version);
        }

        var head = await SameAsync(agency, null, cached, replay);
        Assert.Equal(0.76m, head.RealizationFor("I1", Period.Y)!.Value);
        // Every instant again, now that the cache holds the head (earlier instants take the snapshot-and-replay path).
        foreach (var at in instants)
        {
            await SameAsync(agency, at, cached, replay);
            await SameAsync(agency, at.AddTicks(-10), cached, replay);
        }
    }

    [Fact]
    public async Task TheServicesReads_SeeANewEventAppendedBehindTheirBack()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        using var client = f.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", LedgerApiFactory.AdminToken);
        var url = $"/api/agencies/{agency}/indicators/I1?year={SurakartaSeed.Year}";
        var first = await ReadAsync(client, url);
        Assert.Equal(0.75m, first.Value);

        // Appended straight into the log (not through the service): the service's cache must notice by the version.
        var appended = await Seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.71m, "Koreksi hasil verifikasi"));
        var second = await ReadAsync(client, url);
        Assert.Equal(0.71m, second.Value);
        Assert.Equal(appended.Version, second.Version);
        Assert.True(f.Services.GetRequiredService<StreamStateCache>().Count > 0);

        var then = await ReadAsync(client, url + "&asOf=" + Uri.EscapeDataString(appended.RecordedAt.AddTicks(-10).ToString("O")));
        Assert.Equal((0.75m, first.Version), then);
    }

    [Fact]
    public async Task Commands_DecideOnTheNewestState_WhenTheStreamGrewBehindTheServicesBack()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        var staff = await f.CreateUserAsync("staff", agency);
        using var client = f.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", staff);
        var url = $"/api/agencies/{agency}/realizations/corrections";

        var first = await CorrectAsync(client, url, 0.74m, null); // the service now holds the year's fold
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var behind = await Seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.71m, "Koreksi langsung"));
        Assert.Equal(first.Version + 1, behind.Version);

        // If-Match with the version the service last wrote is stale now: 412 naming the real version, nothing written.
        var stale = await CorrectAsync(client, url, 0.72m, first.Version);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Contains($"\"actualVersion\":{behind.Version}", stale.Body);

        var next = await CorrectAsync(client, url, 0.72m, behind.Version);
        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.Equal(behind.Version + 1, next.Version);
        var stored = (await f.PayloadsAsync(PerformanceYear.StreamName(agency, SurakartaSeed.Year)))[^1];
        Assert.Contains("\"before\": 0.71", stored.Json); // decided on the event appended behind its back
        Assert.Contains("\"after\": 0.72", stored.Json);
    }

    private static async Task<(HttpStatusCode Status, long Version, string Body)> CorrectAsync(HttpClient client, string url, decimal value, long? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = System.Net.Http.Json.JsonContent.Create(new
            {
                indicator = "I1", year = SurakartaSeed.Year, period = "Y", value, reason = "Koreksi data hasil verifikasi",
            }),
        };
        if (ifMatch is { } v) request.Headers.TryAddWithoutValidation("If-Match", $"\"{v}\"");
        using var r = await client.SendAsync(request);
        var body = await r.Content.ReadAsStringAsync();
        long version = 0;
        if (r.IsSuccessStatusCode)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            version = doc.RootElement.GetProperty("version").GetInt64();
        }
        return (r.StatusCode, version, body);
    }

    [Fact]
    public void Cache_KeepsTheLaterVersion_AndStaysWithinItsCapacity()
    {
        var cache = new StreamStateCache(8);
        cache.Put("s", new FoldedState<string>("v5", 5, DateTimeOffset.UnixEpoch));
        cache.Put("s", new FoldedState<string>("v3", 3, DateTimeOffset.UnixEpoch)); // a slower read that loaded earlier
        Assert.Equal("v5", cache.Get<string>("s")!.State);
        cache.Put("s", new FoldedState<string>("v6", 6, DateTimeOffset.UnixEpoch));
        Assert.Equal("v6", cache.Get<string>("s")!.State);
        Assert.Null(cache.Get<object>("s")); // keyed by state type too

        for (var i = 0; i < 40; i++)
        {
            cache.Put($"other-{i}", new FoldedState<string>("x", 1, DateTimeOffset.UnixEpoch));
            cache.Get<string>("s"); // kept in use
            Assert.True(cache.Count <= cache.Capacity, $"{cache.Count} entries");
        }
        Assert.Equal("v6", cache.Get<string>("s")!.State); // the least recently used went, not this one
        Assert.Null(cache.Get<string>("other-0"));

        var off = new StreamStateCache(0); // Ledger:StreamStateCache = 0
        off.Put("s", new FoldedState<string>("v1", 1, DateTimeOffset.UnixEpoch));
        Assert.Null(off.Get<string>("s"));
        Assert.Equal(0, off.Count);
    }

    private async Task<PerformanceYearState> SameAsync(string agency, DateTimeOffset? asOf, ReadLoader cached, ReadLoader replay)
    {
        var a = await cached.YearAsync(agency, SurakartaSeed.Year, asOf, default);
        var b = await replay.YearAsync(agency, SurakartaSeed.Year, asOf, default);
        Assert.Equal(b.Version, a.Version);
        Assert.Equal(ReadLoader.YearCodec.Serialize(b.State), ReadLoader.YearCodec.Serialize(a.State));
        var agencyA = await cached.AgencyAsync(agency, asOf, default);
        var agencyB = await replay.AgencyAsync(agency, asOf, default);
        Assert.Equal((agencyB.Version, agencyB.State.Name), (agencyA.Version, agencyA.State.Name));
        var renstraA = await cached.RenstraCoveringAsync(agency, SurakartaSeed.Year, asOf, default);
        var renstraB = await replay.RenstraCoveringAsync(agency, SurakartaSeed.Year, asOf, default);
        Assert.Equal(renstraB?.Version, renstraA?.Version);
        return a.State;
    }

    private static async Task<(decimal Value, long Version)> ReadAsync(HttpClient client, string url)
    {
        using var r = await client.GetAsync(url);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, body);
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return (doc.RootElement.GetProperty("realizations").GetProperty("Y").GetDecimal(), doc.RootElement.GetProperty("version").GetInt64());
    }
}
