using System.Text.Json;
using Alba;
using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Discovery;

/// <summary>GET /api/agencies/{agency}/changes: the agency-wide change log the Inspektorat reads (issue 12 item 6).</summary>
public sealed class ChangeLogTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private async Task<JsonElement> GetJson(string token, string url, int status = 200)
    {
        var result = await f.Scenario(s =>
        {
            s.WithBearerToken(token);
            s.Get.Url(url);
            s.StatusCodeShouldBe(status);
        });
        return JsonDocument.Parse(result.ReadAsText()).RootElement.Clone();
    }

    private static List<JsonElement> Changes(JsonElement log) => log.GetProperty("changes").EnumerateArray().ToList();

    /// <summary>Today at UTC+9, the zone the change log reads dates in.</summary>
    private static DateOnly Today() => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);

    private async Task<(Surakarta S, string Inspektorat, Guid StaffId)> StoryAsync()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 90m });
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I8", year = 2023, period = "Y", value = 91.5m, reason = "Data SIMPEG diperbarui" });
        await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" });
        var staffId = (await GetJson(s.Staff, "/api/me")).GetProperty("id").GetGuid();
        return (s, await f.CreateUserAsync("inspektorat", null, "Auditor Inspektorat"), staffId);
    }

    [Fact]
    public async Task Changes_EveryEventOfTheAgencysStreams_NewestFirst_WithActorSubjectReasonAndSummary()
    {
        var (s, inspektorat, staffId) = await StoryAsync();
        var log = await GetJson(inspektorat, $"/api/agencies/{s.Agency}/changes");
        Assert.Equal(s.Agency, log.GetProperty("agency").GetString());
        Assert.False(log.GetProperty("truncated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, log.GetProperty("asOf").ValueKind);

        var changes = Changes(log);
        var stored = new List<JasperFx.Events.IEvent>();
        foreach (var stream in new[] { $"agency-{s.Agency}", $"renstra-{s.Agency}-2021", s.YearStream }) stored.AddRange(await f.EventsAsync(stream));
        Assert.Equal(stored.Select(e => e.Sequence).OrderDescending(), changes.Select(c => c.GetProperty("sequence").GetInt64()));
        Assert.Equal(stored.OrderByDescending(e => e.Sequence).Select(e => e.EventTypeName), changes.Select(c => c.GetProperty("kind").GetString()));

        var correction = changes.Single(c => c.GetProperty("kind").GetString() == "realization.corrected.v1");
        var stored1 = stored.Single(e => e.EventTypeName == "realization.corrected.v1");
        Assert.Equal(stored1.Id, correction.GetProperty("eventId").GetGuid());
        Assert.Equal(stored1.Version, correction.GetProperty("version").GetInt64());
        Assert.Equal(stored1.Timestamp, correction.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(s.YearStream, correction.GetProperty("stream").GetString());
        Assert.Equal(2023, correction.GetProperty("year").GetInt32());
        Assert.Equal("I8", correction.GetProperty("subject").GetString());
        Assert.Equal("Y", correction.GetProperty("period").GetString());
        Assert.Equal("Data SIMPEG diperbarui", correction.GetProperty("reason").GetString());
        Assert.Equal("Realization of I8 Y corrected: 90 → 91.5", correction.GetProperty("summary").GetString());
        var actor = correction.GetProperty("actor");
        Assert.Equal(staffId, actor.GetProperty("id").GetGuid());
        Assert.Equal("Perencana BKPSDM", actor.GetProperty("name").GetString());
        Assert.Equal("198004122000031003", actor.GetProperty("nip").GetString());
        Assert.Equal("staff", actor.GetProperty("role").GetString());

        var registered = changes[^1];
        Assert.Equal("agency.registered.v1", registered.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, registered.GetProperty("year").ValueKind);
        Assert.Equal(JsonValueKind.Null, registered.GetProperty("subject").ValueKind);
        Assert.Equal("admin", registered.GetProperty("actor").GetProperty("role").GetString());
        var created = changes.Single(c => c.GetProperty("kind").GetString() == "renstra.created.v1");
        Assert.Equal("Perwali 29/2021", created.GetProperty("ground").GetString());
        var closed = changes.Single(c => c.GetProperty("kind").GetString() == "year.closed.v1");
        Assert.Equal("LKjIP 2023", closed.GetProperty("reason").GetString());
        Assert.Equal("approver", closed.GetProperty("actor").GetProperty("role").GetString());
    }

    [Fact]
    public async Task Changes_Filters_KindActorYearDatesLimitAndAsOf()
    {
        var (s, inspektorat, _) = await StoryAsync();
        var url = $"/api/agencies/{s.Agency}/changes";
        var all = Changes(await GetJson(inspektorat, url));

        Assert.Equal("realization.corrected.v1",
            Assert.Single(Changes(await GetJson(inspektorat, $"{url}?kind=realization.corrected.v1"))).GetProperty("kind").GetString());

        // actor: a case-insensitive substring of the name or of the NIP.
        var byName = Changes(await GetJson(inspektorat, $"{url}?actor=perencana"));
        Assert.NotEmpty(byName);
        Assert.All(byName, c => Assert.Equal("Perencana BKPSDM", c.GetProperty("actor").GetProperty("name").GetString()));
        Assert.Equal(all.Count(c => c.GetProperty("actor").GetProperty("name").GetString() == "Perencana BKPSDM"), byName.Count);
        var approverOnly = Changes(await GetJson(inspektorat, $"{url}?actor=KEPALA"));
        Assert.Equal(["year.closed.v1", "year.snapshot-frozen.v1"], approverOnly.Select(c => c.GetProperty("kind").GetString()).Order());
        var byNip = Changes(await GetJson(inspektorat, $"{url}?actor=20000310"));
        Assert.Equal(byName.Count + approverOnly.Count, byNip.Count); // both users carry that NIP; the bootstrap admin has none
        Assert.Empty(Changes(await GetJson(inspektorat, $"{url}?actor=nobody-like-this")));

        // year: that year's stream and the plans covering it; the agency's own events have no year.
        var year2023 = Changes(await GetJson(inspektorat, $"{url}?year=2023"));
        Assert.Equal(all.Count - 1, year2023.Count);
        Assert.DoesNotContain(year2023, c => c.GetProperty("kind").GetString() == "agency.registered.v1");
        Assert.Empty(Changes(await GetJson(inspektorat, $"{url}?year=2030")));

        // from/to: calendar dates at UTC+9, inclusive.
        var today = Today().ToString("yyyy-MM-dd");
        Assert.Equal(all.Count, Changes(await GetJson(inspektorat, $"{url}?from={today}&to={today}")).Count);
        Assert.Empty(Changes(await GetJson(inspektorat, $"{url}?from={Today().AddDays(1):yyyy-MM-dd}")));
        Assert.Empty(Changes(await GetJson(inspektorat, $"{url}?to={Today().AddDays(-1):yyyy-MM-dd}")));

        // limit: the newest n, and the answer says it was cut.
        var two = await GetJson(inspektorat, $"{url}?limit=2");
        Assert.True(two.GetProperty("truncated").GetBoolean());
        Assert.Equal(all.Take(2).Select(c => c.GetProperty("sequence").GetInt64()), Changes(two).Select(c => c.GetProperty("sequence").GetInt64()));
        Assert.False((await GetJson(inspektorat, $"{url}?limit={all.Count}")).GetProperty("truncated").GetBoolean());

        // asOf: as the log stood before the correction.
        var correction = all.Single(c => c.GetProperty("kind").GetString() == "realization.corrected.v1");
        var before = correction.GetProperty("at").GetDateTimeOffset().AddTicks(-10);
        var then = await GetJson(inspektorat, $"{url}?asOf={Uri.EscapeDataString(before.ToString("O"))}");
        Assert.Equal(before, then.GetProperty("asOf").GetDateTimeOffset());
        Assert.DoesNotContain(Changes(then), c => c.GetProperty("kind").GetString() is "realization.corrected.v1" or "year.closed.v1");
        Assert.Contains(Changes(then), c => c.GetProperty("kind").GetString() == "realization.recorded.v1");
    }

    [Theory]
    [InlineData("from=2024-13-01", "from")]
    [InlineData("from=15-01-2024", "from")]
    [InlineData("to=2024-01-15T00:00:00Z", "to")]
    [InlineData("from=2024-02-01&to=2024-01-01", "to")]
    [InlineData("kind=realization.recorded", "kind")]
    [InlineData("year=20x3", "year")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=5001", "limit")]
    [InlineData("asOf=2024-01-15", "asOf")]
    public async Task Changes_BadQuery_Returns400NamingTheField(string query, string field)
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        var problem = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/changes?{query}");
            s.ShouldReturnProblemDetails(400);
        });
        Assert.True(problem.JsonAt("errors").TryGetProperty(field, out _), problem.ReadAsText());
    }

    [Fact]
    public async Task Changes_AnotherAgencysStaff403_UnknownAgency404_NoToken401()
    {
        var agency = ApiClient.NewAgencyCode();
        var other = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        await f.RegisterAgencyAsync(other);
        await GetJson(await f.CreateUserAsync("staff", other), $"/api/agencies/{agency}/changes", 403);
        Assert.Single(Changes(await GetJson(await f.CreateUserAsync("approver", agency), $"/api/agencies/{agency}/changes")));
        await GetJson(LedgerApiFactory.AdminToken, $"/api/agencies/{ApiClient.NewAgencyCode()}/changes", 404);
        await f.Scenario(s => { s.Get.Url($"/api/agencies/{agency}/changes"); s.StatusCodeShouldBe(401); });
    }
}
