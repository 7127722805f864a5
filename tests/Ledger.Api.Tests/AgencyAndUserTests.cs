using Alba;

namespace Ledger.Api.Tests;

public sealed class AgencyAndUserTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task PostAgency_AsAdmin_Returns201WithStreamVersionEventIdsAndETag()
    {
        var code = ApiClient.NewAgencyCode();
        var result = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Post.Json(new { code, name = "BKPSDM Kota Surakarta" }).ToUrl("/api/agencies");
            s.StatusCodeShouldBe(201);
            s.Header("ETag").SingleValueShouldEqual("\"1\"");
            s.JsonPath("streamId").ShouldBe($"agency-{code}");
            s.JsonPath("version").ShouldBe(1);
        });
        var eventId = result.JsonAt("eventIds[0]").GetGuid();

        var events = await f.EventsAsync($"agency-{code}");
        var e = Assert.Single(events);
        Assert.Equal(eventId, e.Id);
        Assert.Equal("agency.registered.v1", e.EventTypeName);
        Assert.Equal("admin", Storage.EventHeaderValues.Json(e, Storage.EventHeaders.Actor)!.Value.GetProperty("role").GetString());
        Assert.Equal(code, Storage.EventHeaderValues.Text(e, Storage.EventHeaders.Agency));
    }

    [Fact]
    public async Task PostAgency_Twice_Returns422NamingTheRule()
    {
        var code = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(code);
        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Post.Json(new { code, name = "Again" }).ToUrl("/api/agencies");
            s.StatusCodeShouldBe(422);
            s.JsonPath("rule").ShouldBe("agency.already-registered");
        });
    }

    [Fact]
    public async Task PostAgency_MissingFields_Returns400WithFieldErrors()
    {
        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Post.Json(new { name = "" }).ToUrl("/api/agencies");
            s.ShouldReturnProblemDetails(400);
            s.JsonPath("errors.code").ShouldExist();
            s.JsonPath("errors.name").ShouldExist();
        });
    }

    [Fact]
    public async Task ApiCall_WithoutOrWithBadToken_Returns401()
    {
        await f.Scenario(s => { s.Post.Json(new { code = "x", name = "y" }).ToUrl("/api/agencies"); s.StatusCodeShouldBe(401); });
        await f.Scenario(s => { s.WithBearerToken("nope"); s.Post.Json(new { code = "x", name = "y" }).ToUrl("/api/agencies"); s.StatusCodeShouldBe(401); });
    }

    [Fact]
    public async Task CreatedStaffToken_Authenticates_ButCannotRegisterAgenciesOrTouchAnotherAgency()
    {
        var mine = ApiClient.NewAgencyCode();
        var other = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(mine);
        await f.RegisterAgencyAsync(other);
        var staff = await f.CreateUserAsync("staff", mine);

        await f.Scenario(s => { s.WithBearerToken(staff); s.Post.Json(new { code = "x-y", name = "y" }).ToUrl("/api/agencies"); s.StatusCodeShouldBe(403); });
        var scale = new { name = "Surakarta", effectiveFromYear = 2023, bands = new object[]
        {
            new { label = "Sangat Berhasil", min = 85, minInclusive = false, max = (decimal?)null, maxInclusive = false },
            new { label = "Kurang Berhasil", min = (decimal?)null, minInclusive = false, max = 85, maxInclusive = true },
        } };
        await f.Scenario(s => { s.WithBearerToken(staff); s.Put.Json(scale).ToUrl($"/api/agencies/{other}/rating-scale"); s.StatusCodeShouldBe(403); });
        await f.Scenario(s => { s.WithBearerToken(staff); s.Put.Json(scale).ToUrl($"/api/agencies/{mine}/rating-scale"); s.StatusCodeShouldBe(200); });
    }

    [Fact]
    public async Task PutRatingScale_SurakartaAsPrinted_Returns422NamingTheGapAt55()
    {
        var code = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(code);
        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Put.Json(new { name = "Surakarta LKjIP", effectiveFromYear = 2023, bands = new object[]
            {
                new { label = "Sangat Berhasil", min = 85, minInclusive = false, max = (decimal?)null, maxInclusive = false },
                new { label = "Berhasil", min = 70, minInclusive = false, max = 85, maxInclusive = true },
                new { label = "Cukup Berhasil", min = 55, minInclusive = false, max = 70, maxInclusive = true },
                new { label = "Kurang Berhasil", min = 0, minInclusive = true, max = 55, maxInclusive = false },
            } }).ToUrl($"/api/agencies/{code}/rating-scale");
            s.StatusCodeShouldBe(422);
            s.JsonPath("rule").ShouldBe("rating-scale.invalid");
            s.ContentShouldContain("55");
        });
    }
}
