using System.Reflection;
using System.Text.Json;
using Alba;
using Ledger.Api.Commands;
using Ledger.Api.Infrastructure.Language;
using Ledger.Api.Tests.Writes;
using Ledger.Domain;

namespace Ledger.Api.Tests.Language;

/// <summary>
/// Issue 12 item 8 (API part): the same bad request without and with <c>Accept-Language: id</c>. Without: the English problem
/// exactly as before (no detailEn). With: detail in Indonesian, the English detail in detailEn, title/status/rule/errors keys
/// unchanged, the form fields' errors in Indonesian.
/// </summary>
public sealed class IndonesianProblemTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private async Task<(JsonElement English, JsonElement Indonesian)> BothAsync(
        string token, string url, object body, int status, params (string Name, string Value)[] headers)
    {
        async Task<JsonElement> Post(bool id) => (await f.Scenario(x =>
        {
            x.WithBearerToken(token);
            x.WithRequestHeaders(headers);
            if (id) x.WithRequestHeader("Accept-Language", "id-ID,id;q=0.9,en;q=0.8");
            x.Post.Json(body).ToUrl(url);
            x.StatusCodeShouldBe(status);
        })).ReadAsJson<JsonElement>();
        return (await Post(false), await Post(true));
    }

    private static void SameCodes(JsonElement en, JsonElement id)
    {
        Assert.False(en.TryGetProperty("detailEn", out _), "no detailEn without Accept-Language: id");
        foreach (var key in new[] { "title", "status", "type", "rule" })
            Assert.Equal(en.TryGetProperty(key, out var a) ? a.ToString() : null, id.TryGetProperty(key, out var b) ? b.ToString() : null);
        if (en.TryGetProperty("detail", out var detail)) Assert.Equal(detail.GetString(), id.GetProperty("detailEn").GetString());
    }

    [Fact]
    public async Task Correction_MissingFields_400_ErrorsPerFieldInIndonesian()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var url = $"/api/agencies/{s.Agency}/realizations/corrections";

        var (en, id) = await BothAsync(s.Staff, url, new { indicator = "I2", year = 2023, period = "Q9" }, 400);

        SameCodes(en, id);
        Assert.False(en.TryGetProperty("detail", out _));
        Assert.Equal("The command is not valid; see the fields in errors.", id.GetProperty("detailEn").GetString());
        Assert.Equal("Perintah tidak valid; periksa isian pada errors.", id.GetProperty("detail").GetString());
        Assert.Equal(Keys(en), Keys(id));
        Assert.Equal(["'Value' is required."], Messages(en, "value"));
        Assert.Equal(["Nilai wajib diisi."], Messages(id, "value"));
        Assert.Equal(["Alasan wajib diisi."], Messages(id, "reason"));
        Assert.Equal(["Periode harus salah satu dari Q1, Q2, Q3, Q4, S1, S2, Y."], Messages(id, "period"));
    }

    [Fact]
    public async Task Realization_TooLongAndOutOfRange_400_TranslatedWithTheirNumbers()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var url = $"/api/agencies/{s.Agency}/realizations";

        var (en, id) = await BothAsync(s.Staff, url,
            new { indicator = "I2", year = 1999, period = "Y", value = 2e15m, evidence = new string('x', 2001) }, 400);

        SameCodes(en, id);
        Assert.Equal(["Bukti dukung paling panjang 2000 karakter; yang dikirim 2001 karakter."], Messages(id, "evidence"));
        Assert.Equal(["Nilai di luar rentang: nilai mutlaknya paling besar 1e15."], Messages(id, "value"));
        Assert.Equal(["Tahun wajib diisi dengan tahun dari 2000 sampai 2100."], Messages(id, "year"));
        Assert.NotEqual(Messages(en, "year"), Messages(id, "year"));
    }

    [Fact]
    public async Task PkPerubahan_StaleIfMatch_412_VersionsInIndonesian()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m }); // version 2

        var (en, id) = await BothAsync(s.Approver, $"/api/agencies/{s.Agency}/pk/2023/revisions", Surakarta.PkPerubahan, 412, ("If-Match", "\"1\""));

        SameCodes(en, id);
        Assert.Equal("Versi tidak cocok: diharapkan 1, saat ini 2. Muat ulang data, lalu putuskan lagi.", id.GetProperty("detail").GetString());
        Assert.Equal((1, 2), (id.GetProperty("expectedVersion").GetInt32(), id.GetProperty("actualVersion").GetInt32()));
    }

    [Fact]
    public async Task Realization_ClosedYear_409_YearInTheIndonesianDetail()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" });

        var (en, id) = await BothAsync(s.Staff, $"/api/agencies/{s.Agency}/realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m }, 409);

        SameCodes(en, id);
        Assert.Equal("year.closed", id.GetProperty("rule").GetString());
        Assert.Equal("Tahun 2023 sudah ditutup; perubahan tidak dapat dicatat, kecuali koreksi realisasi dengan alasan.", id.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Correction_BlankReason_422_RuleTextInIndonesian()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m });

        var (en, id) = await BothAsync(s.Staff, $"/api/agencies/{s.Agency}/realizations/corrections",
            new { indicator = "I2", year = 2023, period = "Y", value = 76m, reason = " " }, 422);

        SameCodes(en, id);
        Assert.Equal("realization.correction.reason-required", id.GetProperty("rule").GetString());
        Assert.Equal("A correction needs a reason.", en.GetProperty("detail").GetString());
        Assert.Equal("Alasan wajib diisi untuk koreksi.", id.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Read_UnknownAgency_404_GenericIndonesianWithTheEnglishKept()
    {
        var url = $"/api/agencies/{ApiClient.NewAgencyCode()}/performance/2023";
        async Task<JsonElement> Get(string? language) => (await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            if (language is not null) x.WithRequestHeader("Accept-Language", language);
            x.Get.Url(url);
            x.StatusCodeShouldBe(404);
        })).ReadAsJson<JsonElement>();

        var en = await Get(null);
        var id = await Get("id");
        var english = await Get("en-US,en;q=0.9,id;q=0.8"); // Indonesian accepted, but not preferred

        SameCodes(en, id);
        Assert.Equal("Data yang diminta tidak ditemukan.", id.GetProperty("detail").GetString());
        Assert.Equal(en.GetProperty("detail").GetString(), english.GetProperty("detail").GetString());
        Assert.False(english.TryGetProperty("detailEn", out _));
    }

    private static string[] Keys(JsonElement problem) => problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();

    private static string[] Messages(JsonElement problem, string field) =>
        problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString() ?? "").ToArray();
}

/// <summary>Every rule a command can be refused with has an Indonesian text: adding a rule without one fails here.</summary>
public sealed class RuleTextsTests
{
    public static IEnumerable<object[]> AllRules()
    {
        var domain = typeof(RuleCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);
        string[] pipeline = ["concurrency.race-lost", CommandMiddleware.KeyReusedRule, Ledger.Api.Features.PerformanceYears.ClosingYearEndpoints.HeadUnsettledRule];
        return domain.Concat(pipeline).Select(r => new object[] { r });
    }

    [Theory]
    [MemberData(nameof(AllRules))]
    public void EveryRuleCode_HasAnIndonesianSentence(string rule)
    {
        var text = RuleTexts.For(rule, null);
        Assert.False(string.IsNullOrWhiteSpace(text), $"No Indonesian text for rule '{rule}' (Infrastructure/Language/RuleTexts.cs).");
        Assert.EndsWith(".", text);
    }

    [Fact]
    public void RuleTexts_NameNoRuleThatDoesNotExist()
    {
        var known = AllRules().Select(r => (string)r[0]).ToHashSet();
        Assert.All(RuleTexts.Codes, c => Assert.Contains(c, known));
    }

    [Theory]
    [InlineData("year.closed", "2024 is closed; only realization corrections with a reason may still be recorded.",
        "Tahun 2024 sudah ditutup; perubahan tidak dapat dicatat, kecuali koreksi realisasi dengan alasan.")]
    [InlineData("year.not-ended", "2030 has not ended (today is 2026-03-01): it can be closed from 2031-01-01 on.",
        "Tahun 2030 belum berakhir (hari ini 2026-03-01); tahun ini baru dapat ditutup mulai 1 Januari tahun berikutnya.")]
    [InlineData("year.closed", "The year is closed.", "Tahun ini sudah ditutup; perubahan tidak dapat dicatat, kecuali koreksi realisasi dengan alasan.")]
    public void ParticularsOfTheEnglishMessage_AreCarriedOrTheWholePlainSentenceIsUsed(string rule, string english, string indonesian) =>
        Assert.Equal(indonesian, RuleTexts.For(rule, english));
}
