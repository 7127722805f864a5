using System.Text;
using System.Text.Json;
using Ledger.Domain.PerformanceYears.ClosingYear;

namespace Ledger.Domain.Tests.PerformanceYears;

public sealed class CanonicalJsonTests
{
    private static string Canon(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Encoding.UTF8.GetString(CanonicalJson.Encode(doc.RootElement));
    }

    [Fact]
    public void Encode_KeysWhitespaceAndScale_SortedCompactAndKept()
    {
        Assert.Equal("""{"a":[1.50,0,-2.000],"b":null,"z":{"x":"ṡ\"\\\n\u0001","y":true}}""",
            Canon("""{ "z": { "y": true, "x": "\u1E61\"\\\n\u0001" }, "b": null, "a": [1.50, 0, -2.000] }"""));
    }

    [Fact]
    public void Encode_EscapedAndLiteralForms_GiveTheSameBytes()
    {
        Assert.Equal(Canon("""{"n":"Kota Surakarta \u00e9"}"""), Canon("{\"n\":\"Kota Surakarta é\"}"));
    }

    [Theory]
    [InlineData("""{"v":1e3}""")]
    [InlineData("""{"v":1.5E-2}""")]
    [InlineData("""{"a":1,"a":2}""")]
    public void Encode_ExponentOrDuplicateKey_IsRefused(string json) =>
        Assert.Throws<FormatException>(() => Canon(json));
}
