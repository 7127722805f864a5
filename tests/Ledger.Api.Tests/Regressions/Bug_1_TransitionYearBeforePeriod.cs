using Alba;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Bug 1: writes looked for the Renstra covering a year from year + 1 down, reads from year down, so a plan whose
/// transition year is the year before its period accepted a realization that the indicator read then could not find.
/// Both now use Renstra.CandidatePeriodStarts.
/// </summary>
public sealed class Bug_1_TransitionYearBeforePeriod(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task Bug_1_RealizationInTransitionYearBeforePeriod_IsWrittenAndReadBack()
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        var staff = await f.CreateUserAsync("staff", agency);
        async Task Post(string path, object body, int status) =>
            await f.Scenario(s => { s.WithBearerToken(staff); s.Post.Json(body).ToUrl($"/api/agencies/{agency}/{path}"); s.StatusCodeShouldBe(status); });

        await Post("renstra", new { periodStart = 2025, periodEnd = 2029, title = "Renstra 2025-2029", transitionYear = 2024 }, 201);
        await Post("renstra/2025/indicators", new
        {
            code = "IKU-1", name = "Indeks Profesionalitas ASN", level = "sasaran", kind = "IKU", unit = "nilai", polarity = "higher",
            aggregation = "annual", targets = new Dictionary<string, decimal> { ["2024"] = 70, ["2025"] = 72 },
        }, 201);
        await Post("realizations", new { indicator = "IKU-1", year = 2024, period = "Y", value = 63 }, 200);

        var read = await f.Scenario(s => { s.WithBearerToken(staff); s.Get.Url($"/api/agencies/{agency}/indicators/IKU-1?year=2024"); s.StatusCodeShouldBe(200); });
        Assert.Equal(70m, read.JsonAt("targets.renstra").GetDecimal());
        Assert.Equal(90m, read.JsonAt("capaian").GetDecimal());
    }
}
