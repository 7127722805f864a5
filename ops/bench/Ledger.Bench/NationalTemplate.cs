using System.Globalization;
using System.Net.Http.Json;

namespace Ledger.Bench;

/// <summary>
/// The template agency of <c>national-scale</c> (issue 13 item 2), written through the real service over HTTP, so that
/// every one of its events is exactly what the service writes (decided by the domain, headers, correlation ids, the
/// seal): a regional agency (Perangkat Daerah) with its rating scale, a Renstra 2021–2026 of <see cref="Indicators"/>
/// indicators, and five performance years 2021–2025, each with APBD murni (31 lines), PK murni, quarterly realizations
/// of every indicator, spending, PK perubahan and APBD perubahan mid-year and corrections; the Inspektorat's
/// evaluation of 2021–2024. <see cref="NationalCloner"/> then copies its streams to every other agency in SQL.
/// </summary>
internal static class NationalTemplate
{
    public const int Indicators = 60, FirstYear = 2021, Years = 5, RenstraEnd = 2026;
    public const int SpendingPerQuarter = 12, CorrectionsPerQuarter = 6;
    private static readonly string[] Quarters = ["Q1", "Q2", "Q3", "Q4"];

    /// <summary>Events of one agency: agency (2), Renstra (1 + indicators), each year (APBD, PK, realizations, spending, corrections, PK and APBD perubahan), evaluations.</summary>
    public const int EventsPerYear = 2 + 4 * (Indicators + SpendingPerQuarter + CorrectionsPerQuarter) + 2;
    public const int EventsPerAgency = 2 + 1 + Indicators + Years * EventsPerYear + (Years - 1);

    /// <summary>Streams of one agency: agency, Renstra, five years, four evaluations.</summary>
    public const int StreamsPerAgency = 1 + 1 + Years + (Years - 1);

    public static string Code(int i) => $"IK{i + 1:D2}";

    private static string Aggregation(int i) => (i % 3) switch { 0 => "sum", 1 => "last", _ => "average" };
    private static bool Lower(int i) => i % 6 == 5;

    /// <summary>The Renstra target of indicator <paramref name="i"/> in <paramref name="year"/> (a count for "sum", a percentage otherwise).</summary>
    private static decimal Target(int i, int year) => Aggregation(i) == "sum"
        ? 100 + 10 * (i % 7) + 5 * (year - FirstYear)
        : Lower(i) ? 20 - (i % 5) - (year - FirstYear) : 60 + i % 10 + 2 * (year - FirstYear);

    /// <summary>The stream ids of agency <paramref name="code"/> (the service's naming, docs/architecture.md).</summary>
    public static IReadOnlyList<string> Streams(string code) =>
    [
        $"agency-{code}", $"renstra-{code}-{FirstYear}",
        .. Enumerable.Range(FirstYear, Years).Select(y => $"year-{code}-{y}"),
        .. Enumerable.Range(FirstYear, Years - 1).Select(y => $"evaluation-{code}-{y}"),
    ];

    /// <returns>the number of requests sent (all answered 2xx, else it throws).</returns>
    public static async Task<int> CreateAsync(HttpClient http, string admin, string code, CancellationToken ct)
    {
        var sent = 0;
        async Task Post(string token, string path, object body, HttpMethod? method = null)
        {
            using var r = await HttpLoadBenchmark.SendAsync(http, method ?? HttpMethod.Post, path, token, body, ct);
            Interlocked.Increment(ref sent);
            if (!r.IsSuccessStatusCode)
                throw new InvalidOperationException($"{method ?? HttpMethod.Post} {path} answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(ct)}");
        }
        async Task<string> User(string name, string role, string? agency)
        {
            using var r = await HttpLoadBenchmark.SendAsync(http, HttpMethod.Post, "/api/users", admin, new { name, nip = "198004122000031003", role, agency }, ct);
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/users answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(ct)}");
            return (await r.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("token").GetString()!;
        }

        var a = $"/api/agencies/{code}";
        // The code is in the names too, so that each clone's names are its own.
        await Post(admin, "/api/agencies", new { code, name = $"Perangkat Daerah {code}" });
        var staff = await User($"Perencana {code}", "staff", code);
        var approver = await User($"Kepala {code}", "approver", code);
        var inspektorat = await User("Inspektur Provinsi", "inspektorat", null);
        await Post(staff, $"{a}/rating-scale", new
        {
            name = "Permendagri 86/2017", effectiveFromYear = FirstYear,
            bands = new object[]
            {
                new { label = "Sangat Tinggi", min = 90m, minInclusive = false, maxInclusive = false },
                new { label = "Tinggi", min = 75m, minInclusive = false, max = 90m, maxInclusive = true },
                new { label = "Sedang", min = 65m, minInclusive = false, max = 75m, maxInclusive = true },
                new { label = "Rendah", min = 50m, minInclusive = false, max = 65m, maxInclusive = true },
                new { label = "Sangat Rendah", minInclusive = false, max = 50m, maxInclusive = true },
            },
        }, HttpMethod.Put);
        await Post(staff, $"{a}/renstra", new { periodStart = FirstYear, periodEnd = RenstraEnd, title = $"Renstra {code} {FirstYear}-{RenstraEnd}", decree = "Perkada 12/2021" });
        for (var i = 0; i < Indicators; i++)
        {
            await Post(staff, $"{a}/renstra/{FirstYear}/indicators", new
            {
                code = Code(i), name = $"Indikator kinerja {i + 1}", level = i < 12 ? "sasaran" : "program", kind = i < 12 ? "IKU" : "IKK",
                unit = Aggregation(i) == "sum" ? "dokumen" : "%", polarity = Lower(i) ? "lower" : "higher",
                lowerFormula = Lower(i) ? "inverse-2t" : null, aggregation = Aggregation(i), baseline = Target(i, FirstYear - 1), baselineYear = FirstYear - 1,
                targets = Enumerable.Range(FirstYear, RenstraEnd - FirstYear + 1).ToDictionary(y => y.ToString(CultureInfo.InvariantCulture), y => Target(i, y)),
                endTarget = Target(i, RenstraEnd),
            });
        }

        // The five years are independent streams: written side by side.
        await Task.WhenAll(Enumerable.Range(FirstYear, Years).Select(year => Task.Run(() => YearAsync(year), ct)));
        for (var year = FirstYear; year < FirstYear + Years - 1; year++)
            await Post(inspektorat, $"{a}/evaluations/{year}", new
            {
                score = 70.25m + year % 7, reportNumber = $"700/{year + 1}/LHE-{code}",
                recommendations = new[] { "Selaraskan indikator kinerja dengan RPJMD", "Lengkapi bukti dukung realisasi triwulanan" },
            });
        return sent;

        async Task YearAsync(int year)
        {
            var rnd = new Random(year);
            var signer = new { name = $"Kepala {code}", nip = "19800412 200003 1 003", position = "Kepala Perangkat Daerah" };
            var lines = new List<object>();
            for (var p = 0; p < 6; p++)
            {
                lines.Add(new { code = $"P{p}", name = $"Program {p}", pagu = 5_000_000_000m });
                for (var k = 0; k < 4; k++) lines.Add(new { code = $"P{p}.{k}", name = $"Kegiatan {p}.{k}", parent = $"P{p}", pagu = 1_250_000_000m });
            }
            lines.Add(new { code = "P9", name = "Program penunjang", pagu = 1_000_000_000m });
            await Post(staff, $"{a}/budget/{year}", new { lines });
            var targets = Enumerable.Range(0, Indicators).Select(i => new { indicator = Code(i), target = Target(i, year) }).ToArray();
            await Post(approver, $"{a}/pk/{year}", new { signedOn = $"{year}-01-31", signer, targets });
            var last = new Dictionary<(int, string), decimal>();
            foreach (var q in Quarters)
            {
                for (var i = 0; i < Indicators; i++)
                {
                    var t = Target(i, year);
                    var value = Math.Round((Aggregation(i) == "sum" ? t / 4 : t) * (0.8m + (decimal)rnd.NextDouble() * 0.35m), 2);
                    last[(i, q)] = value;
                    await Post(staff, $"{a}/realizations", new { indicator = Code(i), year, period = q, value, evidence = $"Laporan {q} {year}" });
                }
                for (var s = 0; s < SpendingPerQuarter; s++)
                    await Post(staff, $"{a}/budget/{year}/spending", new { code = $"P{s % 6}.{s / 6 % 4}", amount = 20_000_000m + rnd.Next(0, 1000) * 100_000m, period = q });
                for (var c = 0; c < CorrectionsPerQuarter; c++)
                {
                    var i = rnd.Next(Indicators);
                    var value = last[(i, q)] + 1.5m;
                    last[(i, q)] = value;
                    await Post(staff, $"{a}/realizations/corrections", new { indicator = Code(i), year, period = q, value, reason = "Koreksi setelah verifikasi bukti dukung" });
                }
                if (q == "Q2")
                {
                    var revised = targets.Select((t, i) => i % 12 == 0 ? t with { target = t.target + 3 } : t).ToArray();
                    await Post(approver, $"{a}/pk/{year}/revisions", new
                    {
                        reason = "Penyesuaian target karena APBD perubahan", ground = "budget-change", signedOn = $"{year}-09-30", signer, targets = revised,
                    });
                    await Post(staff, $"{a}/budget/{year}/revisions", new
                    {
                        reason = "APBD perubahan", lines = new object[] { new { code = "P0.0", pagu = 1_300_000_000m }, new { code = "P0", pagu = 5_050_000_000m } },
                    });
                }
            }
        }
    }
}
