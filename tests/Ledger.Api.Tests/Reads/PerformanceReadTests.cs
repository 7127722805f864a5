using System.Text.Json;
using Ledger.Testing.Approvals;
using Alba;

namespace Ledger.Api.Tests.Reads;

public sealed class PerformanceReadTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private SeedEvents Seed => new(f);

    private Task<IScenarioResult> Get(string url, int status = 200) => f.Scenario(s =>
    {
        s.WithBearerToken(LedgerApiFactory.AdminToken);
        s.Get.Url(url);
        s.StatusCodeShouldBe(status);
    });

    private static JsonElement Row(IScenarioResult r, string path, string code) =>
        r.JsonAt(path).EnumerateArray().Single(x => x.GetProperty("code").GetString() == code);

    [Fact]
    public async Task GetPerformance_Surakarta2023_HasThisYearLastYearEndTargetAndBudgetAbsorption()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);

        var r = await Get($"/api/agencies/{agency}/performance/2023");

        Assert.Equal(["I1", "I2", "I6", "I6R", "I7", "I8", "I9"],
            r.JsonAt("indicators").EnumerateArray().Select(x => x.GetProperty("code").GetString()));

        // Seed 001 T1 / T2: Indeks Merit 2023 0,80 → 0,75 = 93,75 Sangat Berhasil; 2022 0,75 → 0,65 = 86,67.
        var merit = Row(r, "indicators", "I1");
        var now = merit.GetProperty("current");
        Assert.Equal((2023, 0.80m, 0.75m, 93.75m, "Sangat Berhasil"),
            (now.GetProperty("year").GetInt32(), now.GetProperty("target").GetDecimal(), now.GetProperty("realization").GetDecimal(),
                now.GetProperty("capaian").GetDecimal(), now.GetProperty("predikat").GetString()));
        var before = merit.GetProperty("previous");
        Assert.Equal((2022, 0.75m, 0.65m, 86.67m, "Sangat Berhasil"),
            (before.GetProperty("year").GetInt32(), before.GetProperty("target").GetDecimal(), before.GetProperty("realization").GetDecimal(),
                before.GetProperty("capaianDisplay").GetDecimal(), before.GetProperty("predikat").GetString()));
        // Progress toward the Renstra end target 0,85: 88,24 % (T1), not the printed 100.
        Assert.Equal(0.85m, merit.GetProperty("endTarget").GetDecimal());
        Assert.Equal(88.24m, merit.GetProperty("progressDisplay").GetDecimal());

        // I2 is measured against the PK perubahan; 2022 against the Renstra 70 with realization 72.
        var i2 = Row(r, "indicators", "I2");
        Assert.Equal((93m, "pk-perubahan-1"), (i2.GetProperty("current").GetProperty("target").GetDecimal(),
            i2.GetProperty("current").GetProperty("targetSource").GetString()));
        Assert.Equal((70m, 72m, 102.86m), (i2.GetProperty("previous").GetProperty("target").GetDecimal(),
            i2.GetProperty("previous").GetProperty("realization").GetDecimal(), i2.GetProperty("previous").GetProperty("capaianDisplay").GetDecimal()));

        // I6: a PK target and no realization: no capaian, and the row says why.
        var i6 = Row(r, "indicators", "I6").GetProperty("current");
        Assert.Equal(JsonValueKind.Null, i6.GetProperty("capaian").ValueKind);
        Assert.Equal("no realization", i6.GetProperty("capaianNotComputedReason").GetString());

        // Seed 001 T9: Program Penunjang pagu 8.460.444.119, spent 8.149.751.661 → absorption 96,33 %, efficiency 310.692.458 (3,67 %).
        var penunjang = Row(r, "budget", "1");
        Assert.Equal((15_625_599_024m, 8_460_444_119m, 8_149_751_661m, 310_692_458m),
            (penunjang.GetProperty("paguMurni").GetDecimal(), penunjang.GetProperty("pagu").GetDecimal(),
                penunjang.GetProperty("spent").GetDecimal(), penunjang.GetProperty("efficiency").GetDecimal()));
        Assert.Equal(8_149_751_661m / 8_460_444_119m * 100m, penunjang.GetProperty("absorption").GetDecimal());
        Assert.Equal(96.33m, penunjang.GetProperty("absorptionDisplay").GetDecimal());
        Assert.Equal(3.67m, penunjang.GetProperty("efficiencyPercentDisplay").GetDecimal());
        Assert.False(penunjang.GetProperty("exceedsPagu").GetBoolean());

        Assert.Equal(8_460_444_119m + 3_855_501_620m, r.JsonAt("budgetTotals.pagu").GetDecimal());
        Assert.Equal(r.JsonAt("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header("ETag")!.Trim('"'));
        Assert.True(r.JsonAt("previousVersion").GetInt64() > 0);
    }

    [Fact]
    public async Task GetPerformance_AsOfBeforeSpending_ShowsNoSpendingYet()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        var enacted = await Seed.YearAsync(agency, 2023, SurakartaSeed.BudgetMurni);
        var t = Uri.EscapeDataString(enacted.RecordedAt.AddMilliseconds(1).ToString("O"));
        await Task.Delay(50);
        await Seed.YearAsync(agency, 2023, SurakartaSeed.BudgetPerubahan);
        await Seed.YearAsync(agency, 2023, new Ledger.Domain.PerformanceYears.RecordingSpending.RecordSpending("1", 8_149_751_661m,
            Ledger.Domain.Capaian.Period.Y));

        var then = await Get($"/api/agencies/{agency}/performance/2023?asOf={t}");
        var line = Row(then, "budget", "1");
        Assert.Equal((15_625_599_024m, 15_625_599_024m, 0m), (line.GetProperty("paguMurni").GetDecimal(), line.GetProperty("pagu").GetDecimal(),
            line.GetProperty("spent").GetDecimal()));

        var now = Row(await Get($"/api/agencies/{agency}/performance/2023"), "budget", "1");
        Assert.Equal((8_460_444_119m, 8_149_751_661m), (now.GetProperty("pagu").GetDecimal(), now.GetProperty("spent").GetDecimal()));
    }

    [Fact]
    public async Task GetPerformance_UnknownAgencyOrYearWithNothing_Returns404()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        await Get($"/api/agencies/{ApiClient.NewAgencyCode()}/performance/2023", 404);
        await Get($"/api/agencies/{agency}/performance/2040", 404);
        await Get($"/api/agencies/{agency}/performance/2023?asOf=not-a-date", 400);
    }

    [Fact]
    public async Task GetPerformance_Surakarta2023_MatchesTheApprovedSnapshot()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);

        var r = await Get($"/api/agencies/{agency}/performance/2023");

        // The agency code is random per run; versions depend only on the seed, so they stay in the snapshot.
        await Approvals.VerifyJson(r.Text, new VerifySettings().ScrubMember("agency"));
    }
}
