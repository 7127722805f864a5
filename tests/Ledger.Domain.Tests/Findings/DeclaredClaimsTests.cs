using Ledger.Domain.Capaian;
using Ledger.Domain.Findings;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.DeclaringTargets;
using Ledger.Domain.Tests.Support;
using static Ledger.Domain.Tests.Findings.AuditLog;

namespace Ledger.Domain.Tests.Findings;

/// <summary>
/// Issue 6's three missing kinds of findings, with the digests' numbers: printed progress toward the Renstra's
/// end-of-period target (001 A1/A5/A6/A8), targets printed differently in two tables (004 §6.2), and efficiency
/// claims on totals (001 A21/A23). Each rule has a case that raises it and one the document got right that must not.
/// </summary>
public sealed class DeclaredClaimsTests
{
    // --- capaian.claimed-progress-mismatch ---------------------------------------------------------------------------

    private const string Progress = "capaian.claimed-progress-mismatch";

    private static RealizationRecorded WithProgress(string code, decimal value, decimal claimedProgress) =>
        Realization(code, value) with { ClaimedProgress = claimedProgress };

    [Theory]
    // Tabel 3.2–3.4, "Tahun 2026 (Akhir RPJMD) Capaian (%)": printed 100 / 100 / 100 / 90 (digest 001 §3.2).
    [InlineData("I1", 0.80, 0.85, 0.75, 100, "recomputed 88.24")]
    [InlineData("I2", 75, 90, 75, 100, "recomputed 83.33")]
    [InlineData("I3", 86, 95, 86, 100, "recomputed 90.53")]
    [InlineData("I4", 80, 86, 75.5, 90, "recomputed 87.79")]
    public void GivenSurakartaPrintedProgressTo2026_WhenEvaluated_ThenEachIsAFindingWithTheRecomputation(
        string code, decimal target2023, decimal end2026, decimal realization, decimal claimed, string recomputed)
    {
        var log = new AuditLog();
        var added = log.R(Indicator(code, targets: [(2023, target2023), (2026, end2026)]) with { EndTarget = end2026 });
        var r = log.Y(WithProgress(code, realization, claimed));

        var f = Assert.Single(log.Findings(Progress));
        Assert.Equal("high", f.Severity);
        Assert.Equal(code, f.Subject);
        Assert.Contains($"claimed progress {claimed.ToString(System.Globalization.CultureInfo.InvariantCulture)}", f.Message);
        Assert.Contains(recomputed, f.Message);
        Assert.Contains("Renstra end target (2026)", f.Message);
        Assert.Equal([added.Id, r.Id], f.Evidence);
    }

    [Theory]
    [InlineData(88.24)]   // the recomputation, as display rounding shows it
    [InlineData(88.235)]  // half-up to 88,24
    [InlineData(88.2353)] // printed with more decimals
    public void GivenAProgressClaimThatRecomputes_WhenEvaluated_ThenNoFinding(decimal claimed)
    {
        var log = new AuditLog();
        log.R(Indicator("I1", targets: [(2023, 0.80m), (2026, 0.85m)])); // no endTarget: the plan's last year (2026) is the end
        log.Y(WithProgress("I1", 0.75m, claimed));
        log.Y(Realization("I3", 86m, claimed: 100m)); // a capaian claim alone is no progress claim

        Assert.Empty(log.Findings(Progress));
    }

    [Fact]
    public void GivenALowerIsBetterIndicator_WhenProgressIsClaimedWithTheRatioInsteadOfItsFormula_ThenTheRecomputationUsesItsFormula()
    {
        // Paser "Persentase ASN yang Pernah Mendapatkan Hukuman Disiplin": end target 0,60 (lower is better, inverse-2t);
        // a hypothetical realization 0,95 (004 digest §7 S5 (c) uses 0,95): (2×0,60 − 0,95) / 0,60 = 41,67; T/R would be 63,16.
        var log = new AuditLog();
        log.R(Indicator("DISIPLIN", polarity: "lower", targets: [(2023, 1.00m), (2026, 0.60m)]));
        log.Y(WithProgress("DISIPLIN", 0.95m, 63.16m));

        var f = Assert.Single(log.Findings(Progress));
        Assert.Contains("recomputed 41.67", f.Message);
        Assert.Contains(CapaianCalculator.MethodInverse2T, f.Message);

        var right = new AuditLog();
        right.R(Indicator("DISIPLIN", polarity: "lower", targets: [(2023, 1.00m), (2026, 0.60m)]));
        right.Y(WithProgress("DISIPLIN", 0.95m, 41.67m));
        Assert.Empty(right.Findings(Progress));
    }

    [Fact]
    public void GivenAProgressClaimWithoutAnEndTarget_WhenEvaluated_ThenTheFindingSaysNoProgressExists()
    {
        // I9 (SKM) has targets for 2022 and 2023 only: nothing to measure progress against.
        var log = new AuditLog();
        log.R(Indicator("I9", unit: "nilai", targets: [(2022, 89m), (2023, 90m)]));
        log.Y(WithProgress("I9", 92.93m, 100m));

        var f = Assert.Single(log.Findings(Progress));
        Assert.Contains("no end target", f.Message);
    }

    [Fact]
    public void GivenClaimedProgress_WhenRecorded_ThenTheEventKeepsItAsPrinted()
    {
        var e = Expect.Single<RealizationRecorded>(PerformanceYear.Decide(Surakarta.EmptyYear(),
            new RecordRealization("I1", Period.Y, 0.75m, ClaimedCapaian: 93.75m, ClaimedProgress: 100m), Surakarta.Context()));
        Assert.Equal(100m, e.ClaimedProgress);
        Assert.Equal(93.75m, e.ClaimedCapaian);
    }

    // --- target.differs-between-tables -------------------------------------------------------------------------------

    private const string BetweenTables = "target.differs-between-tables";

    /// <summary>Paser Renstra 2025–2029 with its transition year 2030 (Tabel 4.1 runs 2026–2030).</summary>
    private static AuditLog Paser() => new(new RenstraCreated("a", 2025, 2029, "Renstra BKPSDM Kabupaten Paser 2025-2029", null, 2030));

    private static IndicatorAdded Program(string code, params (int Year, decimal Target)[] targets) =>
        Indicator(code, targets: targets) with { Level = "program", Kind = "other", TargetsSource = "Renstra 2025-2029 Tabel 4.1" };

    private static readonly (int, decimal)[] StandarKompetensiTabel41 = [(2026, 82m), (2027, 85m), (2028, 87m), (2029, 60m), (2030, 60m)];
    private static readonly Dictionary<int, decimal> StandarKompetensiTabel44 = new() { [2026] = 52m, [2027] = 55m, [2028] = 57m, [2029] = 60m, [2030] = 60m };

    /// <summary>Declares through the decision, so the event carries the Renstra target as it stood (as the service does).</summary>
    private static AuditedEvent Declare(AuditLog log, DeclareTargets command) =>
        log.R(Expect.Single<TargetsDeclared>(Renstra.Decide(Renstra.Replay(log.Renstra.Select(e => e.Event)), command, new RenstraContext(true))));

    [Theory]
    // 004 digest §6.2: "Persentase ASN Yang Memenuhi Standar Kompetensi Jabatan" Tabel 4.1 82/85/87/60/60 vs Tabel 4.4 52/55/57/60/60.
    [InlineData(2026, 52, 82)]
    [InlineData(2027, 55, 85)]
    [InlineData(2028, 57, 87)]
    public void GivenPaserStandarKompetensiInTabel44_WhenEvaluated_ThenTheYearsThatDifferAreFindingsNamingBothTables(int year, decimal printed, decimal renstra)
    {
        var log = Paser();
        var added = log.R(Program("5.04.02/2", StandarKompetensiTabel41));
        var declared = Declare(log, new DeclareTargets("5.04.02/2", "Renstra 2025-2029 Tabel 4.4", StandarKompetensiTabel44));

        var f = Assert.Single(log.FindingsOfYear(year, BetweenTables));
        Assert.Equal("high", f.Severity);
        Assert.Equal("5.04.02/2", f.Subject);
        Assert.Contains($"5.04.02/2 {year}: Renstra 2025-2029 Tabel 4.4 prints {printed} but the Renstra target (Renstra 2025-2029 Tabel 4.1) is {renstra}", f.Message);
        Assert.Contains("difference -30", f.Message);
        Assert.Equal([added.Id, declared.Id], f.Evidence);
    }

    [Theory]
    [InlineData(2029)] // 60 in both tables
    [InlineData(2030)]
    [InlineData(2025)] // no target in either table
    public void GivenPaserStandarKompetensi_WhenBothTablesAgree_ThenNoFinding(int year)
    {
        var log = Paser();
        log.R(Program("5.04.02/2", StandarKompetensiTabel41));
        Declare(log, new DeclareTargets("5.04.02/2", "Renstra 2025-2029 Tabel 4.4", StandarKompetensiTabel44));
        // "Persentase ASN Yang Naik Jenjang": Tabel 4.4 prints exactly the Tabel 4.1 values.
        log.R(Program("5.04.02/1", (2026, 75m), (2027, 75m), (2028, 78m), (2029, 80m), (2030, 80m)));
        Declare(log, new DeclareTargets("5.04.02/1", "Renstra 2025-2029 Tabel 4.4",
            new Dictionary<int, decimal> { [2026] = 75m, [2027] = 75m, [2028] = 78m, [2029] = 80m, [2030] = 80m }));

        Assert.Empty(log.FindingsOfYear(year, BetweenTables));
        Assert.DoesNotContain(log.FindingsOfYear(2026, BetweenTables), f => f.Subject == "5.04.02/1");
    }

    [Fact]
    public void GivenARenstraRevisionAfterTheDeclaration_WhenEvaluated_ThenTheFindingKeepsTheTargetAsDeclaredAndSaysWhatItIsNow()
    {
        var log = Paser();
        log.R(Program("5.04.02/2", StandarKompetensiTabel41));
        Declare(log, new DeclareTargets("5.04.02/2", "Renstra 2025-2029 Tabel 4.4", StandarKompetensiTabel44));
        log.R(RenstraRevision("5.04.02/2", 2026, 82m, 52m, "Penyelarasan dengan Tabel 4.4"));

        var f = Assert.Single(log.FindingsOfYear(2026, BetweenTables));
        Assert.Contains("prints 52 but the Renstra target (Renstra 2025-2029 Tabel 4.1) is 82", f.Message);
        Assert.Contains("now 52 after a later revision", f.Message);
    }

    [Fact]
    public void GivenTwoDeclarationsOfTheSameTable_WhenEvaluated_ThenTheLatestCounts()
    {
        var log = Paser();
        log.R(Program("5.04.02/2", StandarKompetensiTabel41));
        Declare(log, new DeclareTargets("5.04.02/2", "Tabel 4.4", new Dictionary<int, decimal> { [2026] = 52m }));
        Declare(log, new DeclareTargets("5.04.02/2", "Tabel 4.4", new Dictionary<int, decimal> { [2026] = 82m }, "misread on first entry"));

        Assert.Empty(log.FindingsOfYear(2026, BetweenTables));
    }

    [Fact]
    public void GivenDeclaredTargets_WhenDecided_ThenTheEventKeepsTheRenstraTargetOfEachYear()
    {
        var log = Paser();
        log.R(Program("5.04.02/2", (2026, 82m)));
        var e = Expect.Single<TargetsDeclared>(Renstra.Decide(Renstra.Replay(log.Renstra.Select(x => x.Event)),
            new DeclareTargets("5.04.02/2", "  Tabel 4.4 ", new Dictionary<int, decimal> { [2027] = 55m, [2026] = 52m }, " "), new RenstraContext(true)));

        Assert.Equal("Tabel 4.4", e.Source);
        Assert.Null(e.Note);
        Assert.Equal([new DeclaredTarget(2026, 52m, 82m), new DeclaredTarget(2027, 55m, null)], e.Targets);
    }

    public static TheoryData<DeclareTargets, string> BadDeclarations => new()
    {
        { new DeclareTargets("5.04.02/2", " ", new Dictionary<int, decimal> { [2026] = 52m }), RuleCodes.DeclaredTargetsSourceRequired },
        { new DeclareTargets("NOPE", "Tabel 4.4", new Dictionary<int, decimal> { [2026] = 52m }), RuleCodes.DeclaredTargetsUnknownIndicator },
        { new DeclareTargets("5.04.02/2", "Tabel 4.4", new Dictionary<int, decimal>()), RuleCodes.DeclaredTargetsRequired },
        { new DeclareTargets("5.04.02/2", "Tabel 4.4", new Dictionary<int, decimal> { [2031] = 60m }), RuleCodes.IndicatorTargetYearOutsidePeriod },
        { new DeclareTargets("5.04.02/2", "Tabel 4.4", new Dictionary<int, decimal> { [2026] = -1m }), RuleCodes.IndicatorTargetNegative },
    };

    [Theory]
    [MemberData(nameof(BadDeclarations))]
    public void GivenABadDeclaration_WhenDecided_ThenItIsRefusedWithItsRule(DeclareTargets command, string rule)
    {
        var log = Paser();
        log.R(Program("5.04.02/2", StandarKompetensiTabel41));
        Expect.Refused(Renstra.Decide(Renstra.Replay(log.Renstra.Select(e => e.Event)), command, new RenstraContext(true)), rule);
    }

    [Fact]
    public void GivenNoRenstra_WhenDeclaring_ThenNotFound() =>
        Expect.NotFound(Renstra.Decide(RenstraState.Initial, new DeclareTargets("X", "Tabel 4.4", new Dictionary<int, decimal> { [2026] = 1m }),
            new RenstraContext(true)), "renstra");

    // --- budget.efficiency-claim-mismatch / budget.declared-total-mismatch on declared totals -----------------------

    private const string Efficiency = "budget.efficiency-claim-mismatch";
    private const string Declared = "budget.declared-total-mismatch";

    /// <summary>Surakarta 2023: APBD murni and perubahan, spending per program (digest 001 §2.5, §4.4): pagu in force
    /// 14.231.127.419, spent 13.598.914.845.</summary>
    private static PerformanceYearState SurakartaBudgetSpent() => Surakarta.Apply(Surakarta.EmptyYear(),
        Surakarta.BudgetMurni, Surakarta.BudgetPerubahan,
        new RecordSpending("1", 8_149_751_661m, Period.Y), new RecordSpending("2", 3_649_094_188m, Period.Y),
        new RecordSpending("4", 1_800_068_996m, Period.Y));

    private static (AuditLog Log, AuditedEvent Declared) LogDeclaring(params DeclaredBudgetFigures[] totals) =>
        LogDeclaring("LKjIP 2023", totals);

    private static (AuditLog Log, AuditedEvent Declared) LogDeclaring(string source, params DeclaredBudgetFigures[] totals)
    {
        var e = Expect.Single<BudgetTotalsDeclared>(PerformanceYear.Decide(SurakartaBudgetSpent(), new DeclareBudgetTotals(source, totals), Surakarta.Context()));
        var log = new AuditLog();
        return (log, log.Y(e));
    }

    [Fact]
    public void GivenDeclaredTotals_WhenDecided_ThenTheEventKeepsThePaguInForceAndTheSpendingOnRecord()
    {
        var e = Expect.Single<BudgetTotalsDeclared>(PerformanceYear.Decide(SurakartaBudgetSpent(),
            new DeclareBudgetTotals(" LKjIP 2023 Kesimpulan (L1069) ", [new("total", ClaimedEfficiency: 3.64m), new("2", ClaimedEfficiency: 5.36m)]),
            Surakarta.Context()));
        Assert.Equal("LKjIP 2023 Kesimpulan (L1069)", e.Source);
        Assert.Equal(14_231_127_419m, e.Totals[0].PaguOnRecord);
        Assert.Equal(13_598_914_845m, e.Totals[0].SpentOnRecord);
        Assert.Equal(3_855_501_620m, e.Totals[1].PaguOnRecord);
        Assert.Equal(3_649_094_188m, e.Totals[1].SpentOnRecord);
    }

    [Fact]
    public void GivenSurakartaKesimpulanClaim_WhenEvaluated_ThenAmountAndPercentAreAFindingWithTheRecomputation()
    {
        // 001 A23 (L1069): "efisiensi sebesar Rp.502.637.577,00 atau 3,64%"; pagu − realisasi = 632.212.574 = 4,44 %.
        var (log, declared) = LogDeclaring("LKjIP 2023 Kesimpulan (L1069)",
            new DeclaredBudgetFigures("total", 14_231_127_419m, 13_598_914_845m, 3.64m, 502_637_577m));

        var f = Assert.Single(log.Findings(Efficiency));
        Assert.Equal("total", f.Subject);
        Assert.Contains("claims efficiency Rp 502637577 = 3.64 %", f.Message);
        Assert.Contains("pagu 14231127419 − spent 13598914845 = 632212574 = 4.44 % of the pagu", f.Message);
        Assert.Contains("the claimed amount is 3.53 % of the pagu", f.Message);
        Assert.Equal([declared.Id], f.Evidence);
        Assert.Empty(log.Findings(Declared)); // the printed pagu and realisasi are right
    }

    [Fact]
    public void GivenSurakartaIndeksMeritClaimOnAWrongPagu_WhenEvaluated_ThenTheEfficiencyAndThePaguAreFindings()
    {
        // 001 A21 (L738): "pagu 13.964.935.419 … efisiensi anggaran sebesar 4,45%": the total pagu is 14.231.127.419
        // (Δ 266.192.000) and its efficiency 4,44 %; on the printed pagu it would be 2,62 %.
        var (log, _) = LogDeclaring("LKjIP 2023 Indeks Merit (L738)", new DeclaredBudgetFigures("total", 13_964_935_419m, ClaimedEfficiency: 4.45m));

        var f = Assert.Single(log.Findings(Efficiency));
        Assert.Contains("claims efficiency 4.45 %", f.Message);
        Assert.Contains("= 4.44 % of the pagu", f.Message);
        Assert.Contains("on the printed pagu 13964935419 with spending 13598914845 it would be 2.62 %", f.Message);
        var d = Assert.Single(log.Findings(Declared));
        Assert.Contains("pagu 13964935419 but the pagu in force is 14231127419 (Δ 266192000)", d.Message);
    }

    [Fact]
    public void GivenSurakartaFiguresTheDocumentGotRight_WhenEvaluated_ThenNoFinding()
    {
        // The belanja table (L1001-1012): anggaran 14.231.127.419, realisasi 13.598.914.845, SURPLUS/DEFISIT 632.212.574;
        // Program Penunjang's 3,67 % (L861); a percent printed with more decimals (4,4425) rounds to the recomputed 4,44.
        var (log, _) = LogDeclaring("LKjIP 2023 belanja table",
            new DeclaredBudgetFigures("total", 14_231_127_419m, 13_598_914_845m, 4.4425m, 632_212_574m),
            new DeclaredBudgetFigures("1", 8_460_444_119m, 8_149_751_661m, 3.67m));

        Assert.Empty(log.Findings(Efficiency));
        Assert.Empty(log.Findings(Declared));
    }

    [Fact]
    public void GivenAProgramClaimOnTheDeclaredTotals_WhenItDoesNotRecompute_ThenItIsAFindingOnTheLine()
    {
        // A22 again, declared on the line: 206.407.432 / 3.855.501.620 = 5,3536 % → 5,35, printed 5,36.
        var (log, _) = LogDeclaring(new DeclaredBudgetFigures("2", ClaimedEfficiency: 5.36m), new DeclaredBudgetFigures("4", Spent: 1_800_068_996m));

        var f = Assert.Single(log.Findings(Efficiency));
        Assert.Equal("2", f.Subject);
        Assert.Contains("= 5.35 % of the pagu", f.Message);
        Assert.Empty(log.Findings(Declared));
    }

    public static TheoryData<DeclaredBudgetFigures[], string> BadTotals => new()
    {
        { [new DeclaredBudgetFigures("9", ClaimedEfficiency: 1m)], RuleCodes.BudgetDeclaredTotalUnknownCode },
        { [new DeclaredBudgetFigures("total", ClaimedEfficiency: 1m), new DeclaredBudgetFigures("total", Pagu: 1m)], RuleCodes.BudgetDuplicateCode },
        { [new DeclaredBudgetFigures("total")], RuleCodes.DeclaredBudgetTotalFigureRequired },
        { [new DeclaredBudgetFigures("total", Pagu: -1m)], RuleCodes.DeclaredBudgetTotalNegative },
        { [new DeclaredBudgetFigures("1", Spent: -1m)], RuleCodes.DeclaredBudgetTotalNegative },
        { [], RuleCodes.DeclaredBudgetTotalsRequired },
    };

    [Theory]
    [MemberData(nameof(BadTotals))]
    public void GivenBadDeclaredTotals_WhenDecided_ThenTheyAreRefusedWithTheirRule(DeclaredBudgetFigures[] totals, string rule) =>
        Expect.Refused(PerformanceYear.Decide(SurakartaBudgetSpent(), new DeclareBudgetTotals("LKjIP 2023", totals), Surakarta.Context()), rule);

    [Fact]
    public void GivenNoBudgetOrNoSource_WhenDeclaringTotals_ThenRefused()
    {
        Expect.Refused(PerformanceYear.Decide(Surakarta.EmptyYear(), new DeclareBudgetTotals("LKjIP 2023", [new("total", ClaimedEfficiency: 3.64m)]),
            Surakarta.Context()), RuleCodes.DeclaredBudgetTotalsWithoutBudget);
        Expect.Refused(PerformanceYear.Decide(SurakartaBudgetSpent(), new DeclareBudgetTotals(" ", [new("total", ClaimedEfficiency: 3.64m)]),
            Surakarta.Context()), RuleCodes.DeclaredBudgetTotalsSourceRequired);
    }

    [Fact]
    public void GivenANegativeEfficiencyClaim_WhenSpendingExceedsThePagu_ThenItIsAcceptedAndChecked()
    {
        // Overspending gives a negative efficiency; the claim is a claim like any other.
        var state = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.BudgetMurni, new RecordSpending("4.1", 900_000_000m, Period.Y));
        var e = Expect.Single<BudgetTotalsDeclared>(PerformanceYear.Decide(state,
            new DeclareBudgetTotals("LKjIP", [new("4.1", ClaimedEfficiency: -5.54m, ClaimedEfficiencyAmount: -47_256_112m)]), Surakarta.Context()));
        var log = new AuditLog();
        log.Y(e);
        Assert.Empty(log.Findings(Efficiency)); // 852.743.888 − 900.000.000 = −47.256.112 = −5,54 %
    }
}
