using System.Text.Json;
using Ledger.Importing;

namespace Ledger.Api.Tests.Datasets;

/// <summary>
/// Issue 6 acceptance: ops/datasets/surakarta-2023 and ops/datasets/paser-2025 load from a clean database through the
/// importer (in-process, the real HTTP pipeline), a re-run writes nothing, and the reads reproduce the capaian the
/// documents computed correctly. Printed errors are kept in the data on purpose; findings are asserted elsewhere.
/// </summary>
[Collection(DatasetsCollection.Name)]
public sealed class DatasetImportTests(DatasetsFixture d)
{
    private const string Surakarta = "/api/agencies/bkpsdm-surakarta";
    private const string Paser = "/api/agencies/bkpsdm-paser";

    [Fact]
    public void BothDatasets_FromACleanDatabase_LoadWithNoUnexpectedRefusal()
    {
        Assert.True(d.FirstRun.Ok, d.FirstRun.Summary());
        Assert.Equal(d.Datasets.Sum(x => x.Steps.Count), d.FirstRun.Results.Count);
        // The printed Surakarta scale (gap at 55) and the conflicting second realisasi are refused with their rules.
        var expected = d.FirstRun.Results.Where(r => r.Outcome == StepOutcome.RefusedAsExpected).Select(r => $"{r.Dataset}/{r.Step.File}:{r.Rule}").ToList();
        Assert.Contains("surakarta-2023/02-rating-scale.json:rating-scale.invalid", expected);
        Assert.Equal(2, expected.Count(e => e.EndsWith("realization.already-recorded-use-correction", StringComparison.Ordinal)
                                            && e.StartsWith("surakarta", StringComparison.Ordinal)));
        Assert.Equal(0, d.FirstRun.Replayed);
        Assert.True(d.EventsAfterFirstRun > 150, $"only {d.EventsAfterFirstRun} events");
    }

    [Fact]
    public async Task ReRun_WithTheSameUsers_IsAnsweredFromTheIdempotencyStoreAndWritesNothing()
    {
        var before = await Writes.Surakarta.CountAllEventsAsync(d.Factory);
        var again = await d.Importer().ImportAsync(DatasetsFixture.Load());
        Assert.True(again.Ok, again.Summary());
        Assert.Equal(0, again.Accepted);
        Assert.Equal(d.FirstRun.Accepted, again.Replayed);
        Assert.Equal(d.FirstRun.RefusedAsExpected, again.RefusedAsExpected);
        Assert.Equal(before, await Writes.Surakarta.CountAllEventsAsync(d.Factory));
        Assert.Equal(d.EventsAfterFirstRun, before);
    }

    private static JsonElement Row(JsonElement performance, string code) =>
        performance.GetProperty("indicators").EnumerateArray().Single(r => r.GetProperty("code").GetString() == code);

    private static decimal? Dec(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDecimal();

    [Theory]
    // Capaian the LKjIP 2023 got right (digest §3.2, §7 T1-T3), read from the 2023 table and its previous-year column.
    [InlineData("I1", "current", 93.75, "Sangat Berhasil")]   // 0,75 / 0,80
    [InlineData("I1", "previous", 86.67, "Sangat Berhasil")]  // 0,65 / 0,75 (printed 86,7)
    [InlineData("I4", "current", 94.38, "Sangat Berhasil")]   // IPP 75,5 / 80
    [InlineData("I4", "previous", 66.76, "Cukup Berhasil")]   // 52,07 / 78 (printed 66,75, truncated)
    [InlineData("I5", "previous", 140.74, "Sangat Berhasil")] // PMPRB 32,44 / 23,05, uncapped
    [InlineData("I3", "previous", 115.00, "Sangat Berhasil")] // 92 / 80, uncapped
    [InlineData("I3", "current", 100.00, "Sangat Berhasil")]  // 86 / 86
    [InlineData("I2", "previous", 102.86, "Sangat Berhasil")] // 72 / 70 (printed 102,8)
    [InlineData("I2", "current", 80.65, "Berhasil")]          // 75 against the PK perubahan 93 (T6; printed 100 against 75)
    [InlineData("I8", "current", 96.77, "Sangat Berhasil")]   // 90 against the PK perubahan 93 (T5)
    [InlineData("I9", "current", 135.51, "Sangat Berhasil")]  // 92,93 against PK-P 68,58 (A16)
    public async Task SurakartaPerformance2023_ReproducesTheDocumentsCapaian(string code, string column, decimal capaian, string predikat)
    {
        var row = Row(await d.GetAsync($"{Surakarta}/performance/2023"), code).GetProperty(column);
        Assert.Equal(capaian, Dec(row, "capaianDisplay"));
        Assert.Equal(predikat, row.GetProperty("predikat").GetString());
    }

    [Fact]
    public async Task SurakartaPerformance2023_PmprbWithoutRealization_HasNoCapaian_AndTheBudgetIsThePrintedOne()
    {
        var table = await d.GetAsync($"{Surakarta}/performance/2023");
        var pmprb = Row(table, "I5").GetProperty("current");
        Assert.Null(Dec(pmprb, "capaian"));
        Assert.Equal(JsonValueKind.Null, pmprb.GetProperty("predikat").ValueKind);

        var budget = table.GetProperty("budget").EnumerateArray().ToDictionary(b => b.GetProperty("code").GetString()!);
        Assert.Equal(15_625_599_024m, budget["P1"].GetProperty("paguMurni").GetDecimal());
        Assert.Equal(8_460_444_119m, budget["P1"].GetProperty("pagu").GetDecimal());
        Assert.Equal(3.67m, budget["P1"].GetProperty("efficiencyPercentDisplay").GetDecimal());        // T9
        Assert.Equal(5.35m, budget["P2"].GetProperty("efficiencyPercentDisplay").GetDecimal());        // printed 5,36 (A22)
    }

    [Fact]
    public async Task SurakartaIndicatorI2_2023_KeepsEveryTargetProvenance()
    {
        var i2 = await d.GetAsync($"{Surakarta}/indicators/I2?year=2023");
        var targets = i2.GetProperty("targets");
        Assert.Equal(75m, targets.GetProperty("renstra").GetDecimal());
        Assert.Equal(90m, targets.GetProperty("pkMurni").GetDecimal());
        Assert.Equal(93m, targets.GetProperty("pk").GetDecimal());
        Assert.StartsWith("pk-perubahan", targets.GetProperty("source").GetString());
        Assert.Equal(100m, i2.GetProperty("claimedCapaian").GetDecimal()); // as printed, kept
    }

    [Theory]
    // Paser old Renstra (2021-2026), Tabel 2.4: every printed Rasio Capaian = round-half-up(R/T×100, 2) (digest §4.1, S3).
    [InlineData("TUJ-IPASN", 2022, 117.67)]
    [InlineData("TUJ-IPASN", 2023, 127.42)]
    [InlineData("TUJ-IPASN", 2024, 62.77)]
    [InlineData("IKU-SAKIP", 2024, 110.02)]
    [InlineData("IKU-MERIT", 2024, 164.33)]
    [InlineData("IKU-IKM", 2023, 112.39)]
    public async Task PaserOldRenstra_ReproducesTheDocumentsRasioCapaian(string code, int year, decimal capaian)
    {
        var read = await d.GetAsync($"{Paser}/indicators/{code}?year={year}");
        Assert.Equal(2021, read.GetProperty("renstraPeriodStart").GetInt32());
        Assert.Equal(capaian, read.GetProperty("capaianDisplay").GetDecimal());
    }

    [Theory]
    // The same four indicators in both plans; for 2025 the newer Renstra wins (digest §5.1 S2): old → new.
    [InlineData("IKU-MERIT", 175, 250)]
    [InlineData("IKU-IKM", 76, 82)]
    [InlineData("IKU-SAKIP", 70, 71.51)]
    [InlineData("TUJ-IPASN", 70, 70)]
    public async Task Paser2025_TheNewRenstraSupersedesTheOld_AndTheOldTargetStaysOnRecord(string code, decimal oldTarget, decimal newTarget)
    {
        var read = await d.GetAsync($"{Paser}/indicators/{code}?year=2025");
        Assert.Equal(2025, read.GetProperty("renstraPeriodStart").GetInt32());
        Assert.Equal(newTarget, read.GetProperty("targets").GetProperty("renstra").GetDecimal());

        var old = await d.Factory.PayloadsAsync("renstra-bkpsdm-paser-2021");
        var added = old.Select(e => JsonDocument.Parse(e.Json).RootElement)
            .Single(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var c) && c.GetString() == code);
        var old2025 = added.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("year").GetInt32() == 2025);
        Assert.Equal(oldTarget, old2025.GetProperty("target").GetDecimal());

        // The supersession is visible in the indicator's history: both plans' 2025 targets, the old one recorded first.
        var history = await d.GetAsync($"{Paser}/indicators/{code}/history?year=2025");
        var added2025 = history.EnumerateArray()
            .Where(h => h.GetProperty("kind").GetString() == "renstra.indicator-added" && h.GetProperty("effective").GetString() == "2025")
            .ToList();
        Assert.Equal(2, added2025.Count);
        Assert.Equal(oldTarget, added2025[0].GetProperty("after").GetDecimal());
        Assert.Equal(newTarget, added2025[1].GetProperty("after").GetDecimal());
        Assert.True(added2025[0].GetProperty("sequence").GetInt64() < added2025[1].GetProperty("sequence").GetInt64());
    }
}
