using System.Text.Json;
using Alba;
using Ledger.Api.Tests.Reads;
using Ledger.Api.Tests.Writes;
using Ledger.Domain.PerformanceYears.RecordingRealization;

namespace Ledger.Api.Tests.Discovery;

/// <summary>GET /api/me, /api/agencies, /api/agencies/{agency}/indicators, /api/users and POST /api/users/{id}/token (issue 12 item 6).</summary>
public sealed class DiscoveryTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
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

    private static JsonElement Agency(JsonElement list, string code) =>
        list.EnumerateArray().Single(a => a.GetProperty("code").GetString() == code);

    [Fact]
    public async Task Me_AnyCaller_ReturnsIdNameNipRoleAgency_WithoutTokenIs401()
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        var staff = await f.CreateUserAsync("staff", agency, "Perencana Satu");

        var me = await GetJson(staff, "/api/me");
        Assert.Equal("Perencana Satu", me.GetProperty("name").GetString());
        Assert.Equal("198004122000031003", me.GetProperty("nip").GetString());
        Assert.Equal("staff", me.GetProperty("role").GetString());
        Assert.Equal(agency, me.GetProperty("agency").GetString());
        Assert.NotEqual(Guid.Empty, me.GetProperty("id").GetGuid());
        var users = await GetJson(LedgerApiFactory.AdminToken, "/api/users");
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("id").GetGuid() == me.GetProperty("id").GetGuid() && u.GetProperty("agency").GetString() == agency);

        var inspektorat = await GetJson(await f.CreateUserAsync("inspektorat", null), "/api/me");
        Assert.Equal(JsonValueKind.Null, inspektorat.GetProperty("agency").ValueKind);
        await f.Scenario(s => { s.Get.Url("/api/me"); s.StatusCodeShouldBe(401); });
    }

    [Fact]
    public async Task Agencies_StaffAndApproverSeeTheirOwn_InspektoratAndAdminSeeEvery()
    {
        var a = ApiClient.NewAgencyCode();
        var b = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(a, "Agency A");
        await f.RegisterAgencyAsync(b, "Agency B");

        foreach (var role in new[] { "staff", "approver" })
        {
            var own = await GetJson(await f.CreateUserAsync(role, a), "/api/agencies");
            Assert.Equal([a], own.EnumerateArray().Select(x => x.GetProperty("code").GetString()));
            Assert.Equal("Agency A", own[0].GetProperty("name").GetString());
        }
        foreach (var token in new[] { await f.CreateUserAsync("inspektorat", null), LedgerApiFactory.AdminToken })
        {
            var all = await GetJson(token, "/api/agencies");
            var codes = all.EnumerateArray().Select(x => x.GetProperty("code").GetString()!).ToList();
            Assert.Contains(a, codes);
            Assert.Contains(b, codes);
            Assert.Equal(codes.Order(StringComparer.Ordinal), codes);
        }
        await f.Scenario(s => { s.Get.Url("/api/agencies"); s.StatusCodeShouldBe(401); });
    }

    [Fact]
    public async Task Agencies_ListRenstrasAndEveryYear_WithTheCloseAndItsHash_AsOfAnInstant()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 90m });
        // A year stream outside every Renstra (seeded directly: the API refuses writes to a year no plan covers).
        await new SeedEvents(f).AppendAsync($"year-{s.Agency}-2031", s.Agency, [new RealizationRecorded("I8", "Y", 1m, null, null, null, null, null)]);
        var beforeClose = (await f.EventsAsync(s.YearStream))[^1].Timestamp;
        await Task.Delay(20);
        var hash = (await s.PostAsync(s.Approver, "years/2023/close", new { })).JsonAt("snapshotHash").GetString()!;
        var close = (await f.EventsAsync(s.YearStream)).Single(e => e.EventTypeName == "year.closed.v1");

        var agency = Agency(await GetJson(s.Staff, "/api/agencies"), s.Agency);
        Assert.Equal("BKPSDM Kota Surakarta", agency.GetProperty("name").GetString());
        var renstra = Assert.Single(agency.GetProperty("renstras").EnumerateArray());
        Assert.Equal(2021, renstra.GetProperty("periodStart").GetInt32());
        Assert.Equal(2026, renstra.GetProperty("periodEnd").GetInt32());
        Assert.Equal("Renstra BKPSDM Kota Surakarta 2021-2026", renstra.GetProperty("title").GetString());
        Assert.Equal("Perwali 29/2021", renstra.GetProperty("decree").GetString());

        var years = agency.GetProperty("years").EnumerateArray().ToDictionary(y => y.GetProperty("year").GetInt32());
        Assert.Equal([2021, 2022, 2023, 2024, 2025, 2026, 2031], years.Keys);
        Assert.True(years[2023].GetProperty("recorded").GetBoolean());
        Assert.True(years[2023].GetProperty("closed").GetBoolean());
        Assert.Equal(hash, years[2023].GetProperty("snapshotHash").GetString());
        Assert.Equal(close.Timestamp, years[2023].GetProperty("closedAt").GetDateTimeOffset());
        Assert.False(years[2024].GetProperty("recorded").GetBoolean());
        Assert.False(years[2024].GetProperty("closed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, years[2024].GetProperty("closedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, years[2024].GetProperty("snapshotHash").ValueKind);
        Assert.True(years[2031].GetProperty("recorded").GetBoolean());

        // As of an instant before the close: recorded, not closed. Before the agency existed: not listed.
        var then = Agency(await GetJson(s.Staff, $"/api/agencies?asOf={Uri.EscapeDataString(beforeClose.AddMilliseconds(1).ToString("O"))}"), s.Agency);
        var year2023 = then.GetProperty("years").EnumerateArray().Single(y => y.GetProperty("year").GetInt32() == 2023);
        Assert.True(year2023.GetProperty("recorded").GetBoolean());
        Assert.False(year2023.GetProperty("closed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, year2023.GetProperty("snapshotHash").ValueKind);
        var registered = (await f.EventsAsync($"agency-{s.Agency}"))[0].Timestamp;
        var before = await GetJson(s.Staff, $"/api/agencies?asOf={Uri.EscapeDataString(registered.AddSeconds(-1).ToString("O"))}");
        Assert.Equal(0, before.GetArrayLength());

        var bad = await GetJson(s.Staff, "/api/agencies?asOf=2024-01-15", 400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("asOf", out _));
    }

    [Fact]
    public async Task Indicators_OfTheRenstraInForce_InRenstraOrder_404And400LikeTheIndicatorRead()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var list = await GetJson(s.Staff, $"/api/agencies/{s.Agency}/indicators?year=2023");
        Assert.Equal(["I2", "I6", "I7", "I8", "I9"], list.EnumerateArray().Select(i => i.GetProperty("code").GetString()));
        var i6 = list[1];
        Assert.Equal("Persentase aparatur yang melakukan pelanggaran disiplin", i6.GetProperty("name").GetString());
        Assert.Equal("sasaran", i6.GetProperty("level").GetString());
        Assert.Equal("IKU", i6.GetProperty("kind").GetString());
        Assert.Equal("%", i6.GetProperty("unit").GetString());
        Assert.Equal("lower", i6.GetProperty("polarity").GetString());
        Assert.Equal(JsonValueKind.Null, i6.GetProperty("parent").ValueKind);
        Assert.Equal("higher", list[0].GetProperty("polarity").GetString());

        await GetJson(s.Staff, $"/api/agencies/{s.Agency}/indicators?year=2030", 404);
        await GetJson(LedgerApiFactory.AdminToken, $"/api/agencies/{ApiClient.NewAgencyCode()}/indicators?year=2023", 404);
        Assert.True((await GetJson(s.Staff, $"/api/agencies/{s.Agency}/indicators?year=abc", 400)).GetProperty("errors").TryGetProperty("year", out _));
        Assert.True((await GetJson(s.Staff, $"/api/agencies/{s.Agency}/indicators", 400)).GetProperty("errors").TryGetProperty("year", out _));
        var other = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(other);
        await GetJson(await f.CreateUserAsync("staff", other), $"/api/agencies/{s.Agency}/indicators?year=2023", 403);
        // As of before the plan was written: no Renstra covers the year.
        var created = (await f.EventsAsync($"renstra-{s.Agency}-2021"))[0].Timestamp;
        await GetJson(s.Staff, $"/api/agencies/{s.Agency}/indicators?year=2023&asOf={Uri.EscapeDataString(created.AddTicks(-10).ToString("O"))}", 404);
    }

    [Fact]
    public async Task Users_AdminOnly_ListsEveryUserWithRevokedAndNeverATokenOrItsHash()
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        var token = await f.CreateUserAsync("staff", agency, "Akan Dicabut");
        var id = (await GetJson(token, "/api/me")).GetProperty("id").GetGuid();
        await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { reason = "Pindah tugas" }).ToUrl($"/api/users/{id}/revoke");
            x.StatusCodeShouldBe(200);
        });

        var result = await f.Scenario(x => { x.WithBearerToken(LedgerApiFactory.AdminToken); x.Get.Url("/api/users"); x.StatusCodeShouldBe(200); });
        var text = result.ReadAsText();
        var user = JsonDocument.Parse(text).RootElement.EnumerateArray().Single(u => u.GetProperty("id").GetGuid() == id);
        Assert.Equal("Akan Dicabut", user.GetProperty("name").GetString());
        Assert.Equal("staff", user.GetProperty("role").GetString());
        Assert.Equal(agency, user.GetProperty("agency").GetString());
        Assert.True(user.GetProperty("revoked").GetBoolean());
        Assert.Equal(["id", "name", "nip", "role", "agency", "revoked"], user.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(Infrastructure.TokenAuthenticator.Hash(token), text);
        Assert.DoesNotContain(token, text);

        foreach (var role in new[] { "staff", "approver" })
            await GetJson(await f.CreateUserAsync(role, agency), "/api/users", 403);
        await GetJson(await f.CreateUserAsync("inspektorat", null), "/api/users", 403);
    }

    [Fact]
    public async Task IssueToken_ForAnExistingUser_OldTokenStopsWorking_NewOneIsTheSameUser_AndTheLogSaysWhoAndWhy()
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        var old = await f.CreateUserAsync("staff", agency, "Token Hilang");
        var id = (await GetJson(old, "/api/me")).GetProperty("id").GetGuid();

        var issued = await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { reason = "Token lost with the laptop" }).ToUrl($"/api/users/{id}/token");
            x.StatusCodeShouldBe(200);
            x.JsonPath("streamId").ShouldBe("users");
        });
        Assert.Equal(id, issued.JsonAt("id").GetGuid());
        var token = issued.JsonAt("token").GetString()!;
        Assert.NotEqual(old, token);

        await GetJson(old, "/api/me", 401);
        Assert.Equal(id, (await GetJson(token, "/api/me")).GetProperty("id").GetGuid());

        var e = (await f.PayloadsAsync("users")).Single(p => p.Type == "user.token-issued.v1" && p.Json.Contains(id.ToString()));
        Assert.Equal("Token lost with the laptop", e.Reason);
        Assert.Contains("\"role\": \"admin\"", e.ActorJson);
        Assert.Contains(Infrastructure.TokenAuthenticator.Hash(token), e.Json);
        Assert.DoesNotContain(token, e.Json);

        // Bad input and refusals.
        Assert.True((await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { }).ToUrl($"/api/users/{id}/token");
            x.ShouldReturnProblemDetails(400);
        })).JsonAt("errors").TryGetProperty("reason", out _));
        await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { reason = "x" }).ToUrl($"/api/users/{Guid.NewGuid()}/token");
            x.StatusCodeShouldBe(404);
        });
        await f.Scenario(x => { x.WithBearerToken(token); x.Post.Json(new { reason = "x" }).ToUrl($"/api/users/{id}/token"); x.StatusCodeShouldBe(403); });
        await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { reason = "Pindah tugas" }).ToUrl($"/api/users/{id}/revoke");
            x.StatusCodeShouldBe(200);
        });
        await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Post.Json(new { reason = "x" }).ToUrl($"/api/users/{id}/token");
            x.StatusCodeShouldBe(422);
            x.JsonPath("rule").ShouldBe("user.revoked");
        });
    }
}
