using Ledger.Domain.Agencies;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Rating;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;

using AgencyAggregate = Ledger.Domain.Agencies.Agency;
using RenstraAggregate = Ledger.Domain.Renstras.Renstra;

namespace Ledger.Domain.Tests.Support;

/// <summary>
/// Test data from seed 001 (LKjIP 2023, BKPSDM Kota Surakarta), digest §2.5, §3, §5. Indicator codes I1–I9 are the
/// digest's cross-reference ids. States are built by running the real decisions, so a broken rule breaks the fixture.
/// </summary>
internal static class Surakarta
{
    public const string Agency = "bkpsdm-surakarta";
    public const int Year = 2023;

    public static readonly Signer Kepala = new("Kepala BKPSDM Kota Surakarta", "19800412 200003 1 003", "Kepala BKPSDM");

    public static AgencyState RegisteredAgency() =>
        AgencyAggregate.Replay(Expect.Accepted(AgencyAggregate.Decide(AgencyState.Initial,
            new RegisterAgency(Agency, "BKPSDM Kota Surakarta"))));

    /// <summary>Gap-free version of Surakarta's Tabel 3.1 (the printed one leaves 55 in no band; here 55 is Kurang Berhasil).</summary>
    public static RatingScale Scale { get; } = new("Surakarta LKjIP", 2021,
    [
        new RatingBand("Sangat Berhasil", 85m, false, null, false),
        new RatingBand("Berhasil", 70m, false, 85m, true),
        new RatingBand("Cukup Berhasil", 55m, false, 70m, true),
        new RatingBand("Kurang Berhasil", null, false, 55m, true),
    ]);

    public static CreateRenstra CreateRenstra { get; } =
        new(Agency, 2021, 2026, "Renstra BKPSDM Kota Surakarta 2021-2026", "Perwali 29/2021");

    public static AddIndicator Indicator(
        string code, string name, string unit, IReadOnlyDictionary<int, decimal> targets, Polarity polarity = Polarity.Higher,
        Aggregation aggregation = Aggregation.Last, decimal? endTarget = null, string? parent = null,
        IndicatorLevel level = IndicatorLevel.Sasaran) =>
        new(code, name, level, IndicatorKind.Iku, parent, unit, polarity, null, aggregation, null, null, targets, endTarget);

    /// <summary>The Renstra 2021–2026 with the indicators of the IKU, PK and BAB III tables (targets per digest §3.1).</summary>
    public static IReadOnlyList<AddIndicator> Indicators { get; } =
    [
        Indicator("I1", "Indeks Merit", "indeks", new Dictionary<int, decimal> { [2022] = 0.75m, [2023] = 0.80m, [2026] = 0.85m }, endTarget: 0.85m,
            aggregation: Aggregation.Annual),
        Indicator("I2", "Persentase ASN yang ditempatkan sesuai kompetensinya", "%",
            new Dictionary<int, decimal> { [2022] = 70m, [2023] = 75m, [2026] = 90m }, endTarget: 90m),
        Indicator("I6", "Persentase aparatur yang melakukan pelanggaran disiplin", "%",
            new Dictionary<int, decimal> { [2023] = 0.25m }, polarity: Polarity.Lower),
        Indicator("I7", "Persentase aparatur dengan nilai hasil capaian kinerja di atas 90", "%",
            new Dictionary<int, decimal> { [2023] = 1.85m }),
        Indicator("I8", "Presentase aparatur data SIMPEG yang terupdate valid dan akurat", "%",
            new Dictionary<int, decimal> { [2023] = 80m }),
        Indicator("I9", "Survey Kepuasan Masyarakat", "nilai", new Dictionary<int, decimal> { [2022] = 89m, [2023] = 90m }),
    ];

    public static RenstraState Renstra() => RenstraWith(Indicators);

    public static RenstraState RenstraWith(IEnumerable<RenstraCommand> commands)
    {
        var ctx = new RenstraContext(AgencyExists: true);
        var state = RenstraState.Initial;
        foreach (var command in commands.Prepend(CreateRenstra))
            state = Expect.Accepted(RenstraAggregate.Decide(state, command, ctx)).Aggregate(state, RenstraAggregate.Evolve);
        return state;
    }

    public static PerformanceYearContext Context() => new(AgencyExists: true, Renstra());

    public static PerformanceYearState EmptyYear(int year = Year) => PerformanceYearState.Initial(Agency, year);

    /// <summary>Digest §5.1, "sebelum perubahan" (RKT / PK murni 2023).</summary>
    public static SignPk PkMurni { get; } = new(new DateOnly(2023, 1, 2), Kepala,
    [
        new PkTarget("I6", 0.10m), new PkTarget("I7", 1.48m), new PkTarget("I2", 90m), new PkTarget("I8", 90m),
        new PkTarget("I9", 68.58m),
    ]);

    /// <summary>Digest §5.1, "setelah perubahan": I7 1,48 → 1,85; I2 90 → 93; I8 90 → 93; I6 and I9 unchanged.</summary>
    public static RevisePk PkPerubahan { get; } = new("Perubahan anggaran; perubahan volume target", PkRevisionGround.BudgetChange,
        new DateOnly(2023, 10, 2), Kepala,
    [
        new PkTarget("I6", 0.10m), new PkTarget("I7", 1.85m), new PkTarget("I2", 93m), new PkTarget("I8", 93m),
        new PkTarget("I9", 68.58m),
    ]);

    /// <summary>Digest §2.5: APBD murni ("Sebelum"). Programs numbered 1, 2, 4 as printed; the document has no codes.</summary>
    public static EnactBudget BudgetMurni { get; } = new(
    [
        new BudgetLineInput("1", "Program Penunjang Urusan Pemerintahan Daerah", null, 15_625_599_024m),
        new BudgetLineInput("1.1", "Perencanaan Penganggaran dan Evaluasi Kinerja Perangkat Daerah", "1", 372_405_842m),
        new BudgetLineInput("1.2", "Administrasi Keuangan Perangkat Daerah", "1", 13_368_926_766m),
        new BudgetLineInput("1.3", "Administrasi Kepegawaian Perangkat Daerah", "1", 520_172_956m),
        new BudgetLineInput("1.4", "Administrasi Umum Perangkat Daerah", "1", 312_206_140m),
        new BudgetLineInput("1.5", "Pengadaan Barang Milik Daerah Penunjang Urusan Pemerintah Daerah", "1", 282_829_720m),
        new BudgetLineInput("1.6", "Penyediaan Jasa Penunjang Urusan Pemerintahan Daerah", "1", 309_153_000m),
        new BudgetLineInput("1.7", "Pemeliharaan Barang Milik Daerah Penunjang Urusan Pemerintah Daerah", "1", 459_904_600m),
        new BudgetLineInput("2", "Program Kepegawaian Daerah", null, 4_490_649_338m),
        new BudgetLineInput("2.1", "Pengadaan Pemberhentian dan Informasi Kepegawaian ASN", "2", 1_822_062_218m),
        new BudgetLineInput("2.2", "Mutasi dan Promosi ASN", "2", 744_326_074m),
        new BudgetLineInput("2.3", "Pengembangan Kompetensi ASN", "2", 823_111_075m),
        new BudgetLineInput("2.4", "Penilaian dan Evaluasi Kinerja Aparatur", "2", 1_101_149_971m),
        new BudgetLineInput("4", "Program Pengembangan Sumberdaya Manusia", null, 2_161_972_868m),
        new BudgetLineInput("4.1", "Pengembangan Kompetensi Teknis", "4", 852_743_888m),
        new BudgetLineInput("4.2", "Sertifikasi, Kelembagaan Pengembangan Kompetensi Manajerial dan Fungsional", "4", 1_309_228_980m),
    ],
    [new DeclaredTotal("total", 22_278_221_230m)]);

    /// <summary>Digest §2.5 "Setelah" and §5.2 (refocusing). 1.6 and 1.7 both print 293.942.740 (anomaly A25), kept as printed.</summary>
    public static ReviseBudget BudgetPerubahan { get; } = new(
        "Refocusing: penggeseran gaji PPPK ke OPD penerima; tidak tercapainya pendapatan daerah",
    [
        new BudgetRevisionLine("1", 8_460_444_119m),
        new BudgetRevisionLine("1.1", 181_635_200m),
        new BudgetRevisionLine("1.2", 6_368_411_100m),
        new BudgetRevisionLine("1.3", 425_455_720m),
        new BudgetRevisionLine("1.4", 370_239_259m),
        new BudgetRevisionLine("1.5", 495_858_000m),
        new BudgetRevisionLine("1.6", 293_942_740m),
        new BudgetRevisionLine("1.7", 293_942_740m),
        new BudgetRevisionLine("2", 3_855_501_620m),
        new BudgetRevisionLine("2.1", 1_541_889_100m),
        new BudgetRevisionLine("2.2", 501_557_000m),
        new BudgetRevisionLine("2.3", 930_744_547m),
        new BudgetRevisionLine("2.4", 881_310_973m),
        new BudgetRevisionLine("4", 1_915_181_680m),
        new BudgetRevisionLine("4.1", 711_024_221m),
        new BudgetRevisionLine("4.2", 1_204_157_459m),
    ]);

    /// <summary>Applies commands in order through the real decider, failing the test if any is not accepted.</summary>
    public static PerformanceYearState Apply(PerformanceYearState state, PerformanceYearContext context, params PerformanceYearCommand[] commands)
    {
        foreach (var command in commands)
            state = Expect.Accepted(PerformanceYear.Decide(state, command, context)).Aggregate(state, PerformanceYear.Evolve);
        return state;
    }

    public static PerformanceYearState Apply(PerformanceYearState state, params PerformanceYearCommand[] commands) =>
        Apply(state, Context(), commands);
}
