using System.Text.Json;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Alba;

namespace Ledger.Api.Tests.Reads;

public sealed class IndicatorReadTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private SeedEvents Seed => new(f);

    private Task<IScenarioResult> Get(string url, int status = 200) => f.Scenario(s =>
    {
        s.WithBearerToken(LedgerApiFactory.AdminToken);
        s.Get.Url(url);
        s.StatusCodeShouldBe(status);
    });

    [Fact]
    public async Task GetIndicator_IndeksMerit2023_ReturnsCapaian93_75RatedSangatBerhasilWithETag()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);

        var r = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I1?year=2023");
            s.StatusCodeShouldBe(200);
            s.JsonPath("code").ShouldBe("I1");
            s.JsonPath("name").ShouldBe("Indeks Merit");
            s.JsonPath("unit").ShouldBe("indeks");
            s.JsonPath("polarity").ShouldBe("higher");
            s.JsonPath("targets.renstra").ShouldBe(0.80m);
            s.JsonPath("targets.pkMurni").ShouldBe<object?>(null);
            s.JsonPath("targets.pk").ShouldBe<object?>(null);
            s.JsonPath("targets.source").ShouldBe("renstra");
            s.JsonPath("realizations").ShouldBe(new Dictionary<string, decimal> { ["Y"] = 0.75m });
            s.JsonPath("annualValue").ShouldBe(0.75m);
            s.JsonPath("capaian").ShouldBe(93.75m);
            s.JsonPath("capaianDisplay").ShouldBe(93.75m);
            s.JsonPath("capaianMethod").ShouldBe("R/T×100");
            s.JsonPath("capaianPolicy").ShouldBe("capaian-v1");
            s.JsonPath("predikat").ShouldBe("Sangat Berhasil");
            s.JsonPath("claimedCapaian").ShouldBe(93.75m);
            s.JsonPath("aggregation").ShouldBe("annual");
        });
        var version = r.JsonAt("version").GetInt64();
        Assert.True(version > 0);
        Assert.Equal($"\"{version}\"", r.Header("ETag"));
    }

    [Fact]
    public async Task GetIndicator_IndeksMerit2022_ReturnsFullPrecisionCapaianAndDisplay86_67()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);

        var r = await Get($"/api/agencies/{agency}/indicators/I1?year=2022");

        // 0,65 / 0,75 × 100 = 86,666…: the number is exact decimal (28 significant digits), never a double, never rounded.
        Assert.Equal(0.65m * 100m / 0.75m, r.JsonAt("capaian").GetDecimal());
        Assert.StartsWith("86.6666666666666666", r.JsonAt("capaian").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(86.67m, r.JsonAt("capaianDisplay").GetDecimal());
        Assert.Equal("Sangat Berhasil", r.JsonAt("predikat").GetString());
        Assert.Equal(0.75m, r.JsonAt("targets.renstra").GetDecimal());
    }

    [Fact]
    public async Task GetIndicator_I2AfterPkPerubahan_MeasuresAgainstLatestPk93AndKeepsPkMurniVisible()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);

        var r = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I2?year=2023");
            s.StatusCodeShouldBe(200);
            s.JsonPath("targets.renstra").ShouldBe(75m);
            s.JsonPath("targets.pkMurni").ShouldBe(90m);
            s.JsonPath("targets.pk").ShouldBe(93m);
            s.JsonPath("targets.source").ShouldBe("pk-perubahan-1");
            s.JsonPath("capaianDisplay").ShouldBe(80.65m);
            s.JsonPath("predikat").ShouldBe("Berhasil");
            s.JsonPath("claimedCapaian").ShouldBe(100m);
        });
        Assert.Equal(75m * 100m / 93m, r.JsonAt("capaian").GetDecimal());
    }

    [Fact]
    public async Task GetIndicator_LowerIsBetter_UsesTheIndicatorsOwnFormula()
    {
        // Seed 001 T7's hypothetical realization 0,08 against the PK target 0,10: (2T − R)/T = 120; T/R = 125.
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        await Seed.YearAsync(agency, 2023, SurakartaSeed.PkMurni,
            new RecordRealization("I6", Period.Y, 0.08m), new RecordRealization("I6R", Period.Y, 0.08m));

        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I6?year=2023");
            s.StatusCodeShouldBe(200);
            s.JsonPath("polarity").ShouldBe("lower");
            s.JsonPath("lowerFormula").ShouldBe("inverse-2t");
            s.JsonPath("targets.source").ShouldBe("pk-murni");
            s.JsonPath("targets.inForce").ShouldBe(0.10m);
            s.JsonPath("capaian").ShouldBe(120m);
            s.JsonPath("capaianMethod").ShouldBe("(2T−R)/T×100");
            s.JsonPath("predikat").ShouldBe("Sangat Berhasil");
        });
        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I6R?year=2023");
            s.StatusCodeShouldBe(200);
            s.JsonPath("lowerFormula").ShouldBe("ratio-inverse");
            s.JsonPath("targets.source").ShouldBe("renstra");
            s.JsonPath("capaian").ShouldBe(125m);
            s.JsonPath("capaianMethod").ShouldBe("T/R×100");
        });
    }

    [Fact]
    public async Task GetIndicator_NoRealization_CapaianIsNullWithAReasonNotZero()
    {
        // Seed 001 T7: I6 has a PK target and no realization anywhere.
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);

        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I6?year=2023");
            s.StatusCodeShouldBe(200);
            s.JsonPath("targets.pk").ShouldBe(0.10m);
            s.JsonPath("realizations").ShouldBe(new Dictionary<string, decimal>());
            s.JsonPath("annualValue").ShouldBe<object?>(null);
            s.JsonPath("capaian").ShouldBe<object?>(null);
            s.JsonPath("capaianDisplay").ShouldBe<object?>(null);
            s.JsonPath("capaianNotComputedReason").ShouldBe(CapaianCalculator.ReasonNoRealization);
            s.JsonPath("capaianMethod").ShouldBe("(2T−R)/T×100");
            s.JsonPath("predikat").ShouldBe<object?>(null);
        });
    }

    [Fact]
    public async Task GetIndicator_AsOfBeforeTheRealization_ShowsNoRealizationButNowDoes()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        var before = await Seed.YearAsync(agency, 2023, SurakartaSeed.PkMurni);
        var t = before.RecordedAt.AddMilliseconds(1);
        await Task.Delay(50);
        await Seed.YearAsync(agency, 2023, new RecordRealization("I2", Period.Y, 75m));

        var then = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I2?year=2023&asOf={Uri.EscapeDataString(t.ToString("O"))}");
            s.StatusCodeShouldBe(200);
            s.JsonPath("realizations").ShouldBe(new Dictionary<string, decimal>());
            s.JsonPath("capaian").ShouldBe<object?>(null);
            s.JsonPath("targets.pk").ShouldBe(90m);
            s.JsonPath("version").ShouldBe(1);
            s.Header("ETag").SingleValueShouldEqual("\"1\"");
        });
        Assert.Equal(t, then.JsonAt("asOf").GetDateTimeOffset());

        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I2?year=2023");
            s.StatusCodeShouldBe(200);
            s.JsonPath("realizations.Y").ShouldBe(75m);
            s.JsonPath("capaianDisplay").ShouldBe(83.33m);
            s.JsonPath("version").ShouldBe(2);
            s.JsonPath("asOf").ShouldBe<object?>(null);
        });
    }

    [Fact]
    public async Task GetIndicator_TwoRenstrasCoverTheYear_UsesTheNewerPlan()
    {
        // 2025 is in the Renstra 2021–2026 and in a newer Renstra 2025–2029: the newer plan supersedes for shared years.
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        await Seed.RenstraAsync(agency, 2025, new CreateRenstra(agency, 2025, 2029, "Renstra 2025-2029"));
        await Seed.RenstraAsync(agency, 2025, new AddIndicator("I1", "Indeks Sistem Merit", IndicatorLevel.Sasaran, IndicatorKind.Iku, null,
            "indeks", Polarity.Higher, null, Aggregation.Annual, null, null, new Dictionary<int, decimal> { [2025] = 0.90m }, 0.95m));

        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I1?year=2025");
            s.StatusCodeShouldBe(200);
            s.JsonPath("name").ShouldBe("Indeks Sistem Merit");
            s.JsonPath("renstraPeriodStart").ShouldBe(2025);
            s.JsonPath("targets.renstra").ShouldBe(0.90m);
        });
        await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I1?year=2024");
            s.StatusCodeShouldBe(200);
            s.JsonPath("name").ShouldBe("Indeks Merit");
            s.JsonPath("renstraPeriodStart").ShouldBe(2021);
        });
    }

    [Fact]
    public async Task GetIndicator_AsOfBeforeTheAgencyExisted_Returns404()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        await Get($"/api/agencies/{agency}/indicators/I1?year=2023&asOf=2000-01-01T00:00:00Z", 404);
    }

    [Fact]
    public async Task GetIndicator_AsOfWithUnencodedPlusOffset_IsReadAsThatOffset()
    {
        // "+07:00" typed into a URL arrives as " 07:00"; the read puts the '+' back rather than failing or guessing.
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        var r = await Get($"/api/agencies/{agency}/indicators/I1?year=2023&asOf=2999-01-01T07:00:00+07:00");
        Assert.Equal(new DateTimeOffset(2999, 1, 1, 0, 0, 0, TimeSpan.Zero), r.JsonAt("asOf").GetDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(7), r.JsonAt("asOf").GetDateTimeOffset().Offset);
    }

    [Theory]
    [InlineData("", "year")]
    [InlineData("?year=", "year")]
    [InlineData("?year=twenty", "year")]
    [InlineData("?year=99999", "year")]
    [InlineData("?year=2023&asOf=yesterday", "asOf")]
    [InlineData("?year=2023&asOf=2024-01-15", "asOf")]
    [InlineData("?year=2023&asOf=2024-01-15T00:00:00", "asOf")]
    public async Task GetIndicator_BadQuery_Returns400NamingTheField(string query, string field)
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        var r = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url($"/api/agencies/{agency}/indicators/I1{query}");
            s.ShouldReturnProblemDetails(400);
            s.JsonPath($"errors.{field}").ShouldExist();
        });
        Assert.Equal(JsonValueKind.Array, r.JsonAt($"errors.{field}").ValueKind);
    }

    [Fact]
    public async Task GetIndicator_UnknownAgencyIndicatorOrUncoveredYear_Returns404ProblemDetails()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        foreach (var url in new[]
                 {
                     $"/api/agencies/{ApiClient.NewAgencyCode()}/indicators/I1?year=2023",
                     $"/api/agencies/{agency}/indicators/NOPE?year=2023",
                     $"/api/agencies/{agency}/indicators/I1?year=2030",
                     $"/api/agencies/{new string('a', 250)}/indicators/I1?year=2023",
                 })
        {
            await f.Scenario(s =>
            {
                s.WithBearerToken(LedgerApiFactory.AdminToken);
                s.Get.Url(url);
                s.ShouldReturnProblemDetails(404);
            });
        }
    }
}
