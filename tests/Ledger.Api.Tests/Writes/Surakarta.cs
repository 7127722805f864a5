using System.Text.Json;
using Alba;

namespace Ledger.Api.Tests.Writes;

/// <summary>
/// BKPSDM Kota Surakarta, LKjIP 2023 (seed 001, digest §3, §5, §7): the exact numbers of the document, written
/// through the real API. Indicator codes are ours (the document has none): I2, I6, I7, I8, I9 as in digest §3.0.
/// </summary>
public sealed class Surakarta(LedgerApiFactory f, string agency, string staff, string approver)
{
    public const int Year = 2023;
    public static readonly object Signer = new { name = "Kepala BKPSDM Kota Surakarta", nip = "19800412 200003 1 003", position = "Kepala Badan" };

    public LedgerApiFactory Factory => f;
    public string Agency => agency;
    public string Staff => staff;
    public string Approver => approver;
    public string YearStream => $"year-{agency}-{Year}";

    /// <summary>A fresh agency (its own code, so tests never share streams) with a staff and an approver user.</summary>
    public static async Task<Surakarta> RegisterAsync(LedgerApiFactory f)
    {
        var agency = "bkpsdm-surakarta-" + Guid.NewGuid().ToString("N")[..8];
        await f.RegisterAgencyAsync(agency, "BKPSDM Kota Surakarta");
        return new Surakarta(f, agency, await f.CreateUserAsync("staff", agency, "Perencana BKPSDM"),
            await f.CreateUserAsync("approver", agency, "Kepala BKPSDM"));
    }

    /// <summary>Agency, Renstra 2021–2026 and the five PK indicators of digest §3 / §5.1.</summary>
    public static async Task<Surakarta> WithRenstraAsync(LedgerApiFactory f)
    {
        var s = await RegisterAsync(f);
        await s.PostAsync(s.Staff, "renstra", new { periodStart = 2021, periodEnd = 2026, title = "Renstra BKPSDM Kota Surakarta 2021-2026",
            decree = "Perwali 29/2021" }, 201);
        foreach (var indicator in Indicators) await s.PostAsync(s.Staff, "renstra/2021/indicators", indicator, 201);
        return s;
    }

    // Renstra targets: BAB III for I2 (2022 70, 2023 75, 2026 90); the IKU Perwali 29/2021 values for the others (§3.1).
    public static readonly object[] Indicators =
    [
        new { code = "I2", name = "Persentase ASN yang ditempatkan sesuai kompetensinya", level = "sasaran", kind = "IKU", unit = "%",
            polarity = "higher", aggregation = "annual", targets = new Dictionary<string, decimal> { ["2022"] = 70, ["2023"] = 75, ["2026"] = 90 } },
        new { code = "I6", name = "Persentase aparatur yang melakukan pelanggaran disiplin", level = "sasaran", kind = "IKU", unit = "%",
            polarity = "lower", aggregation = "annual", targets = new Dictionary<string, decimal> { ["2023"] = 0.25m } },
        new { code = "I7", name = "Persentase aparatur dengan nilai hasil capaian kinerja di atas 90", level = "sasaran", kind = "IKU", unit = "%",
            polarity = "higher", aggregation = "annual", targets = new Dictionary<string, decimal> { ["2023"] = 1.85m } },
        new { code = "I8", name = "Persentase aparatur data SIMPEG yang terupdate valid dan akurat", level = "sasaran", kind = "IKU", unit = "%",
            polarity = "higher", aggregation = "annual", targets = new Dictionary<string, decimal> { ["2023"] = 80 } },
        new { code = "I9", name = "Survei Kepuasan Masyarakat", level = "sasaran", kind = "IKU", unit = "nilai",
            polarity = "higher", aggregation = "annual", targets = new Dictionary<string, decimal> { ["2023"] = 68.58m } },
    ];

    /// <summary>PK murni 2023 (§5.1 "sebelum perubahan").</summary>
    public static readonly object PkMurni = new
    {
        signedOn = "2023-01-31", signer = Signer,
        targets = new object[]
        {
            new { indicator = "I7", target = 1.48m }, new { indicator = "I2", target = 90m }, new { indicator = "I8", target = 90m },
            new { indicator = "I6", target = 0.10m }, new { indicator = "I9", target = 68.58m },
        },
    };

    /// <summary>PK perubahan 2023 (§5.1 "setelah perubahan", justification L524-527).</summary>
    public static readonly object PkPerubahan = new
    {
        reason = "Perubahan anggaran; perubahan volume target", ground = "budget-change", signedOn = "2023-10-02", signer = Signer,
        targets = new object[] { new { indicator = "I7", target = 1.85m }, new { indicator = "I2", target = 93m }, new { indicator = "I8", target = 93m } },
    };

    /// <summary>APBD murni 2023 (§2.5 "Sebelum"); program codes are ours (the document prints none). Σ = 22.278.221.230.</summary>
    public static readonly object ApbdMurni = new
    {
        lines = new object[]
        {
            Line("P1", "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH", null, 15_625_599_024m),
            Line("P1.1", "Perencanaan Penganggaran dan Evaluasi Kinerja Perangkat Daerah", "P1", 372_405_842m),
            Line("P1.2", "Administrasi Keuangan Perangkat Daerah", "P1", 13_368_926_766m),
            Line("P1.3", "Administrasi kepegawaian Perangkat daerah", "P1", 520_172_956m),
            Line("P1.4", "Administrasi Umum perangkat daerah", "P1", 312_206_140m),
            Line("P1.5", "Pengadaan Barang Milik Daerah Penunjang Pemerintah daerah", "P1", 282_829_720m),
            Line("P1.6", "Penyediaan Jasa Penunjang Urusan pemerintahan daerah", "P1", 309_153_000m),
            Line("P1.7", "Pemeliharaan Barang Milik daerah Penunjang Urusan pemerintah daerah", "P1", 459_904_600m),
            Line("P2", "PROGRAM KEPEGAWAIAN DAERAH", null, 4_490_649_338m),
            Line("P2.1", "Pengadaan Pemberhentian dan Informasi Kepegawaian ASN", "P2", 1_822_062_218m),
            Line("P2.2", "Mutasi dan Promosi ASN", "P2", 744_326_074m),
            Line("P2.3", "Pengembangan Kompetensi ASN", "P2", 823_111_075m),
            Line("P2.4", "Penilaian dan Evaluasi Kinerja Aparatur", "P2", 1_101_149_971m),
            Line("P4", "PROGRAM PENGEMBANGAN SUMBERDAYA MANUSIA", null, 2_161_972_868m),
            Line("P4.1", "Pengembangan Kompetensi Teknis", "P4", 852_743_888m),
            Line("P4.2", "Sertifikasi, Kelembagaan Pengembangan Kompetensi Manajerial dan Fungsional", "P4", 1_309_228_980m),
        },
        declaredTotals = new object[] { new { code = "total", amount = 22_278_221_230m } },
    };

    /// <summary>APBD perubahan 2023 (§2.5 "Setelah", §5.2 reasons). Σ = 14.231.127.419.</summary>
    public static readonly object ApbdPerubahan = new
    {
        reason = "Refocusing: penggeseran gaji PPPK ke OPD penerima; tidak tercapainya pendapatan daerah",
        lines = new object[]
        {
            Pagu("P1", 8_460_444_119m), Pagu("P1.1", 181_635_200m), Pagu("P1.2", 6_368_411_100m), Pagu("P1.3", 425_455_720m),
            Pagu("P1.4", 370_239_259m), Pagu("P1.5", 495_858_000m), Pagu("P1.6", 293_942_740m), Pagu("P1.7", 293_942_740m),
            Pagu("P2", 3_855_501_620m), Pagu("P2.1", 1_541_889_100m), Pagu("P2.2", 501_557_000m), Pagu("P2.3", 930_744_547m),
            Pagu("P2.4", 881_310_973m),
            Pagu("P4", 1_915_181_680m), Pagu("P4.1", 711_024_221m), Pagu("P4.2", 1_204_157_459m),
        },
    };

    private static object Line(string code, string name, string? parent, decimal pagu) => new { code, name, parent, pagu };
    private static object Pagu(string code, decimal pagu) => new { code, pagu };

    /// <summary>POST to /api/agencies/{agency}/{path} as <paramref name="token"/>, expecting <paramref name="status"/>.</summary>
    public Task<IScenarioResult> PostAsync(string token, string path, object body, int status = 200, params (string Name, string Value)[] headers) =>
        f.Scenario(s =>
        {
            s.WithBearerToken(token);
            s.WithRequestHeaders(headers);
            s.Post.Json(body).ToUrl($"/api/agencies/{agency}/{path}");
            s.StatusCodeShouldBe(status);
        });

    public Task<IReadOnlyList<StoredEvent>> EventsAsync(string stream) => f.PayloadsAsync(stream);

    public async Task<JsonElement> PayloadAsync(string stream, string type) =>
        JsonDocument.Parse(Assert.Single(await f.PayloadsAsync(stream), e => e.Type == type).Json).RootElement.Clone();

    /// <summary>Every event of every stream in the factory's database.</summary>
    public static async Task<long> CountAllEventsAsync(LedgerApiFactory f)
    {
        return await f.EventCountAsync();
    }
}
