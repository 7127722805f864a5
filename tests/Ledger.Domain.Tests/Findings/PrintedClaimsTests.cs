using System.Globalization;
using Ledger.Domain.Capaian;
using Ledger.Domain.Findings;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;
using Ledger.Domain.PerformanceYears.DeclaringClaims;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Tests.Support;
using static Ledger.Domain.Tests.Findings.AuditLog;

namespace Ledger.Domain.Tests.Findings;

/// <summary>
/// Claims a report prints that are not realizations (<see cref="ClaimsDeclared"/>), with the numbers of digest 001:
/// PMPRB 2023 has no realisasi yet Tabel 3.5 prints progress "100" toward 2026 (A9); where the realization exists the
/// claim is checked exactly as if it had been printed on it (the Kesimpulan's capaian, Tabel 3.2–3.4's progress); and
/// the absorption "96 %" printed for 95,56 (A24, a whole-percent rounding, info).
/// </summary>
public sealed class PrintedClaimsTests
{
    private const string Without = "capaian.claimed-without-realization";
    private const string Capaian = "capaian.claimed-mismatch";
    private const string Progress = "capaian.claimed-progress-mismatch";

    private static string S(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private static ClaimsDeclared Claims(string source, params ClaimDeclared[] claims) => new(source, claims);

    private static ClaimDeclared Claim(string code, decimal? capaian = null, decimal? progress = null, string period = "Y") =>
        new(code, period, capaian, progress, null);

    /// <summary>I5 Nilai PMPRB, Tabel 3.5: targets 2022 23,05, 2023 "24.05", 2026 (Akhir RPJMD) 27,05.</summary>
    private static IndicatorAdded Pmprb => Indicator("I5", unit: "nilai", targets: [(2022, 23.05m), (2023, 24.05m), (2026, 27.05m)]) with { EndTarget = 27.05m };

    // --- capaian.claimed-without-realization (A9) -------------------------------------------------------------------

    [Fact]
    public void GivenSurakartaPmprbProgressOf100WithoutRealisasi_WhenEvaluated_ThenItIsAFindingSayingNoCapaianCanBeComputed()
    {
        var log = new AuditLog();
        var added = log.R(Pmprb);
        var declared = log.Y(Claims("LKjIP 2023 Tabel 3.5", Claim("I5", progress: 100m)));

        var f = Assert.Single(log.Findings(Without));
        Assert.Equal("high", f.Severity);
        Assert.Equal("I5", f.Subject);
        Assert.Equal("I5 2023 (LKjIP 2023 Tabel 3.5): claimed progress 100 toward the Renstra end target (2026) 27.05, but I5 has no " +
                     "realization for 2023, so no capaian can be computed: a missing realization is not 100 (nor 0).", f.Message);
        Assert.Equal([added.Id, declared.Id], f.Evidence);
        // Nothing to recompute, so the mismatch rules stay silent; they are not the place for it.
        Assert.Empty(log.Findings(Progress));
        Assert.Empty(log.Findings(Capaian));
    }

    [Fact]
    public void GivenACapaianAndAProgressClaimWithoutRealization_WhenEvaluated_ThenOneFindingNamesBoth()
    {
        var log = new AuditLog();
        log.R(Pmprb);
        log.Y(Claims("LKjIP 2023 Tabel 3.5", Claim("I5", capaian: 100m, progress: 100m)));

        var f = Assert.Single(log.Findings(Without));
        Assert.Contains("claimed capaian 100 and progress 100 toward the Renstra end target (2026) 27.05", f.Message);
    }

    [Fact]
    public void GivenTheRealizationIsRecordedLater_WhenEvaluated_ThenTheClaimIsCheckedAgainstItInstead()
    {
        // A hypothetical PMPRB 2023 of 24,05: 24,05 / 27,05 = 88,91, so the printed 100 is a progress mismatch now.
        var log = new AuditLog();
        log.R(Pmprb);
        var declared = log.Y(Claims("LKjIP 2023 Tabel 3.5", Claim("I5", progress: 100m)));
        var r = log.Y(Realization("I5", 24.05m));

        Assert.Empty(log.Findings(Without));
        var f = Assert.Single(log.Findings(Progress));
        Assert.StartsWith("I5 2023 (LKjIP 2023 Tabel 3.5): claimed progress 100, recomputed 88.91", f.Message);
        Assert.Contains(declared.Id, f.Evidence);
        Assert.Contains(r.Id, f.Evidence);
    }

    [Fact]
    public void GivenAQuarterlyIndicator_WhenTheYearIsClaimed_ThenItsQuartersAreItsRealizationButAMissingQuarterIsNot()
    {
        // A count summed over the year (sum): Q1..Q4 = 10 + 20 + 30 + 40 = 100 against 100: the year's capaian 100 is right.
        var log = new AuditLog();
        log.R(Indicator("DIKLAT", unit: "kegiatan", targets: [(2023, 100m)]) with { Aggregation = "sum" });
        foreach (var (q, v) in new[] { ("Q1", 10m), ("Q2", 20m), ("Q3", 30m), ("Q4", 40m) }) log.Y(Realization("DIKLAT", v, period: q));
        log.Y(Claims("Laporan triwulan", Claim("DIKLAT", capaian: 100m), Claim("DIKLAT", capaian: 30m, period: "Q2")));

        Assert.Empty(log.Findings(Without));
        Assert.Empty(log.Findings(Capaian)); // Q2 cumulative 30 / 100 = 30

        var gap = new AuditLog();
        gap.R(Indicator("DIKLAT", unit: "kegiatan", targets: [(2023, 100m)]) with { Aggregation = "sum" });
        gap.Y(Realization("DIKLAT", 10m, period: "Q1"));
        gap.Y(Claims("Laporan triwulan", Claim("DIKLAT", capaian: 30m, period: "Q2")));
        var f = Assert.Single(gap.Findings(Without));
        Assert.Contains("DIKLAT 2023-Q2 (Laporan triwulan): claimed capaian 30, but DIKLAT has no realization for 2023-Q2", f.Message);
    }

    [Fact]
    public void GivenAClaimOfAnIndicatorNotInTheRenstraInForce_WhenEvaluated_ThenNoRuleJudgesIt()
    {
        var log = new AuditLog();
        log.Y(Claims("LKjIP 2023", Claim("GONE", capaian: 100m)));
        Assert.Empty(log.Findings(Without));
        Assert.Empty(log.Findings(Capaian));
    }

    // --- a declared claim with a realization is checked as if printed on it -----------------------------------------

    [Theory]
    // Tabel 3.2–3.4, "Tahun 2026 (Akhir RPJMD) Capaian (%)": printed 100 / 100 / 100 / 90 (A1, A5, A6, A8).
    [InlineData("I1", 0.80, 0.85, 0.75, 100)]
    [InlineData("I2", 75, 90, 75, 100)]
    [InlineData("I3", 86, 95, 86, 100)]
    [InlineData("I4", 80, 86, 75.5, 90)]
    public void GivenAProgressClaimDeclaredForARealization_WhenEvaluated_ThenTheFindingIsTheOnePrintedOnTheRealizationGives(
        string code, decimal target2023, decimal end2026, decimal realization, decimal claimed)
    {
        IndicatorAdded Added() => Indicator(code, targets: [(2023, target2023), (2026, end2026)]) with { EndTarget = end2026 };
        var onRealization = new AuditLog();
        onRealization.R(Added());
        onRealization.Y(Realization(code, realization) with { ClaimedProgress = claimed });

        var declared = new AuditLog();
        declared.R(Added());
        declared.Y(Realization(code, realization));
        declared.Y(Claims("LKjIP 2023 Tabel 3.x", Claim(code, progress: claimed)));

        var expected = Assert.Single(onRealization.Findings(Progress));
        var actual = Assert.Single(declared.Findings(Progress));
        Assert.Equal(expected.Severity, actual.Severity);
        Assert.Equal(expected.Subject, actual.Subject);
        // Same recomputation, same words; only the place it was printed is added.
        Assert.Equal(expected.Message.Replace($"{code} 2023:", $"{code} 2023 (LKjIP 2023 Tabel 3.x):", StringComparison.Ordinal), actual.Message);
        Assert.Equal(3, actual.Evidence.Count); // the declaration, the realization and the indicator with its end target
        Assert.Empty(declared.Findings(Without));
    }

    [Fact]
    public void GivenTheKesimpulanCapaianTable_WhenEvaluated_ThenOnlyTheClaimThatDoesNotRecomputeIsAFinding()
    {
        // Kesimpulan (L1044-1049): Indeks Merit 93,75; penempatan 100; berkinerja minimal baik 100; IPP 94,38; PMPRB "-".
        // I2 is measured against the PK perubahan 93 (75 → 80,65); 100 is the capaian against the Renstra's 75 (A11, T6).
        var log = new AuditLog();
        log.R(Indicator("I1", unit: "indeks", targets: [(2023, 0.80m)]));
        log.R(Indicator("I2", targets: [(2023, 75m)]));
        log.R(Indicator("I3", targets: [(2023, 86m)]));
        log.R(Indicator("I4", unit: "nilai", targets: [(2023, 80m)]));
        log.R(Pmprb);
        log.Y(Pk(("I2", 90m, 75m)));
        var pkp = log.Y(PkPerubahan([("I2", 93m, 75m)], [("I2", 90m, 93m)]));
        log.Y(Realization("I1", 0.75m));
        var i2 = log.Y(Realization("I2", 75m));
        log.Y(Realization("I3", 86m));
        log.Y(Realization("I4", 75.5m));
        var kesimpulan = log.Y(Claims("LKjIP 2023 Kesimpulan (L1044)",
            Claim("I1", capaian: 93.75m), Claim("I2", capaian: 100m), Claim("I3", capaian: 100m), Claim("I4", capaian: 94.38m)));

        var f = Assert.Single(log.Findings(Capaian));
        Assert.Equal("I2", f.Subject);
        Assert.Equal("I2 2023 (LKjIP 2023 Kesimpulan (L1044)): claimed capaian 100, recomputed 80.65 (75 against the pk-perubahan-1 target 93, " +
                     $"{CapaianCalculator.MethodHigher}); difference 19.35. The claim matches the capaian against the Renstra target 75.", f.Message);
        Assert.Equal([pkp.Id, i2.Id, kesimpulan.Id], f.Evidence); // in sequence order
        Assert.Empty(log.Findings(Without)); // PMPRB's "-" is no claim, so it is not declared
    }

    // --- the write -------------------------------------------------------------------------------------------------

    [Fact]
    public void GivenClaims_WhenDeclared_ThenTheEventKeepsThemAsPrinted()
    {
        var e = Expect.Single<ClaimsDeclared>(PerformanceYear.Decide(Surakarta.EmptyYear(), new DeclareClaims(" LKjIP 2023 Tabel 3.2 ",
            [new PrintedClaim("I1", Period.Y, ClaimedProgress: 100m, Note: " 2026 column "), new PrintedClaim("I2", Period.Q2, 80.65m, Note: " ")]),
            Surakarta.Context()));

        Assert.Equal("LKjIP 2023 Tabel 3.2", e.Source);
        Assert.Equal([new ClaimDeclared("I1", "Y", null, 100m, "2026 column"), new ClaimDeclared("I2", "Q2", 80.65m, null, null)], e.Claims);
    }

    public static TheoryData<DeclareClaims, string> BadClaims => new()
    {
        { new DeclareClaims(" ", [new PrintedClaim("I1", Period.Y, 93.75m)]), RuleCodes.DeclaredClaimsSourceRequired },
        { new DeclareClaims("LKjIP 2023", []), RuleCodes.DeclaredClaimsRequired },
        { new DeclareClaims("LKjIP 2023", [new PrintedClaim("I5", Period.Y, ClaimedProgress: 100m)]), RuleCodes.DeclaredClaimsUnknownIndicator },
        { new DeclareClaims("LKjIP 2023", [new PrintedClaim("I1", Period.Q1, 50m)]), RuleCodes.RealizationPeriodInvalid }, // I1 is annual
        { new DeclareClaims("LKjIP 2023", [new PrintedClaim("I1", Period.Y, 93.75m), new PrintedClaim("I1", Period.Y, ClaimedProgress: 100m)]),
            RuleCodes.DeclaredClaimsDuplicate },
        { new DeclareClaims("LKjIP 2023", [new PrintedClaim("I1", Period.Y, Note: "no figure")]), RuleCodes.DeclaredClaimFigureRequired },
        { new DeclareClaims("LKjIP 2023", [new PrintedClaim("I1", Period.Y, -1m)]), RuleCodes.DeclaredClaimNegative },
        { new DeclareClaims("LKjIP 2023", [new PrintedClaim("I1", Period.Y, ClaimedProgress: -0.01m)]), RuleCodes.DeclaredClaimNegative },
    };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public void GivenBadClaims_WhenDeclared_ThenTheyAreRefusedWithTheirRule(DeclareClaims command, string rule) =>
        Expect.Refused(PerformanceYear.Decide(Surakarta.EmptyYear(), command, Surakarta.Context()), rule);

    [Fact]
    public void GivenNoRenstraOrAClosedYear_WhenDeclaringClaims_ThenNotFoundOrYearClosed()
    {
        var command = new DeclareClaims("LKjIP 2023", [new PrintedClaim("I1", Period.Y, 93.75m)]);
        Expect.NotFound(PerformanceYear.Decide(Surakarta.EmptyYear(), command, new PerformanceYearContext(true, null)), "renstra");
        var closed = Surakarta.EmptyYear().Evolve(new YearClosed(new string('a', 64), "LKjIP", []));
        Expect.Refused(PerformanceYear.Decide(closed, command, Surakarta.Context()), RuleCodes.YearClosed);
    }

    // --- budget.absorption-claim-rounded / -mismatch (A24) ----------------------------------------------------------

    private const string Rounded = "budget.absorption-claim-rounded";
    private const string AbsorptionMismatch = "budget.absorption-claim-mismatch";

    /// <summary>Surakarta 2023: pagu in force 14.231.127.419, spent 13.598.914.845 (95,5575 %).</summary>
    private static (AuditLog Log, AuditedEvent Declared) Absorption(string source, decimal claimed)
    {
        var state = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.BudgetMurni, Surakarta.BudgetPerubahan,
            new RecordSpending("1", 8_149_751_661m, Period.Y), new RecordSpending("2", 3_649_094_188m, Period.Y),
            new RecordSpending("4", 1_800_068_996m, Period.Y));
        var e = Expect.Single<BudgetTotalsDeclared>(PerformanceYear.Decide(state,
            new DeclareBudgetTotals(source, [new DeclaredBudgetFigures("total", ClaimedAbsorption: claimed)]), Surakarta.Context()));
        Assert.Equal(claimed, e.Totals[0].ClaimedAbsorption);
        var log = new AuditLog();
        return (log, log.Y(e));
    }

    [Fact]
    public void GivenSurakartaAbsorptionOf96_WhenEvaluated_ThenItIsAnInfoFindingThatItIsAWholePercentRounding()
    {
        // A24 (L999, L1069): "96 %"; the belanja table prints 95.56 = 13.598.914.845 / 14.231.127.419 = 95,5575.
        var (log, declared) = Absorption("LKjIP 2023 Realisasi Anggaran (L999)", 96m);

        var f = Assert.Single(log.Findings(Rounded));
        Assert.Equal("info", f.Severity);
        Assert.Equal("total", f.Subject);
        Assert.Equal("2023 (LKjIP 2023 Realisasi Anggaran (L999)): the budget total claims absorption 96 %; spent 13598914845 / pagu " +
                     "14231127419 = 95.56 %: the claim is that rounded to a whole percent.", f.Message);
        Assert.Equal([declared.Id], f.Evidence);
        Assert.Empty(log.Findings(AbsorptionMismatch));
    }

    [Theory]
    [InlineData(95.56, null)]        // the belanja table's own figure
    [InlineData(95.5575, null)]      // more decimals, rounds to 95,56
    [InlineData(95.6, Rounded)]      // one decimal
    [InlineData(97, AbsorptionMismatch)]
    [InlineData(95.55, AbsorptionMismatch)] // truncated, like 102,8 for 102,857
    public void GivenOtherAbsorptionClaims_WhenEvaluated_ThenOnlyWrongOnesAreMismatchesAndRoundingsAreInfo(decimal claimed, string? rule)
    {
        var (log, _) = Absorption("LKjIP 2023", claimed);
        var all = FindingRules.Evaluate(log.Input()).Where(f => f.Rule is Rounded or AbsorptionMismatch).ToList();
        if (rule is null) Assert.Empty(all);
        else Assert.Equal(rule, Assert.Single(all).Rule);
        if (rule == AbsorptionMismatch) Assert.Contains($"claims absorption {S(claimed)} % but spent 13598914845 / pagu 14231127419 = 95.56 %", all[0].Message);
    }
}
