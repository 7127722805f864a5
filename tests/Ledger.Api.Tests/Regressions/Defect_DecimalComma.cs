using System.Text;
using Alba;
using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Issue 12, item 7: "92,5" sent as a number (Indonesian decimals) got the generic "not valid JSON" message. The 400 now
/// names the field and says JSON numbers use a dot, with the number rewritten; nothing is written.
/// </summary>
public sealed class Defect_DecimalComma(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Theory]
    [InlineData("{\"indicator\":\"I2\",\"year\":2023,\"period\":\"Y\",\"value\": 92,5}", "write 92.5, not 92,5")]
    [InlineData("{\"indicator\":\"I2\",\"value\":92,5,\"year\":2023,\"period\":\"Y\"}", "write 92.5, not 92,5")]
    [InlineData("{\n  \"indicator\": \"I2\",\n  \"year\": 2023,\n  \"period\": \"Y\",\n  \"value\" :\n    1.234,56\n}", "write 1234.56, not 1.234,56")]
    public async Task Realization_WithADecimalComma_Is400SayingJsonUsesADot(string json, string hint)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var before = await Surakarta.CountAllEventsAsync(f);

        var r = await f.Scenario(x =>
        {
            x.WithBearerToken(s.Staff);
            x.Post.Text(json).ToUrl($"/api/agencies/{s.Agency}/realizations");
            x.WithRequestHeader("Content-Type", "application/json");
            x.StatusCodeShouldBe(400);
        });

        Assert.Contains(hint, r.JsonAt("errors.value[0]").GetString());
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }

    [Fact]
    public async Task OtherBrokenJson_KeepsTheGenericMessage()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var r = await f.Scenario(x =>
        {
            x.WithBearerToken(s.Staff);
            x.Post.Text("{\"indicator\":\"I2\",,\"value\":5}").ToUrl($"/api/agencies/{s.Agency}/realizations");
            x.WithRequestHeader("Content-Type", "application/json");
            x.StatusCodeShouldBe(400);
        });
        Assert.DoesNotContain("use a dot", r.ReadAsText());
    }
}
