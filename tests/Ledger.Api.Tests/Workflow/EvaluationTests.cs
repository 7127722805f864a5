using Ledger.Api.Tests.Audit;
using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Workflow;

/// <summary>The Inspektorat's SAKIP evaluation (PermenPANRB 88/2021) and the Nilai SAKIP realization it records.</summary>
public sealed class EvaluationTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    // Components of a Surakarta-like LHE: 21,40 + 22,16 + 11,25 + 17,50 = 72,31 → BB (70 < n ≤ 80).
    private static readonly object Components = new { perencanaan = 21.40m, pengukuran = 22.16m, pelaporan = 11.25m, evaluasiInternal = 17.50m };

    private static async Task<(Surakarta S, string Inspektorat)> WithNilaiSakipAsync(LedgerApiFactory f)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "renstra/2021/indicators", new
        {
            code = "NSAKIP", name = "Nilai SAKIP", level = "tujuan", kind = "IKU", unit = "nilai", polarity = "higher", aggregation = "annual",
            targets = new Dictionary<string, decimal> { ["2023"] = 75m },
        }, 201);
        return (s, await f.CreateUserAsync("inspektorat", null, "Inspektur Kota Surakarta"));
    }

    private static object Body(decimal score = 72.31m, string? predikat = "BB", object? components = null, string? indicator = "NSAKIP") => new
    {
        score, predikat, components = components ?? Components, recommendations = new[] { "Selaraskan IKU Renstra dengan PK", "Lengkapi data dukung" },
        reportNumber = "700/123/LHE/2024", indicator,
    };

    [Fact]
    public async Task RecordEvaluation_AsInspektorat_Returns201AndTheScoreIsTheNilaiSakipRealization()
    {
        var (s, inspektorat) = await WithNilaiSakipAsync(f);

        var created = await s.PostAsync(inspektorat, "evaluations/2023", Body(), 201);
        Assert.Equal($"evaluation-{s.Agency}-2023", created.JsonAt("streamId").GetString());
        Assert.Equal("BB", created.JsonAt("predikat").GetString());
        Assert.Equal("recorded", created.JsonAt("realization.status").GetString());

        var indicator = await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/indicators/NSAKIP?year=2023");
        Assert.Equal(72.31m, indicator.GetProperty("annualValue").GetDecimal());
        var evaluation = await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/evaluations/2023");
        Assert.Equal("BB", evaluation.GetProperty("predikat").GetString());
        Assert.Equal(2, evaluation.GetProperty("recommendations")[1].GetProperty("number").GetInt32());
        await f.GetAsync(inspektorat, $"/api/agencies/{s.Agency}/evaluations/2023");
    }

    [Fact]
    public async Task RecordEvaluation_PredikatMismatch_Returns422AndWritesNothing()
    {
        var (s, inspektorat) = await WithNilaiSakipAsync(f);
        var before = await Surakarta.CountAllEventsAsync(f);
        var refused = await s.PostAsync(inspektorat, "evaluations/2023", Body(predikat: "A"), 422);
        Assert.Equal("evaluation.predikat-mismatch", refused.JsonAt("rule").GetString());
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }

    [Fact]
    public async Task RecordEvaluation_ComponentsNotSummingToTheScore_Returns422()
    {
        var (s, inspektorat) = await WithNilaiSakipAsync(f);
        var refused = await s.PostAsync(inspektorat, "evaluations/2023",
            Body(components: new { perencanaan = 21.40m, pengukuran = 22.16m, pelaporan = 11.26m, evaluasiInternal = 17.50m }), 422);
        Assert.Equal("evaluation.components-sum-mismatch", refused.JsonAt("rule").GetString());
    }

    [Fact]
    public async Task RecordEvaluation_AsStaffApproverOrAdmin_Returns403()
    {
        var (s, _) = await WithNilaiSakipAsync(f);
        var before = await Surakarta.CountAllEventsAsync(f);
        await s.PostAsync(s.Staff, "evaluations/2023", Body(), 403);
        await s.PostAsync(s.Approver, "evaluations/2023", Body(), 403);
        await s.PostAsync(LedgerApiFactory.AdminToken, "evaluations/2023", Body(), 403);
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }

    [Fact]
    public async Task FollowUp_AsStaff_Returns200AndIsVisibleInTheEvaluation()
    {
        var (s, inspektorat) = await WithNilaiSakipAsync(f);
        await s.PostAsync(inspektorat, "evaluations/2023", Body(indicator: null), 201);

        await s.PostAsync(s.Staff, "evaluations/2023/recommendations/1/follow-ups",
            new { action = "Reviu IKU bersama Bappeda", status = "in-progress", evidence = "Notulen 12-03-2024" });
        await s.PostAsync(s.Staff, "evaluations/2023/recommendations/9/follow-ups", new { action = "x", status = "done" }, 404);
        await s.PostAsync(inspektorat, "evaluations/2023/recommendations/1/follow-ups", new { action = "x", status = "done" }, 403);

        var evaluation = await f.GetAsync(inspektorat, $"/api/agencies/{s.Agency}/evaluations/2023");
        var followUp = Assert.Single(evaluation.GetProperty("recommendations")[0].GetProperty("followUps").EnumerateArray());
        Assert.Equal("in-progress", followUp.GetProperty("status").GetString());
        Assert.Equal("Reviu IKU bersama Bappeda", followUp.GetProperty("action").GetString());
    }
}
