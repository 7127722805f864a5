using System.Text.Json;
using Alba;

namespace Ledger.Api.Tests.Reads;

/// <summary>
/// Issue 12 item 7 (bullet 5): every read's decimals over the Surakarta seed. A number with more than 2 decimal places must
/// have a <c>…Display</c> sibling equal to it rounded half-up to 2 places; a rupiah amount must have one with whole rupiah
/// (half-up). The exact values stay. The snapshot read is left out on purpose: its <c>snapshot</c> is the hashed document.
/// </summary>
public sealed class DisplayValueTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    // Rupiah amounts by field name, in the reads' objects that carry them (budget lines, budget totals, budget line history).
    private static readonly HashSet<string> RupiahFields = ["paguMurni", "pagu", "spent", "efficiency"];

    // Display siblings named before this rule (kept: field names never change).
    private static readonly Dictionary<string, string> Named = new() { ["progressToEndTarget"] = "progressDisplay" };

    private async Task<JsonElement> GetAsync(string url)
    {
        var r = await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.Get.Url(url);
            s.StatusCodeShouldBe(200);
        });
        return r.ReadAsJson<JsonElement>();
    }

    [Fact]
    public async Task EveryRead_LongDecimalsAndRupiahHaveDisplaySiblings()
    {
        var agency = ApiClient.NewAgencyCode();
        await new SeedEvents(f).FullYearAsync(agency);
        var api = $"/api/agencies/{agency}";

        var problems = new List<string>();
        var checkedDisplays = 0;
        foreach (var (url, rupiah) in new[]
        {
            ($"{api}/performance/2023", RupiahFields),
            ($"{api}/indicators/I1?year=2023", []),
            ($"{api}/indicators/I2?year=2023", []),
            ($"{api}/pk/2023", []),
            ($"{api}/pk/2023/diff", []),
            ($"{api}/indicators/I2/history", []),
            ($"{api}/budget/2023/lines/1/history", new HashSet<string> { "before", "after" }),
            ($"{api}/findings?year=2023", []),
            ($"{api}/pk/2023/revisions/proposals", []),
            ($"{api}/renstra/2021/revisions/proposals", []),
        })
        {
            checkedDisplays += Walk(await GetAsync(url), url, rupiah, problems);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedDisplays > 20, $"only {checkedDisplays} display values were checked: the walk saw too little");
    }

    /// <summary>Checks every object under <paramref name="e"/>; returns how many display values it compared.</summary>
    private static int Walk(JsonElement e, string path, HashSet<string> rupiah, List<string> problems)
    {
        var count = 0;
        if (e.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in e.EnumerateArray()) count += Walk(item, $"{path}[{i++}]", rupiah, problems);
            return count;
        }
        if (e.ValueKind != JsonValueKind.Object) return 0;
        foreach (var p in e.EnumerateObject())
        {
            var at = $"{path}.{p.Name}";
            if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                count += Walk(p.Value, at, rupiah, problems);
                continue;
            }
            if (p.Value.ValueKind != JsonValueKind.Number || p.Name.EndsWith("Display", StringComparison.Ordinal)) continue;
            var value = p.Value.GetDecimal();
            var isRupiah = rupiah.Contains(p.Name);
            var needsDisplay = isRupiah || Places(p.Value.GetRawText()) > 2;
            if (!needsDisplay) continue;
            var sibling = Named.GetValueOrDefault(p.Name, p.Name + "Display");
            if (!e.TryGetProperty(sibling, out var display) || display.ValueKind != JsonValueKind.Number)
            {
                problems.Add($"{at} = {p.Value.GetRawText()} has no {sibling}");
                continue;
            }
            var expected = Math.Round(value, isRupiah ? 0 : 2, MidpointRounding.AwayFromZero);
            if (display.GetDecimal() != expected) problems.Add($"{at}Display = {display.GetRawText()}, expected {expected}");
            if (isRupiah && Places(display.GetRawText()) > 0) problems.Add($"{at}Display = {display.GetRawText()} is not whole rupiah");
            count++;
        }
        return count;
    }

    private static int Places(string raw)
    {
        var dot = raw.IndexOf('.');
        return dot < 0 || raw.Contains('e', StringComparison.OrdinalIgnoreCase) ? 0 : raw.Length - dot - 1;
    }
}
