using System.Text.Json;
using Alba;

namespace Ledger.Api.Tests.Reads;

public sealed class PkReadTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private SeedEvents Seed => new(f);

    private Task<IScenarioResult> Get(string url, int status = 200) => f.Scenario(s =>
    {
        s.WithBearerToken(LedgerApiFactory.AdminToken);
        s.Get.Url(url);
        s.StatusCodeShouldBe(status);
    });

    private static decimal? TargetOf(JsonElement targets, string indicator) =>
        targets.EnumerateArray().Where(t => t.GetProperty("indicator").GetString() == indicator)
            .Select(t => (decimal?)t.GetProperty("target").GetDecimal()).SingleOrDefault();

    [Fact]
    public async Task GetPk_SurakartaMurniThenPerubahan_ReturnsTwoVersionsAndThePerubahanInForce()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        await Seed.YearAsync(agency, 2023, SurakartaSeed.PkMurni, SurakartaSeed.PkPerubahan);

        var r = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/pk/2023");
            s.StatusCodeShouldBe(200);
            s.JsonPath("number").ShouldBe(1);
            s.JsonPath("kind").ShouldBe("perubahan");
            s.JsonPath("versions[0].number").ShouldBe(0);
            s.JsonPath("versions[0].kind").ShouldBe("murni");
            s.JsonPath("versions[0].signedOn").ShouldBe("2023-01-02");
            s.JsonPath("versions[0].reason").ShouldBe<object?>(null);
            s.JsonPath("versions[0].ground").ShouldBe<object?>(null);
            s.JsonPath("versions[1].number").ShouldBe(1);
            s.JsonPath("versions[1].kind").ShouldBe("perubahan");
            s.JsonPath("versions[1].signedOn").ShouldBe("2023-10-02");
            s.JsonPath("versions[1].reason").ShouldBe(SurakartaSeed.PerubahanReason);
            s.JsonPath("versions[1].ground").ShouldBe("budget-change");
            s.JsonPath("versions[1].signer").ShouldBe(new { name = SurakartaSeed.Kepala.Name, nip = SurakartaSeed.Kepala.Nip, position = SurakartaSeed.Kepala.Position });
            s.JsonPath("version").ShouldBe(2);
            s.Header("ETag").SingleValueShouldEqual("\"2\"");
        });

        Assert.Equal(2, r.JsonAt("versions").GetArrayLength());
        var murni = r.JsonAt("versions[0].targets");
        var perubahan = r.JsonAt("versions[1].targets");
        Assert.Equal((1.48m, 90m, 90m, 0.10m, 68.58m),
            (TargetOf(murni, "I7"), TargetOf(murni, "I2"), TargetOf(murni, "I8"), TargetOf(murni, "I6"), TargetOf(murni, "I9")));
        Assert.Equal((1.85m, 93m, 93m, 0.10m, 68.58m),
            (TargetOf(perubahan, "I7"), TargetOf(perubahan, "I2"), TargetOf(perubahan, "I8"), TargetOf(perubahan, "I6"), TargetOf(perubahan, "I9")));
        Assert.Equal(93m, TargetOf(r.JsonAt("targets"), "I2"));
        // Provenance: each PK target carries the Renstra target of the year when it was signed (I2: 75).
        Assert.Equal(75m, r.JsonAt("versions[0].targets").EnumerateArray()
            .Single(t => t.GetProperty("indicator").GetString() == "I2").GetProperty("renstraTarget").GetDecimal());
    }

    [Theory]
    [InlineData("?from=0&to=1")]
    [InlineData("")]
    public async Task GetPkDiff_MurniToPerubahan_ShowsEachIndicatorsTwoTargetsThreeChanged(string query)
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        await Seed.YearAsync(agency, 2023, SurakartaSeed.PkMurni, SurakartaSeed.PkPerubahan);

        var r = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/pk/2023/diff{query}");
            s.StatusCodeShouldBe(200);
            s.JsonPath("from").ShouldBe(0);
            s.JsonPath("to").ShouldBe(1);
            s.JsonPath("fromKind").ShouldBe("murni");
            s.JsonPath("toKind").ShouldBe("perubahan");
            s.JsonPath("changedCount").ShouldBe(3);
        });

        var rows = r.JsonAt("indicators").EnumerateArray()
            .ToDictionary(x => x.GetProperty("indicator").GetString()!, x => (
                From: x.GetProperty("from").GetDecimal(), To: x.GetProperty("to").GetDecimal(), Changed: x.GetProperty("changed").GetBoolean()));
        Assert.Equal(5, rows.Count);
        Assert.Equal((1.48m, 1.85m, true), rows["I7"]);
        Assert.Equal((90m, 93m, true), rows["I2"]);
        Assert.Equal((90m, 93m, true), rows["I8"]);
        Assert.Equal((0.10m, 0.10m, false), rows["I6"]);
        Assert.Equal((68.58m, 68.58m, false), rows["I9"]);
        var i7 = r.JsonAt("indicators").EnumerateArray().Single(x => x.GetProperty("indicator").GetString() == "I7");
        Assert.Equal(0.37m, i7.GetProperty("delta").GetDecimal());
        Assert.Equal("Persentase aparatur dengan nilai hasil capaian kinerja di atas 90", i7.GetProperty("name").GetString());
    }

    [Fact]
    public async Task GetPkDiff_VersionThatDoesNotExist_Returns404AndMalformedVersion400()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        await Seed.YearAsync(agency, 2023, SurakartaSeed.PkMurni, SurakartaSeed.PkPerubahan);

        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/pk/2023/diff?from=0&to=2");
            s.ShouldReturnProblemDetails(404);
            s.ContentShouldContain("no version 2");
        });
        foreach (var (query, field) in new[] { ("from=x", "from"), ("to=-1", "to"), ("to=1.5", "to") })
        {
            await f.Scenario(s =>
            {
                s.WithBearerToken(LedgerApiFactory.AdminToken);
                s.Get.Url($"/api/agencies/{agency}/pk/2023/diff?{query}");
                s.StatusCodeShouldBe(400);
                s.JsonPath($"errors.{field}").ShouldExist();
            });
        }
    }

    [Fact]
    public async Task GetPk_AsOfBeforeThePerubahan_ShowsOnlyTheMurni()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        var murni = await Seed.YearAsync(agency, 2023, SurakartaSeed.PkMurni);
        var t = Uri.EscapeDataString(murni.RecordedAt.AddMilliseconds(1).ToString("O"));
        await Task.Delay(50);
        await Seed.YearAsync(agency, 2023, SurakartaSeed.PkPerubahan);

        var then = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/pk/2023?asOf={t}");
            s.StatusCodeShouldBe(200);
            s.JsonPath("number").ShouldBe(0);
            s.JsonPath("kind").ShouldBe("murni");
            s.Header("ETag").SingleValueShouldEqual("\"1\"");
        });
        Assert.Equal(1, then.JsonAt("versions").GetArrayLength());
        Assert.Equal(90m, TargetOf(then.JsonAt("targets"), "I2"));

        // The diff as of then has no version 1 yet; now it has.
        await Get($"/api/agencies/{agency}/pk/2023/diff?from=0&to=1&asOf={t}", 404);
        var now = await Get($"/api/agencies/{agency}/pk/2023");
        Assert.Equal(2, now.JsonAt("versions").GetArrayLength());

        // And the indicator read as of then measures I2 against the murni.
        var i2 = await Get($"/api/agencies/{agency}/indicators/I2?year=2023&asOf={t}");
        Assert.Equal(("pk-murni", 90m), (i2.JsonAt("targets.source").GetString(), i2.JsonAt("targets.pk").GetDecimal()));
    }

    [Fact]
    public async Task GetPk_NoPkSignedOrUnknownAgency_Returns404()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        await Get($"/api/agencies/{agency}/pk/2023", 404);
        await Get($"/api/agencies/{agency}/pk/2023/diff", 404);
        await Get($"/api/agencies/{ApiClient.NewAgencyCode()}/pk/2023", 404);
    }
}
