using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.Findings;
using static Ledger.Domain.Tests.Findings.AuditLog;

namespace Ledger.Domain.Tests.Findings;

/// <summary>Every rule of docs/findings.md with a case that raises it and one that must not (numbers from digest 001).</summary>
public sealed class FindingRulesTests
{
    private static readonly (string, decimal, decimal?)[] PkI2Murni = [("I2", 90m, 75m)];

    // --- capaian.claimed-mismatch ------------------------------------------------------------------------------------

    [Fact]
    public void GivenI2Realization75Claimed100AndPkPerubahan93_WhenEvaluated_ThenClaimMismatchCitesRealizationAndPk()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.Y(Pk(PkI2Murni));
        var pk = log.Y(PkPerubahan([("I2", 93m, 75m)], [("I2", 90m, 93m)]));
        var realization = log.Y(Realization("I2", 75m, claimed: 100m));

        var f = Assert.Single(log.Findings("capaian.claimed-mismatch"));
        Assert.Equal("high", f.Severity);
        Assert.Equal("I2", f.Subject);
        Assert.Contains("recomputed 80.65", f.Message);
        Assert.Contains("matches the capaian against the Renstra target 75", f.Message);
        Assert.Equal([pk.Id, realization.Id], f.Evidence);
        Assert.Equal([pk.Sequence, realization.Sequence], f.Sequences);
    }

    [Theory]
    [InlineData(80.65, 0)] // equal after rounding both to 2 decimals
    [InlineData(80.645, 0)] // 80,645 → 80,65 half-up
    [InlineData(80.64, 1)]
    public void GivenClaimNearTheRecomputation_WhenEvaluated_ThenOnlyADifferenceAfterRoundingIsAFinding(decimal claimed, int expected)
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.Y(Pk(("I2", 93m, 75m)));
        log.Y(Realization("I2", 75m, claimed));
        Assert.Equal(expected, log.Findings("capaian.claimed-mismatch").Count);
    }

    [Fact]
    public void GivenTruncatedPrintedCapaian102_8For72Over70_WhenEvaluated_ThenFlagged()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 70m)));
        log.Y(Realization("I2", 72m, claimed: 102.8m));
        Assert.Contains("recomputed 102.86", Assert.Single(log.Findings("capaian.claimed-mismatch")).Message);
    }

    // --- budget.* ------------------------------------------------------------------------------------------------------

    private static AuditLog SurakartaBudget(out Ledger.Domain.History.AuditedEvent enacted, out Ledger.Domain.History.AuditedEvent revised)
    {
        var log = new AuditLog();
        enacted = log.Y(Budget([("P1", null, 15_625_599_024m), ("P1.1", "P1", 372_405_842m), ("P1.2", "P1", 13_368_926_766m),
            ("P1.3", "P1", 520_172_956m), ("P1.4", "P1", 312_206_140m), ("P1.5", "P1", 282_829_720m), ("P1.6", "P1", 309_153_000m),
            ("P1.7", "P1", 459_904_600m), ("P2", null, 4_490_649_338m), ("P2.1", "P2", 1_822_062_218m), ("P2.2", "P2", 744_326_074m),
            ("P2.3", "P2", 823_111_075m), ("P2.4", "P2", 1_101_149_971m)]));
        revised = log.Y(BudgetRevision(20_116_248_362m, 12_315_945_739m,
            ("P1", null, 15_625_599_024m, 8_460_444_119m), ("P1.1", "P1", 372_405_842m, 181_635_200m), ("P1.2", "P1", 13_368_926_766m, 6_368_411_100m),
            ("P1.3", "P1", 520_172_956m, 425_455_720m), ("P1.4", "P1", 312_206_140m, 370_239_259m), ("P1.5", "P1", 282_829_720m, 495_858_000m),
            ("P1.6", "P1", 309_153_000m, 293_942_740m), ("P1.7", "P1", 459_904_600m, 293_942_740m),
            ("P2", null, 4_490_649_338m, 3_855_501_620m), ("P2.1", "P2", 1_822_062_218m, 1_541_889_100m), ("P2.2", "P2", 744_326_074m, 501_557_000m),
            ("P2.3", "P2", 823_111_075m, 930_744_547m), ("P2.4", "P2", 1_101_149_971m, 881_310_973m)));
        return log;
    }

    [Fact]
    public void GivenSurakartaApbdPerubahan_WhenEvaluated_ThenProgramPenunjangRollupIsOffBy30959360AndKepegawaianPasses()
    {
        var log = SurakartaBudget(out var enacted, out var revised);
        var f = Assert.Single(log.Findings("budget.rollup-mismatch")); // P1 perubahan only: P1 murni and P2 (T8 control) reconcile
        Assert.Equal("P1", f.Subject);
        Assert.Contains("8460444119", f.Message);
        Assert.Contains("8429484759", f.Message);
        Assert.Contains("Δ -30959360", f.Message);
        Assert.Equal([enacted.Id, revised.Id], f.Evidence);
    }

    [Fact]
    public void GivenTwoSiblingsWithTheSamePagu_WhenEvaluated_ThenDuplicateFlaggedOnceAndDistinctSiblingsNot()
    {
        var log = SurakartaBudget(out _, out var revised);
        var f = Assert.Single(log.Findings("budget.duplicate-sibling-pagu"));
        Assert.Equal("P1.6,P1.7", f.Subject);
        Assert.Contains(revised.Id, f.Evidence);

        var clean = new AuditLog();
        clean.Y(Budget([("P", null, 3m), ("P.1", "P", 1m), ("P.2", "P", 2m)]));
        Assert.Empty(clean.Findings("budget.duplicate-sibling-pagu"));
    }

    [Fact]
    public void GivenDeclaredTotalThatDoesNotFoot_WhenEvaluated_ThenMismatchWithDifference()
    {
        var log = new AuditLog();
        var enacted = log.Y(Budget([("K1", null, 22_000_000_000m), ("K2", null, 310_994_061m)], ("total", 28_326_872_398m)));
        var f = Assert.Single(log.Findings("budget.declared-total-mismatch"));
        Assert.Equal("total", f.Subject);
        Assert.Contains("Δ -6015878337", f.Message); // 001 digest A27: Σ 22.310.994.061 vs Jumlah 28.326.872.398
        Assert.Equal([enacted.Id], f.Evidence);
    }

    [Fact]
    public void GivenDeclaredTotalsThatFoot_WhenEvaluated_ThenNoFinding()
    {
        var log = new AuditLog();
        log.Y(Budget([("P", null, 3m), ("P.1", "P", 1m), ("P.2", "P", 2m)], ("total", 3m), ("P", 3m)));
        Assert.Empty(log.Findings("budget.declared-total-mismatch"));
        Assert.Empty(log.Findings("budget.rollup-mismatch"));
    }

    [Fact]
    public void GivenSpendingFlaggedAbovePagu_WhenEvaluated_ThenFindingCitesIt_AndWithinPaguIsNot()
    {
        var log = new AuditLog();
        log.Y(Budget([("P", null, 100m)]));
        log.Y(Spending("P", 90m, 90m, 100m, false));
        var over = log.Y(Spending("P", 20m, 110m, 100m, true));
        var f = Assert.Single(log.Findings("budget.spending-above-pagu"));
        Assert.Equal([over.Id], f.Evidence);
    }

    // --- budget.efficiency-claim-mismatch ------------------------------------------------------------------------------

    [Fact]
    public void GivenSurakartaEfficiencyClaims_WhenEvaluated_ThenOnlyTheOneThatDoesNotRecomputeIsAFinding()
    {
        // Digest 001 §4.4: Program Penunjang 3,67 % is right; Kepegawaian prints 5,36 % for 206.407.432 / 3.855.501.620 = 5,3536 % (A22).
        var log = new AuditLog();
        log.Y(Budget([("P1", null, 8_460_444_119m), ("P2", null, 3_855_501_620m)]));
        log.Y(new SpendingRecorded("P1", 8_149_751_661m, "Y", 8_149_751_661m, 8_460_444_119m, false, 3.67m));
        var wrong = log.Y(new SpendingRecorded("P2", 3_649_094_188m, "Y", 3_649_094_188m, 3_855_501_620m, false, 5.36m));
        log.Y(AuditLog.Spending("P3", 1m, 1m, 2m, false)); // no claim, no finding

        var f = Assert.Single(log.Findings("budget.efficiency-claim-mismatch"));
        Assert.Equal("P2", f.Subject);
        Assert.Contains("claims efficiency 5.36 %", f.Message);
        Assert.Contains("5.35 %", f.Message);
        Assert.Equal([wrong.Id], f.Evidence);
    }

    // --- pk.target-differs-from-renstra --------------------------------------------------------------------------------

    [Fact]
    public void GivenPkTargetsDifferingFromRenstraWithoutRevision_WhenEvaluated_ThenOneFindingPerIndicatorListingVersions()
    {
        var log = new AuditLog();
        var added = log.R(Indicator("I2", targets: (2023, 75m)));
        log.R(Indicator("I9", unit: "nilai", targets: (2023, 68.58m)));
        var murni = log.Y(Pk(("I2", 90m, 75m), ("I9", 68.58m, 68.58m)));
        var perubahan = log.Y(PkPerubahan([("I2", 93m, 75m), ("I9", 68.58m, 68.58m)], [("I2", 90m, 93m)]));

        var f = Assert.Single(log.Findings("pk.target-differs-from-renstra"));
        Assert.Equal("I2", f.Subject);
        Assert.Contains("PK murni 90 vs Renstra 75; PK perubahan 1 93 vs Renstra 75", f.Message);
        Assert.Contains("No Renstra revision", f.Message);
        Assert.Equal([added.Id, murni.Id, perubahan.Id], f.Evidence);
    }

    [Fact]
    public void GivenRenstraRevisedBeforeSigningToThePkTarget_WhenEvaluated_ThenNoFinding()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.R(RenstraRevision("I2", 2023, 75m, 90m));
        log.Y(Pk(("I2", 90m, 90m))); // the Renstra target when signed, as the decision records it
        Assert.Empty(log.Findings("pk.target-differs-from-renstra"));
    }

    // --- target.revised-after-realization ------------------------------------------------------------------------------

    [Fact]
    public void GivenPkPerubahanAfterTheRealization_WhenEvaluated_ThenFlagged_AndBeforeItNot()
    {
        var after = new AuditLog();
        after.R(Indicator("I2", targets: (2023, 75m)));
        after.Y(Pk(PkI2Murni));
        var realization = after.Y(Realization("I2", 75m));
        var revision = after.Y(PkPerubahan([("I2", 93m, 75m)], [("I2", 90m, 93m)]));
        var f = Assert.Single(after.Findings("target.revised-after-realization"));
        Assert.Equal([realization.Id, revision.Id], f.Evidence);

        var before = new AuditLog();
        before.R(Indicator("I2", targets: (2023, 75m)));
        before.Y(Pk(PkI2Murni));
        before.Y(PkPerubahan([("I2", 93m, 75m)], [("I2", 90m, 93m)]));
        before.Y(Realization("I2", 75m));
        Assert.Empty(before.Findings("target.revised-after-realization"));
    }

    [Fact]
    public void GivenRenstraRevisionOfTheYearAfterTheRealization_WhenEvaluated_ThenFlagged()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.Y(Realization("I2", 75m));
        log.R(RenstraRevision("I2", 2023, 75m, 70m));
        log.R(RenstraRevision("I2", 2024, null, 80m) with { RevisionNumber = 2 }); // another year: not this year's finding
        Assert.Single(log.Findings("target.revised-after-realization"));
    }

    // --- realization.* -------------------------------------------------------------------------------------------------

    [Fact]
    public void GivenCorrectionAfterClose_WhenEvaluated_ThenFlaggedWithCloseAndCorrection_AndCorrectionBeforeCloseNot()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.Y(Realization("I2", 75m));
        log.Y(Correction("I2", 75m, 87m, afterClose: false));
        var close = log.Y(Closed());
        var late = log.Y(Correction("I2", 87m, 85m, afterClose: true));
        var f = Assert.Single(log.Findings("realization.corrected-after-close"));
        Assert.Equal([close.Id, late.Id], f.Evidence);
        Assert.Contains("87 → 85", f.Message);
    }

    [Fact]
    public void GivenClosedYearListingI6WithoutRealization_WhenEvaluated_ThenMissingRealizationForI6Only()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.R(Indicator("I6", polarity: "lower", targets: (2023, 0.25m)));
        var pk = log.Y(Pk(("I2", 90m, 75m), ("I6", 0.10m, 0.25m)));
        log.Y(Realization("I2", 75m));
        var close = log.Y(Closed("I6"));
        var f = Assert.Single(log.Findings("realization.missing-at-year-end"));
        Assert.Equal("I6", f.Subject);
        Assert.Equal([pk.Id, close.Id], f.Evidence);
    }

    [Fact]
    public void GivenOpenYear_WhenEvaluatedBeforeAndAfterYearEnd_ThenMissingRealizationOnlyAfter()
    {
        var log = new AuditLog();
        log.R(Indicator("I6", polarity: "lower", targets: (2023, 0.25m)));
        Assert.Empty(log.Findings("realization.missing-at-year-end", new DateTimeOffset(2023, 12, 31, 16, 59, 59, TimeSpan.Zero)));
        Assert.Single(log.Findings("realization.missing-at-year-end", new DateTimeOffset(2023, 12, 31, 17, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void GivenPercentIndicatorAbove100_WhenEvaluated_ThenFlagged_AndNilaiIndicatorNot()
    {
        var log = new AuditLog();
        log.R(Indicator("I3", targets: (2023, 80m)));
        log.R(Indicator("I9", unit: "nilai", targets: (2023, 68.58m)));
        var r = log.Y(Realization("I3", 101m));
        log.Y(Realization("I9", 135.51m));
        var f = Assert.Single(log.Findings("realization.ratio-above-100"));
        Assert.Equal("I3", f.Subject);
        Assert.Equal([r.Id], f.Evidence);
    }

    // --- target.below-baseline / target.raised-while-budget-cut --------------------------------------------------------

    [Fact]
    public void GivenHigherIsBetterTargetBelowBaseline_WhenEvaluated_ThenFlagged_AndLowerIsBetterNot()
    {
        var log = new AuditLog();
        var ipasn = log.R(Indicator("IPASN", baseline: 79m, baselineYear: 2022, targets: (2023, 70m))); // 004 digest §6.2
        log.R(Indicator("DISIPLIN", polarity: "lower", baseline: 1m, baselineYear: 2022, targets: (2023, 0.5m)));
        var f = Assert.Single(log.Findings("target.below-baseline"));
        Assert.Equal("IPASN", f.Subject);
        Assert.Equal([ipasn.Id], f.Evidence);
    }

    [Fact]
    public void GivenPkRaisedWhileApbdPerubahanCut36Percent_WhenEvaluated_ThenInfoFinding_AndWithoutCutNone()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.Y(Pk(PkI2Murni));
        log.Y(Budget([("P", null, 22_278_221_230m)]));
        var cut = log.Y(BudgetRevision(22_278_221_230m, 14_231_127_419m, ("P", null, 22_278_221_230m, 14_231_127_419m)));
        var raise = log.Y(PkPerubahan([("I2", 93m, 75m)], [("I2", 90m, 93m)]));
        var f = Assert.Single(log.Findings("target.raised-while-budget-cut"));
        Assert.Equal("info", f.Severity);
        Assert.Contains("-36.12 %", f.Message);
        Assert.Equal([cut.Id, raise.Id], f.Evidence);

        var noCut = new AuditLog();
        noCut.R(Indicator("I2", targets: (2023, 75m)));
        noCut.Y(Pk(PkI2Murni));
        noCut.Y(PkPerubahan([("I2", 93m, 75m)], [("I2", 90m, 93m)]));
        Assert.Empty(noCut.Findings("target.raised-while-budget-cut"));
    }

    // --- revision.without-reason-or-ground -----------------------------------------------------------------------------

    [Fact]
    public void GivenRenstraRevisionWithoutLegalBasisAndPkPerubahanWithoutReason_WhenEvaluated_ThenBothFlagged()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        var renstra = log.R(RenstraRevision("I2", 2023, 75m, 80m, legalBasis: null));
        log.Y(Pk(PkI2Murni));
        var pk = log.Y(PkPerubahan([("I2", 93m, 80m)], [("I2", 90m, 93m)], reason: " "));
        var findings = log.Findings("revision.without-reason-or-ground");
        Assert.Equal(2, findings.Count);
        Assert.Contains(findings, f => f.Evidence.SequenceEqual([pk.Id]) && f.Message.Contains("without a reason"));
        Assert.Contains(findings, f => f.Evidence.SequenceEqual([renstra.Id]) && f.Message.Contains("without a legal basis"));
    }

    [Fact]
    public void GivenRevisionsWithReasonsAndGrounds_WhenEvaluated_ThenNoFinding()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: (2023, 75m)));
        log.R(RenstraRevision("I2", 2023, 75m, 80m));
        log.Y(Pk(PkI2Murni));
        log.Y(PkPerubahan([("I2", 93m, 80m)], [("I2", 90m, 93m)]));
        Assert.Empty(log.Findings("revision.without-reason-or-ground"));
    }

    [Fact]
    public void EveryRule_HasAUniqueIdAndARowInDocsFindings()
    {
        var ids = FindingRules.All.Select(r => r.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "findings.md"));
        foreach (var id in ids) Assert.Contains($"| `{id}` |", docs);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Ledger.sln not found above the test directory.");
    }
}
