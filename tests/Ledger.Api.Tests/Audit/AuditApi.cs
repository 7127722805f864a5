using System.Text.Json;
using Ledger.Api.Tests.Writes;
using Alba;

namespace Ledger.Api.Tests.Audit;

/// <summary>GETs for the audit reads and the Surakarta 2023 year written through the write API as the document prints it.</summary>
internal static class AuditApi
{
    public static async Task<JsonElement> GetAsync(this LedgerApiFactory f, string token, string url, int status = 200)
    {
        var result = await f.Scenario(s =>
        {
            s.WithBearerToken(token);
            s.Get.Url(url);
            s.StatusCodeShouldBe(status);
        });
        return status == 200 ? result.Json.Clone() : default;
    }

    /// <summary>The ids of the writes the findings must cite.</summary>
    public sealed record Story(Surakarta S, Guid PkMurni, Guid PkPerubahan, Guid I2Realization, Guid ApbdMurni, Guid ApbdPerubahan,
        Guid Close, Guid LateCorrection, DateTimeOffset BeforeApbdPerubahan);

    /// <summary>
    /// Digest 001 §3, §5, §7: PK murni and perubahan, I2 75 with the printed capaian 100 (A5/T6), I8 and I9 realizations,
    /// APBD murni and perubahan (A25/T8/T10) as printed, spending, close (I6 and I7 without realization, A18/T7), then
    /// the 85 % correction after close (A12).
    /// </summary>
    public static async Task<Story> WriteSurakartaAsync(LedgerApiFactory f)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var murni = (await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201)).EventId();
        var perubahan = (await s.PostAsync(s.Approver, "pk/2023/revisions", Surakarta.PkPerubahan)).EventId();
        var i2 = (await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m, claimedCapaian = 100m })).EventId();
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 90m, numerator = 5273m, denominator = 5859m });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = 92.93m });
        var apbd = (await s.PostAsync(s.Staff, "budget/2023", Surakarta.ApbdMurni, 201)).EventId();
        await Task.Delay(50);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var apbdP = (await s.PostAsync(s.Staff, "budget/2023/revisions", Surakarta.ApbdPerubahan)).EventId();
        await s.PostAsync(s.Staff, "budget/2023/spending", new { code = "P1", amount = 8_149_751_661m, period = "Y" });
        await s.PostAsync(s.Staff, "budget/2023/spending", new { code = "P2", amount = 3_649_094_188m, period = "Y" });
        var close = (await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" })).EventId();
        var late = (await s.PostAsync(s.Staff, "realizations/corrections",
            new { indicator = "I2", year = 2023, period = "Y", value = 85m, reason = "Narasi L993: 85% (5.744 pegawai)" })).EventId();
        return new Story(s, murni, perubahan, i2, apbd, apbdP, close, late, before);
    }

    public static List<JsonElement> WithRule(this JsonElement findings, string rule) =>
        findings.EnumerateArray().Where(f => f.GetProperty("rule").GetString() == rule).ToList();

    public static List<Guid> Evidence(this JsonElement finding) =>
        finding.GetProperty("evidence").EnumerateArray().Select(e => e.GetGuid()).ToList();
}
