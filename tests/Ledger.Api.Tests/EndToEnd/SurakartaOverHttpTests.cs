using Ledger.Api.Tests.Writes;
using Alba;

namespace Ledger.Api.Tests.EndToEnd;

/// <summary>
/// Issue 3's acceptance story, over HTTP only (no store access): the Surakarta 2023 PK murni and PK perubahan are
/// entered through the write endpoints and read back as two versions with their diff, and the capaian of the read
/// matches hand computation (digest 001 §3.2, §5.1).
/// </summary>
public sealed class SurakartaOverHttpTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task PkMurniThenPerubahan_EnteredOverHttp_ReadBackAsTwoVersionsWithDiffAndCapaian()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var scale = new
        {
            name = "Surakarta LKjIP (55 made explicit)", effectiveFromYear = 2023, bands = new object[]
            {
                new { label = "Sangat Berhasil", min = 85, minInclusive = false, max = (decimal?)null, maxInclusive = false },
                new { label = "Berhasil", min = 70, minInclusive = false, max = 85, maxInclusive = true },
                new { label = "Cukup Berhasil", min = 55, minInclusive = false, max = 70, maxInclusive = true },
                new { label = "Kurang Berhasil", min = 0, minInclusive = true, max = 55, maxInclusive = true },
            },
        };
        await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Put.Json(scale).ToUrl($"/api/agencies/{s.Agency}/rating-scale"); x.StatusCodeShouldBe(200); });
        await f.Scenario(x => { x.WithBearerToken(s.Approver); x.Post.Json(Surakarta.PkMurni).ToUrl($"/api/agencies/{s.Agency}/pk/2023"); x.StatusCodeShouldBe(201); });
        await f.Scenario(x => { x.WithBearerToken(s.Approver); x.Post.Json(Surakarta.PkPerubahan).ToUrl($"/api/agencies/{s.Agency}/pk/2023/revisions"); x.StatusCodeShouldBe(200); });
        // I2 realization 2023 as printed in Tabel 3.3: 75 (the document compares it with 75, not with the PK's 93).
        await f.Scenario(x =>
        {
            x.WithBearerToken(s.Staff);
            x.Post.Json(new { indicator = "I2", year = 2023, period = "Y", value = 75, claimedCapaian = 100 }).ToUrl($"/api/agencies/{s.Agency}/realizations");
            x.StatusCodeShouldBe(200);
        });

        var pk = await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/pk/2023"); x.StatusCodeShouldBe(200); });
        Assert.Equal(2, pk.JsonAt("versions").GetArrayLength());
        Assert.Equal("murni", pk.JsonAt("versions[0].kind").GetString());
        Assert.Equal("perubahan", pk.JsonAt("versions[1].kind").GetString());
        Assert.Equal("Perubahan anggaran; perubahan volume target", pk.JsonAt("versions[1].reason").GetString());
        Assert.Equal("budget-change", pk.JsonAt("versions[1].ground").GetString());

        var diff = await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/pk/2023/diff?from=0&to=1"); x.StatusCodeShouldBe(200); });
        var rows = diff.Json.GetProperty("indicators").EnumerateArray()
            .ToDictionary(r => r.GetProperty("indicator").GetString()!, r => (From: r.GetProperty("from").GetDecimal(), To: r.GetProperty("to").GetDecimal()));
        Assert.Equal((1.48m, 1.85m), rows["I7"]);
        Assert.Equal((90m, 93m), rows["I2"]);
        Assert.Equal((90m, 93m), rows["I8"]);
        Assert.Equal((0.10m, 0.10m), rows["I6"]);
        Assert.Equal((68.58m, 68.58m), rows["I9"]);

        // Capaian against the PK in force (perubahan: 93): 75 / 93 × 100 = 80,645… → 80,65, "Berhasil"; PK murni 90 still shown.
        var i2 = await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/indicators/I2?year=2023"); x.StatusCodeShouldBe(200); });
        Assert.Equal(93m, i2.JsonAt("targets.pk").GetDecimal());
        Assert.Equal(90m, i2.JsonAt("targets.pkMurni").GetDecimal());
        Assert.Equal(75m, i2.JsonAt("targets.renstra").GetDecimal());
        Assert.Equal("pk-perubahan-1", i2.JsonAt("targets.source").GetString());
        Assert.Equal(80.65m, i2.JsonAt("capaianDisplay").GetDecimal());
        Assert.StartsWith("80.645161290322580645", i2.JsonAt("capaian").GetRawText());
        Assert.Equal("Berhasil", i2.JsonAt("predikat").GetString());
        Assert.Equal(100m, i2.JsonAt("claimedCapaian").GetDecimal()); // what the document claimed, kept beside the recomputation
    }
}
