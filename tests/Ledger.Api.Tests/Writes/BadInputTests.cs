using System.Text.Json.Nodes;
using Alba;

namespace Ledger.Api.Tests.Writes;

/// <summary>
/// Every write endpoint against every kind of bad input: each answer is a 4xx problem+json with the expected status
/// (400 shape, 404 unknown, 413 too large, 422 domain rule) and nothing is written (ledger.mt_events row count).
/// </summary>
public sealed class BadInputTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    /// <param name="Number">a numeric field to corrupt (null: none); <param name="Negative">status for −1 there.</param>
    /// <param name="Wire">an enum-like field (null: none); <param name="UnknownIndicator">field and status for "I99".</param>
    private sealed record Endpoint(
        string Path, bool Sign, string Body, string? Number, int Negative, string? Wire, (string Field, int Status)? UnknownIndicator);

    private const string Signer = """{"name":"Kepala BKPSDM","nip":"19800412 200003 1 003","position":"Kepala Badan"}""";

    private static readonly Dictionary<string, Endpoint> Endpoints = new()
    {
        ["renstra"] = new("renstra", false, """{"periodStart":2027,"periodEnd":2031,"title":"Renstra 2027-2031"}""", "periodEnd", 400, null, null),
        ["indicator"] = new("renstra/2021/indicators", false,
            """{"code":"I1","name":"Indeks Merit","level":"sasaran","kind":"IKU","unit":"indeks","polarity":"higher","aggregation":"annual","targets":{"2023":0.80},"endTarget":0.85}""",
            "endTarget", 422, "level", null),
        ["renstra-revision"] = new("renstra/2021/revisions", false,
            """{"reason":"Perubahan Renstra","changes":[{"indicator":"I2","year":2024,"target":80}]}""",
            "changes[0].target", 422, null, ("changes[0].indicator", 422)),
        ["pk"] = new("pk/2024", true, $$"""{"signedOn":"2024-01-31","signer":{{Signer}},"targets":[{"indicator":"I2","target":80}]}""",
            "targets[0].target", 422, null, ("targets[0].indicator", 422)),
        ["pk-revision"] = new("pk/2023/revisions", true,
            $$"""{"reason":"Perubahan anggaran","ground":"budget-change","signedOn":"2023-10-02","signer":{{Signer}},"targets":[{"indicator":"I2","target":93}]}""",
            "targets[0].target", 422, "ground", ("targets[0].indicator", 422)),
        ["realization"] = new("realizations", false, """{"indicator":"I9","year":2023,"period":"Y","value":92.93}""",
            "value", 422, "period", ("indicator", 404)),
        ["correction"] = new("realizations/corrections", false, """{"indicator":"I2","year":2023,"period":"Y","value":87,"reason":"Narasi L881"}""",
            "value", 422, "period", ("indicator", 422)),
        ["budget"] = new("budget/2024", false, """{"lines":[{"code":"P1","name":"Program Penunjang","pagu":100}]}""",
            "lines[0].pagu", 422, null, null),
        ["budget-revision"] = new("budget/2023/revisions", false, """{"reason":"APBD perubahan","lines":[{"code":"P1","pagu":90}]}""",
            "lines[0].pagu", 422, null, null),
        ["spending"] = new("budget/2023/spending", false, """{"code":"P1","amount":10,"period":"Y"}""", "amount", 422, "period", null),
        ["declared-targets"] = new("renstra/2021/declared-targets", false,
            """{"indicator":"I2","source":"LKjIP 2023 final table (L990)","targets":{"2026":90},"note":"printed again"}""",
            null, 0, null, ("indicator", 422)),
        ["declared-totals"] = new("budget/2023/declared-totals", false,
            """{"source":"LKjIP 2023 Kesimpulan (L1069)","totals":[{"code":"total","pagu":14231127419,"claimedEfficiency":3.64}]}""",
            "totals[0].pagu", 422, null, null),
        ["declared-claims"] = new("years/2023/declared-claims", false,
            """{"source":"LKjIP 2023 Tabel 3.5","claims":[{"indicator":"I9","period":"Y","claimedProgress":100,"note":"realisasi kosong"}]}""",
            "claims[0].claimedProgress", 422, "claims[0].period", ("claims[0].indicator", 422)),
        ["close"] = new("years/2023/close", true, """{"note":"LKjIP 2023"}""", null, 0, null, null),
    };

    private static readonly string[] Cases =
        ["malformed-json", "missing-fields", "wrong-type", "nan-string", "1e309", "absurd-magnitude", "negative", "unknown-wire-word",
         "unknown-indicator", "unknown-agency", "oversized-body", "year-out-of-range"];

    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints.Keys)
        foreach (var kind in Cases)
            if (Build(Endpoints[endpoint], kind, "agency") is not null) data.Add(endpoint, kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task Write_BadInput_Returns4xxProblemAndWritesNothing(string endpoint, string kind)
    {
        var s = await SetUpAsync();
        var e = Endpoints[endpoint];
        var (path, body, status) = Build(e, kind, s.Agency)!.Value;
        var token = kind == "unknown-agency" && !e.Sign ? LedgerApiFactory.AdminToken : e.Sign ? s.Approver : s.Staff;
        var before = await Surakarta.CountAllEventsAsync(f);

        var result = await f.Scenario(x =>
        {
            x.WithBearerToken(token);
            x.Post.RawJson(body).ToUrl(path);
            x.ShouldReturnProblemDetails(status);
        });

        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
        if (status == 400 && kind is "wrong-type" or "nan-string" or "1e309" or "absurd-magnitude")
            Assert.True(HasError(result, e.Number ?? "note"), result.Text);
        if (kind == "unknown-wire-word") Assert.True(HasError(result, e.Wire!), result.Text);
        if (status == 422) Assert.False(string.IsNullOrEmpty(result.JsonAt("rule").GetString()));
    }

    /// <summary>The Surakarta Renstra, PK murni 2023, I2 2023 Y = 75 and the APBD murni 2023: every endpoint has something to act on.</summary>
    private async Task<Surakarta> SetUpAsync()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m });
        await s.PostAsync(s.Staff, "budget/2023", Surakarta.ApbdMurni, 201);
        return s;
    }

    /// <returns>null when the case does not apply to the endpoint.</returns>
    private static (string Path, string Body, int Status)? Build(Endpoint e, string kind, string agency)
    {
        var url = $"/api/agencies/{agency}/{e.Path}";
        string WithNumber(string raw) => Set(e.Body, e.Number!, JsonValue.Create("__N__")).Replace("\"__N__\"", raw, StringComparison.Ordinal);
        return kind switch
        {
            "malformed-json" => (url, e.Body[..^1], 400),
            "missing-fields" when e.Path != "years/2023/close" => (url, "{}", 400),
            "wrong-type" => e.Number is null ? (url, Set(e.Body, "note", JsonValue.Create(123)), 400) : (url, WithNumber("\"abc\""), 400),
            "nan-string" when e.Number is not null => (url, WithNumber("\"NaN\""), 400),
            "1e309" when e.Number is not null => (url, WithNumber("1e309"), 400),
            "absurd-magnitude" when e.Number is not null => (url, WithNumber(e.Number == "periodEnd" ? "1000000" : "1e16"), 400),
            "negative" when e.Number is not null => (url, WithNumber("-1"), e.Negative),
            "unknown-wire-word" when e.Wire is not null => (url, Set(e.Body, e.Wire, JsonValue.Create("Q5-or-whatever")), 400),
            "unknown-indicator" when e.UnknownIndicator is { } u => (url, Set(e.Body, u.Field, JsonValue.Create("I99")), u.Status),
            // Signing needs the agency's own approver, who cannot belong to an unknown agency: 403 before anything else.
            "unknown-agency" => ($"/api/agencies/no-such-agency/{e.Path}", e.Body, e.Sign ? 403 : 404),
            "oversized-body" => (url, Set(e.Body, "padding", JsonValue.Create(new string('x', 1_100_000))), 413),
            "year-out-of-range" => e.Path.Contains("2023", StringComparison.Ordinal) || e.Path.Contains("2024", StringComparison.Ordinal)
                ? (url.Replace("/2023", "/1999", StringComparison.Ordinal).Replace("/2024", "/1999", StringComparison.Ordinal), e.Body, 400)
                : e.Path.StartsWith("realizations", StringComparison.Ordinal) ? (url, Set(e.Body, "year", JsonValue.Create(2101)), 400) : null,
            _ => null,
        };
    }

    /// <summary>The 400's <c>errors</c> names the field exactly as the client spelled its path (<c>lines[0].pagu</c>).</summary>
    private static bool HasError(IScenarioResult result, string field) =>
        result.Json.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _);

    /// <summary>Sets a field by a small path (<c>a.b</c>, <c>a[0].b</c>, <c>targets.2023</c>).</summary>
    private static string Set(string json, string path, JsonNode? value)
    {
        var root = JsonNode.Parse(json)!;
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        JsonNode node = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            if (parts[i].StartsWith('['))
            {
                var index = int.Parse(parts[i][1..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (last) node.AsArray()[index] = value; else node = node.AsArray()[index]!;
            }
            else if (last) node.AsObject()[parts[i]] = value;
            else node = node.AsObject()[parts[i]]!;
        }
        return root.ToJsonString();
    }
}
