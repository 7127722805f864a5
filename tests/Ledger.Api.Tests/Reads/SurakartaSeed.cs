using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Rating;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;

namespace Ledger.Api.Tests.Reads;

/// <summary>
/// Seed 001 (LKjIP 2023, BKPSDM Kota Surakarta; digest §3, §4, §5, §7) as commands, under a fresh agency code per test.
/// Indicator codes I1–I9 are the digest's ids. Only I6 is lower-is-better. "I6R" is a test-only twin of I6 using the
/// T/R formula (digest T7's worked example) so both lower formulas go through the read.
/// </summary>
public static class SurakartaSeed
{
    public const int Year = 2023;
    public const int RenstraStart = 2021;

    public static readonly Signer Kepala = new("Kepala BKPSDM Kota Surakarta", "19800412 200003 1 003", "Kepala BKPSDM");

    public const string PerubahanReason = "Perubahan anggaran; perubahan volume target";

    private static AddIndicator Indicator(
        string code, string name, string unit, Dictionary<int, decimal> targets, Polarity polarity = Polarity.Higher,
        LowerFormula? lowerFormula = null, Aggregation aggregation = Aggregation.Last, decimal? endTarget = null) =>
        new(code, name, IndicatorLevel.Sasaran, IndicatorKind.Iku, null, unit, polarity, lowerFormula, aggregation, null, null, targets, endTarget);

    /// <summary>Digest §3.1 targets: I1 2022 0,75 / 2023 0,80 / 2026 0,85; I2 BAB III 70 / 75 / 90; the IKU values for I6–I9.</summary>
    public static IReadOnlyList<AddIndicator> Indicators { get; } =
    [
        Indicator("I1", "Indeks Merit", "indeks", new() { [2022] = 0.75m, [2023] = 0.80m, [2026] = 0.85m }, aggregation: Aggregation.Annual,
            endTarget: 0.85m),
        Indicator("I2", "Persentase ASN yang ditempatkan sesuai kompetensinya", "%", new() { [2022] = 70m, [2023] = 75m, [2026] = 90m },
            endTarget: 90m),
        Indicator("I6", "Persentase aparatur yang melakukan pelanggaran disiplin", "%", new() { [2023] = 0.25m }, Polarity.Lower),
        Indicator("I6R", "Persentase aparatur yang melakukan pelanggaran disiplin (T/R)", "%", new() { [2023] = 0.10m }, Polarity.Lower,
            LowerFormula.RatioInverse),
        Indicator("I7", "Persentase aparatur dengan nilai hasil capaian kinerja di atas 90", "%", new() { [2023] = 1.85m }),
        Indicator("I8", "Presentase aparatur data SIMPEG yang terupdate valid dan akurat", "%", new() { [2023] = 80m }),
        Indicator("I9", "Survey Kepuasan Masyarakat", "nilai", new() { [2022] = 89m, [2023] = 90m }),
    ];

    /// <summary>Digest §5.1 "sebelum perubahan".</summary>
    public static SignPk PkMurni { get; } = new(new DateOnly(2023, 1, 2), Kepala,
    [
        new PkTarget("I6", 0.10m), new PkTarget("I7", 1.48m), new PkTarget("I2", 90m), new PkTarget("I8", 90m), new PkTarget("I9", 68.58m),
    ]);

    /// <summary>Digest §5.1 "setelah perubahan": I7 1,48 → 1,85; I2 90 → 93; I8 90 → 93; I6 and I9 unchanged.</summary>
    public static RevisePk PkPerubahan { get; } = new(PerubahanReason, PkRevisionGround.BudgetChange, new DateOnly(2023, 10, 2), Kepala,
    [
        new PkTarget("I6", 0.10m), new PkTarget("I7", 1.85m), new PkTarget("I2", 93m), new PkTarget("I8", 93m), new PkTarget("I9", 68.58m),
    ]);

    /// <summary>Digest §2.5, Program Penunjang with two of its kegiatan, and Program Kepegawaian (murni).</summary>
    public static EnactBudget BudgetMurni { get; } = new(
    [
        new BudgetLineInput("1", "Program Penunjang Urusan Pemerintahan Daerah", null, 15_625_599_024m),
        new BudgetLineInput("1.1", "Perencanaan Penganggaran dan Evaluasi Kinerja Perangkat Daerah", "1", 372_405_842m),
        new BudgetLineInput("1.2", "Administrasi Keuangan Perangkat Daerah", "1", 13_368_926_766m),
        new BudgetLineInput("2", "Program Kepegawaian Daerah", null, 4_490_649_338m),
    ]);

    /// <summary>Digest §2.5 "Setelah" (APBD perubahan, refocusing §5.2).</summary>
    public static ReviseBudget BudgetPerubahan { get; } = new(
        "Refocusing: penggeseran gaji PPPK ke OPD penerima; tidak tercapainya pendapatan daerah",
    [
        new BudgetRevisionLine("1", 8_460_444_119m),
        new BudgetRevisionLine("1.1", 181_635_200m),
        new BudgetRevisionLine("1.2", 6_368_411_100m),
        new BudgetRevisionLine("2", 3_855_501_620m),
    ]);

    /// <summary>The agency, its rating scale (Surakarta Tabel 3.1 with the 55 gap closed, from 2021) and the Renstra 2021–2026.</summary>
    public static async Task PlanAsync(this SeedEvents seed, string agency)
    {
        await seed.AgencyAsync(agency, new RegisterAgency(agency, "BKPSDM Kota Surakarta"));
        var scale = RatingScale.SurakartaLkjipExplicit;
        await seed.AgencyAsync(agency, new SetRatingScale(scale.Name, 2021, scale.Bands));
        await seed.RenstraAsync(agency, RenstraStart,
            new CreateRenstra(agency, RenstraStart, 2026, "Renstra BKPSDM Kota Surakarta 2021-2026", "Perwali 29/2021"));
        foreach (var indicator in Indicators) await seed.RenstraAsync(agency, RenstraStart, indicator);
    }

    /// <summary>Plan, 2022 realizations (I1 0,65, I2 72), the 2023 PKs, APBD murni and perubahan, 2023 realizations and spending.</summary>
    public static async Task FullYearAsync(this SeedEvents seed, string agency)
    {
        await seed.PlanAsync(agency);
        await seed.YearAsync(agency, 2022, new RecordRealization("I1", Period.Y, 0.65m), new RecordRealization("I2", Period.Y, 72m));
        await seed.YearAsync(agency, Year, PkMurni, PkPerubahan, BudgetMurni, BudgetPerubahan,
            new RecordRealization("I1", Period.Y, 0.75m, ClaimedCapaian: 93.75m),
            new RecordRealization("I2", Period.Y, 75m, ClaimedCapaian: 100m),
            new RecordSpending("1", 8_149_751_661m, Period.Y),
            new RecordSpending("2", 3_649_094_188m, Period.Y));
    }
}
