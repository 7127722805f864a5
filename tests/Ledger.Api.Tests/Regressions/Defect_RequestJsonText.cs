using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Infrastructure;
using static Ledger.Api.Tests.Security.SecurityHttp;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Issue 11, item 9 (found in review): U+0000 inside any JSON text passed validation and reached PostgreSQL, which cannot
/// store it in jsonb: a 500. A property sent twice was silently taken as its last value. Both are now 400 on every write
/// endpoint, naming the field, and nothing is written.
/// </summary>
public sealed class Defect_RequestJsonText(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task NulCharacterInAnyText_OfEveryWriteEndpoint_Is400NamingTheField_AndWritesNothing()
    {
        var (client, agency, tokens) = await SetUpAsync();
        var checkedRoutes = 0;
        var before = await f.EventCountAsync();
        foreach (var route in Writes())
        {
            var root = JsonNode.Parse(Example(route))!;
            // A text field, not a date or an id (those have their own parsers, which say "malformed").
            var leaf = StringLeaves(root).FirstOrDefault(v => v.GetValue<string>() is var t &&
                !DateTime.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out _) && !Guid.TryParse(t, out _));
            if (leaf is null) continue;
            var field = leaf.GetPath()[2..];
            leaf.ReplaceWith(JsonValue.Create("Dinas\0Kepegawaian"));
            var body = root.ToJsonString(); // writes the character as the escape \u0000
            Assert.Contains("\\u0000", body);

            var answers = await SendAsEveryoneAsync(client, route, agency, tokens, body);
            AssertRefused(route, answers, field, "U+0000");
            checkedRoutes++;
        }
        Assert.True(checkedRoutes >= 15, $"only {checkedRoutes} write endpoints have a text field in their example");
        Assert.Equal(before, await f.EventCountAsync());
    }

    [Fact]
    public async Task DuplicatePropertyInTheBody_OfEveryWriteEndpoint_Is400NamingIt_AndWritesNothing()
    {
        var (client, agency, tokens) = await SetUpAsync();
        var checkedRoutes = 0;
        var before = await f.EventCountAsync();
        foreach (var route in Writes())
        {
            var example = Example(route).Trim();
            if (JsonNode.Parse(example) is not JsonObject { Count: > 0 } root) continue;
            var (name, value) = root.First();
            // The property again at the end, with its own value: which of the two counts would be a guess.
            var body = example[..example.LastIndexOf('}')].TrimEnd() + $", \"{name}\": {value?.ToJsonString() ?? "null"} }}";

            var answers = await SendAsEveryoneAsync(client, route, agency, tokens, body);
            AssertRefused(route, answers, name, "more than once");
            checkedRoutes++;
        }
        Assert.True(checkedRoutes >= 20, $"only {checkedRoutes} write endpoints were checked");
        Assert.Equal(before, await f.EventCountAsync());
    }

    [Fact]
    public async Task NulCharacterInAUserName_Is400_AndTheUserIsNotCreated()
    {
        using var client = Client(f);
        using var request = Request("POST", "/api/users", LedgerApiFactory.AdminToken, """{ "name": "Sri\u0000Wahyuni", "role": "inspektorat" }""");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty("name", out _), text);
    }

    private async Task<(HttpClient Client, string Agency, string[] Tokens)> SetUpAsync()
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        string[] tokens = [LedgerApiFactory.AdminToken, await f.CreateUserAsync("staff", agency), await f.CreateUserAsync("approver", agency),
            await f.CreateUserAsync("inspektorat", null)];
        return (Client(f), agency, tokens);
    }

    // The projection admin endpoint takes an optional name, not a command; every other POST/PUT is a command.
    private IEnumerable<ApiRoute> Writes() =>
        ApiRoutes(f.Services).Where(r => r.Method is "POST" or "PUT" && !r.Pattern.StartsWith("/api/admin/projections", StringComparison.Ordinal));

    private static string Example(ApiRoute route) =>
        route.Name is not null && OpenApiExamples.Requests.TryGetValue(route.Name, out var e) ? e : "{}";

    /// <summary>Each role's answer: whoever may call the endpoint must get the 400; the others a 403; nobody anything else.</summary>
    private static async Task<List<(int Status, string Text)>> SendAsEveryoneAsync(HttpClient client, ApiRoute route, string agency, string[] tokens, string body)
    {
        var url = route.Pattern.Replace("{agency}", agency).Replace("{year}", "2023").Replace("{periodStart}", "2021")
            .Replace("{code}", "IKU-2").Replace("{id}", Guid.NewGuid().ToString()).Replace("{n}", "1");
        url = System.Text.RegularExpressions.Regex.Replace(url, @"\{[a-zA-Z]+\}", m => m.Value.EndsWith("Id}", StringComparison.Ordinal) ? Guid.NewGuid().ToString() : "1");
        var answers = new List<(int, string)>();
        foreach (var token in tokens)
        {
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            answers.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync()));
        }
        return answers;
    }

    private static void AssertRefused(ApiRoute route, List<(int Status, string Text)> answers, string field, string reason)
    {
        Assert.All(answers, a => Assert.True(a.Status is 400 or 403, $"{route}: {a.Status} {a.Text}"));
        var refused = answers.Where(a => a.Status == 400).ToList();
        Assert.True(refused.Count > 0, $"{route}: nobody got the 400: {string.Join(" | ", answers)}");
        foreach (var (_, text) in refused)
        {
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"{route}: the 400 does not name '{field}': {text}");
            Assert.Contains(reason, messages[0].GetString());
        }
    }

    private static IEnumerable<JsonValue> StringLeaves(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : StringLeaves(p.Value)),
        JsonArray a => a.SelectMany(v => v is null ? [] : StringLeaves(v)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v],
        _ => [],
    };
}
