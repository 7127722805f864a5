using Alba;

namespace Ledger.Api.Tests.Writes;

/// <summary>
/// <c>POST …/years/{year}/declared-claims</c> over HTTP: capaian and progress a report prints where they are not
/// realizations (001 A9: PMPRB 2023 has no realisasi, Tabel 3.5 prints progress "100" toward 2026). Stored as sent in
/// one <c>year.claims-declared.v1</c>; idempotent; 400 per field, 422 with the rule, 409 on a closed year; and the
/// findings: without a realization, <c>capaian.claimed-without-realization</c>; with one, the claim rules as usual.
/// </summary>
public sealed class DeclaredClaimsTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    /// <summary>I5 Nilai PMPRB (Tabel 3.5): 2022 23,05, 2023 "24.05", 2026 27,05.</summary>
    private static readonly object Pmprb = new
    {
        code = "I5", name = "Nilai Penilaian Mandiri Pelaksanaan Reformasi Birokrasi (PMPRB)", level = "sasaran", kind = "IKU", unit = "nilai",
        polarity = "higher", aggregation = "annual", targets = new Dictionary<string, decimal> { ["2022"] = 23.05m, ["2023"] = 24.05m, ["2026"] = 27.05m },
        endTarget = 27.05m,
    };

    private static readonly object Tabel35 = new
    {
        source = "LKjIP 2023 Tabel 3.5",
        claims = new object[] { new { indicator = "I5", period = "Y", claimedProgress = 100m, note = "Realisasi 2023 kosong, 'Tidak ada penilaian'" } },
    };

    private async Task<Surakarta> SetUpAsync()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "renstra/2021/indicators", Pmprb, 201);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m });
        return s;
    }

    [Fact]
    public async Task PmprbProgressWithoutRealisasi_IsStoredAsPrintedAndIsAFindingThatNoCapaianCanBeComputed()
    {
        var s = await SetUpAsync();
        var result = await s.PostAsync(s.Staff, "years/2023/declared-claims", Tabel35);
        Assert.Equal(s.YearStream, result.JsonAt("streamId").GetString());
        Assert.Equal(1, result.JsonAt("eventIds").GetArrayLength());

        var e = await s.PayloadAsync(s.YearStream, "year.claims-declared.v1");
        Assert.Equal("LKjIP 2023 Tabel 3.5", e.GetProperty("source").GetString());
        var claim = Assert.Single(e.GetProperty("claims").EnumerateArray());
        Assert.Equal("I5", claim.GetProperty("indicator").GetString());
        Assert.Equal("Y", claim.GetProperty("period").GetString());
        Assert.Equal(100m, claim.GetProperty("claimedProgress").GetDecimal());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, claim.GetProperty("claimedCapaian").ValueKind);
        Assert.Equal("Realisasi 2023 kosong, 'Tidak ada penilaian'", claim.GetProperty("note").GetString());
        // A claim is no realization: the indicator read still has none, and no capaian.
        var indicator = (await f.Scenario(x =>
        {
            x.WithBearerToken(s.Staff);
            x.Get.Url($"/api/agencies/{s.Agency}/indicators/I5?year=2023");
            x.StatusCodeShouldBe(200);
        })).Json;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, indicator.GetProperty("capaian").ValueKind);

        var finding = Assert.Single(await FindingsAsync(s), x => x.Rule == "capaian.claimed-without-realization");
        Assert.Equal("high", finding.Severity);
        Assert.Equal("I5", finding.Subject);
        Assert.Contains("I5 2023 (LKjIP 2023 Tabel 3.5): claimed progress 100 toward the Renstra end target (2026) 27.05", finding.Message);
        Assert.Contains("no capaian can be computed", finding.Message);
    }

    [Fact]
    public async Task AClaimForAnIndicatorWithARealization_IsCheckedAsIfPrintedOnIt()
    {
        var s = await SetUpAsync();
        // The Kesimpulan's I2: capaian 100 against the Renstra's 75 (no PK here) is right; a progress of 100 toward 90 is not (A5).
        await s.PostAsync(s.Staff, "years/2023/declared-claims", new
        {
            source = "LKjIP 2023 Kesimpulan", claims = new object[] { new { indicator = "I2", period = "Y", claimedCapaian = 100m, claimedProgress = 100m } },
        });

        var findings = await FindingsAsync(s);
        Assert.DoesNotContain(findings, x => x.Rule is "capaian.claimed-without-realization" or "capaian.claimed-mismatch");
        var progress = Assert.Single(findings, x => x.Rule == "capaian.claimed-progress-mismatch");
        Assert.StartsWith("I2 2023 (LKjIP 2023 Kesimpulan): claimed progress 100, recomputed 83.33", progress.Message);
    }

    [Fact]
    public async Task TheSameIdempotencyKeyTwice_WritesOnceAndReplaysTheResponse()
    {
        var s = await SetUpAsync();
        var key = ("Idempotency-Key", "claims-tabel-3-5-" + Guid.NewGuid().ToString("N"));
        var first = await s.PostAsync(s.Staff, "years/2023/declared-claims", Tabel35, 200, key);
        var second = await s.PostAsync(s.Staff, "years/2023/declared-claims", Tabel35, 200, key);

        Assert.Equal(first.Text, second.Text);
        Assert.Equal("true", second.Header("Idempotency-Replayed"));
        Assert.Single(await s.EventsAsync(s.YearStream), e => e.Type == "year.claims-declared.v1");
    }

    [Fact]
    public async Task BadClaims_AnswerProblemDetails_400PerField422WithTheRuleAnd409OnAClosedYear()
    {
        var s = await SetUpAsync();
        var before = await Surakarta.CountAllEventsAsync(f);

        var type = await PostProblemAsync(s, """{"source":"Tabel 3.5","claims":[{"indicator":"I5","period":"Y","claimedProgress":"abc"}]}""", 400);
        Assert.True(type.Json.GetProperty("errors").TryGetProperty("claims[0].claimedProgress", out _), type.Text);

        var shape = await PostProblemAsync(s, """{"claims":[{"period":"Y","claimedProgress":100}]}""", 400);
        Assert.True(shape.Json.GetProperty("errors").TryGetProperty("source", out _), shape.Text);
        Assert.True(shape.Json.GetProperty("errors").TryGetProperty("claims[0].indicator", out _), shape.Text);

        var period = await PostProblemAsync(s, """{"source":"Tabel 3.5","claims":[{"indicator":"I5","period":"Q5","claimedProgress":100}]}""", 400);
        Assert.True(period.Json.GetProperty("errors").TryGetProperty("claims[0].period", out _), period.Text);

        foreach (var (body, rule) in new[]
        {
            ("""{"source":"Tabel 3.5","claims":[{"indicator":"I99","period":"Y","claimedProgress":100}]}""", "year.declared-claims.unknown-indicator"),
            ("""{"source":"Tabel 3.5","claims":[{"indicator":"I5","period":"Q1","claimedProgress":100}]}""", "realization.period-invalid"),
            ("""{"source":"Tabel 3.5","claims":[{"indicator":"I5","period":"Y","note":"no figure"}]}""", "year.declared-claims.figure-required"),
            ("""{"source":"Tabel 3.5","claims":[]}""", "year.declared-claims.required"),
            ("""{"source":" ","claims":[{"indicator":"I5","period":"Y","claimedProgress":100}]}""", "year.declared-claims.source-required"),
            ("""{"source":"Tabel 3.5","claims":[{"indicator":"I5","period":"Y","claimedProgress":100},{"indicator":"I5","period":"Y","claimedCapaian":1}]}""",
                "year.declared-claims.duplicate"),
        })
        {
            var refused = await PostProblemAsync(s, body, 422);
            Assert.Equal(rule, refused.JsonAt("rule").GetString());
        }
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));

        await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" });
        var closed = await PostProblemAsync(s, System.Text.Json.JsonSerializer.Serialize(Tabel35), 409);
        Assert.Equal("year.closed", closed.JsonAt("rule").GetString());
    }

    private Task<IScenarioResult> PostProblemAsync(Surakarta s, string body, int status) =>
        f.Scenario(x =>
        {
            x.WithBearerToken(s.Staff);
            x.Post.RawJson(body).ToUrl($"/api/agencies/{s.Agency}/years/2023/declared-claims");
            x.ShouldReturnProblemDetails(status);
        });

    private async Task<List<(string Rule, string Severity, string Subject, string Message)>> FindingsAsync(Surakarta s)
    {
        var result = await f.Scenario(x =>
        {
            x.WithBearerToken(LedgerApiFactory.AdminToken);
            x.Get.Url($"/api/agencies/{s.Agency}/findings?year=2023");
            x.StatusCodeShouldBe(200);
        });
        return result.Json.EnumerateArray().Select(e => (e.GetProperty("rule").GetString()!, e.GetProperty("severity").GetString()!,
            e.GetProperty("subject").GetString()!, e.GetProperty("message").GetString()!)).ToList();
    }
}
