using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using static Ledger.Domain.Tests.Findings.AuditLog;

namespace Ledger.Domain.Tests.Findings;

/// <summary>The pure mapping from audited events to history entries (api.md history).</summary>
public sealed class HistoryTests
{
    [Fact]
    public void GivenI2RenstraPkMurniPerubahanAndRealization_WhenMapped_ThenEntriesInOrderWithWhoWhenWhyAndBeforeAfter()
    {
        var log = new AuditLog();
        var added = log.R(Indicator("I2", targets: [(2022, 70m), (2023, 75m)]));
        log.R(Indicator("I9", unit: "nilai", targets: (2023, 68.58m)));
        var murni = log.Y(Pk(("I2", 90m, 75m), ("I9", 68.58m, 68.58m)), Approver);
        var perubahan = log.Y(PkPerubahan([("I2", 93m, 75m), ("I9", 68.58m, 68.58m)], [("I2", 90m, 93m)],
            reason: "Perubahan anggaran; perubahan volume target"), Approver, "Perubahan anggaran; perubahan volume target");
        var realization = log.Y(Realization("I2", 75m, claimed: 100m, period: "Y"));
        var correction = log.Y(Correction("I2", 75m, 87m, afterClose: false, reason: "Narasi L881"));

        var all = IndicatorHistory.For("I2", log.All);
        Assert.Equal(["renstra.indicator-added", "renstra.indicator-added", "pk.murni", "pk.perubahan", "realization.recorded",
            "realization.corrected"], all.Select(e => e.Kind));
        Assert.Equal(["2022", "2023", "2023-01-31", "2023-10-02", "2023", "2023"], all.Select(e => e.Effective));
        Assert.Equal([added.Sequence, added.Sequence, murni.Sequence, perubahan.Sequence, realization.Sequence, correction.Sequence],
            all.Select(e => e.Sequence));

        var pk = all[3];
        Assert.Equal((90m, 93m), (pk.Before!.Value, pk.After!.Value));
        Assert.Equal("Perubahan anggaran; perubahan volume target", pk.Reason);
        Assert.Equal("budget-change", pk.Ground);
        Assert.Equal(Approver, pk.Actor);
        Assert.Equal(perubahan.RecordedAt, pk.At);
        Assert.Equal(perubahan.Id, pk.EventId);
        Assert.Equal((75m, 87m, "Narasi L881"), (all[5].Before!.Value, all[5].After!.Value, all[5].Reason));
    }

    [Fact]
    public void GivenYearFilter_WhenMapped_ThenOtherYearsTargetsAreLeftOut_AndUntouchedIndicatorsHaveNoPkPerubahanEntry()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: [(2022, 70m), (2023, 75m)]));
        log.R(Indicator("I9", unit: "nilai", targets: (2023, 68.58m)));
        log.Y(Pk(("I2", 90m, 75m), ("I9", 68.58m, 68.58m)));
        log.Y(PkPerubahan([("I2", 93m, 75m), ("I9", 68.58m, 68.58m)], [("I2", 90m, 93m)]));

        Assert.DoesNotContain(IndicatorHistory.For("I2", log.All, 2023), e => e.Effective == "2022");
        Assert.Equal(["renstra.indicator-added", "pk.murni"], IndicatorHistory.For("I9", log.All, 2023).Select(e => e.Kind));
    }

    [Fact]
    public void GivenYearClosedListingTheIndicator_WhenMapped_ThenCloseEntrySaysNoRealization()
    {
        var log = new AuditLog();
        log.R(Indicator("I6", polarity: "lower", targets: (2023, 0.25m)));
        log.Y(Pk(("I6", 0.10m, 0.25m)));
        log.Y(Closed("I6"));
        var close = IndicatorHistory.For("I6", log.All)[^1];
        Assert.Equal("year.closed", close.Kind);
        Assert.Contains("without a realization", close.Note);
    }

    [Fact]
    public void GivenBudgetLineEnactedRevisedAndSpent_WhenMapped_ThenPaguAndSpentToDateMoves()
    {
        var log = new AuditLog();
        log.Y(Budget([("P2", null, 4_490_649_338m), ("P1", null, 1m)]));
        log.Y(BudgetRevision(4_490_649_339m, 3_855_501_621m, ("P2", null, 4_490_649_338m, 3_855_501_620m)));
        log.Y(Spending("P2", 3_649_094_188m, 3_649_094_188m, 3_855_501_620m, false));
        log.Y(Spending("P1", 1m, 1m, 1m, false));

        var h = BudgetLineHistory.For("P2", 2023, log.All);
        Assert.Equal(["budget.enacted", "budget.revised", "budget.spending-recorded"], h.Select(e => e.Kind));
        Assert.Equal((null, 4_490_649_338m), (h[0].Before, h[0].After));
        Assert.Equal((4_490_649_338m, 3_855_501_620m), (h[1].Before, h[1].After));
        Assert.Equal((0m, 3_649_094_188m), (h[2].Before, h[2].After));
        Assert.Empty(BudgetLineHistory.For("P9", 2023, log.All));
    }

    /// <summary>
    /// The read model maps one batch at a time: an event that needs earlier facts (an approval, a rejection, a close) gets
    /// them by folding only its stream's earlier events of the remembered types. That gives the same entries as one fold of
    /// everything, for every indicator.
    /// </summary>
    [Fact]
    public void GivenProposalsAndClose_WhenEachNeedyEventIsMappedFromAMemoryPrimedWithItsStreamsEarlierEvents_ThenEntriesEqualTheFullFold()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: [(2022, 70m), (2023, 75m)]));
        log.R(Indicator("I10"));
        log.Y(Pk(("I2", 90m, 75m), ("I9", 68.58m, 68.58m)), Approver);
        var approvedId = Guid.NewGuid();
        var rejectedId = Guid.NewGuid();
        log.Y(new Ledger.Domain.PerformanceYears.ProposingPkRevision.PkRevisionProposed(approvedId, 0, "Perubahan anggaran", "budget-change",
            new DateOnly(2023, 10, 2), Head, [new("I2", 93m)], [new("I2", 90m, 93m)]));
        log.Y(new Ledger.Domain.PerformanceYears.ProposingPkRevision.PkRevisionProposed(rejectedId, 0, "Prioritas", "priority-change",
            new DateOnly(2023, 11, 1), Head, [new("I9", 70m)], [new("I9", 68.58m, 70m)]));
        log.Y(new Ledger.Domain.PerformanceYears.ProposingPkRevision.PkRevisionApproved(approvedId, 1), Approver);
        log.Y(PkPerubahan([("I2", 93m, 75m), ("I9", 68.58m, 68.58m)], [("I2", 90m, 93m)]), Approver);
        log.Y(new Ledger.Domain.PerformanceYears.ProposingPkRevision.PkRevisionRejected(rejectedId, "Belum ada dasar"), Approver);
        log.Y(Realization("I2", 75m));
        log.Y(Closed("I9"), Approver);

        var full = new IndicatorHistoryMemory();
        var all = log.All.OrderBy(e => e.Sequence).ToList();
        var expected = all.SelectMany(e => IndicatorHistory.Entries(e, full)).ToList();

        var remembered = IndicatorHistory.RememberedEventTypes.ToHashSet();
        var primed = all.SelectMany(e =>
        {
            var memory = new IndicatorHistoryMemory();
            if (IndicatorHistory.NeedsEarlierEvents(e.Event))
                foreach (var earlier in all.Where(x => x.Stream == e.Stream && x.Sequence < e.Sequence && remembered.Contains(x.Event.GetType())).Reverse())
                    memory.Remember(earlier); // any order: the memory is keyed, never overwritten
            return IndicatorHistory.Entries(e, memory);
        }).ToList();

        Assert.Equal(expected, primed);
        Assert.Equal(["pk.perubahan-proposed", "pk.perubahan-proposed", "pk.perubahan-approved", "pk.perubahan", "pk.perubahan-rejected"],
            expected.Where(i => i.Entry.Kind.StartsWith("pk.perubahan", StringComparison.Ordinal)).Select(i => i.Entry.Kind));
        Assert.Equal([ProposalStatus.Pending, ProposalStatus.Rejected], expected.Where(i => i.ProposalId == rejectedId).Select(i => i.Status));
        Assert.Equal(["I2", "I9"], expected.Where(i => i.Entry.Kind == "year.closed").Select(i => i.Indicator));
        Assert.Equal("2021–2026", Assert.Single(expected, i => i.Indicator == "I10").Entry.Effective);
        foreach (var code in new[] { "I2", "I9", "I10" })
            Assert.Equal(expected.Where(i => i.Indicator == code).Select(i => i.Entry), IndicatorHistory.For(code, log.All));
    }

    /// <summary>
    /// Issue 13: the history read fetches only the year events that may concern the indicator (in the store's query).
    /// Leaving the others out must give exactly the same history, for every indicator: other indicators' realizations and
    /// corrections, spending and budget events make no entry of it and leave no fact its entries need.
    /// </summary>
    [Fact]
    public void GivenEveryKindOfYearEvent_WhenOnlyThoseThatMayConcernAnIndicatorAreMapped_ThenItsHistoryIsTheSame()
    {
        var log = new AuditLog();
        log.R(Indicator("I2", targets: [(2022, 70m), (2023, 75m)]));
        log.R(Indicator("I9", targets: [(2023, 68.58m)]));
        log.R(Indicator("I10"));
        log.Y(Budget([("P1", null, 1_000m), ("K1", "P1", 1_000m)], ("P1", 1_000m)), Approver);
        log.Y(Pk(("I2", 90m, 75m), ("I9", 68.58m, 68.58m)), Approver);
        var approvedId = Guid.NewGuid();
        log.Y(new Ledger.Domain.PerformanceYears.ProposingPkRevision.PkRevisionProposed(approvedId, 0, "Perubahan anggaran", "budget-change",
            new DateOnly(2023, 10, 2), Head, [new("I2", 93m)], [new("I2", 90m, 93m)]));
        log.Y(new Ledger.Domain.PerformanceYears.ProposingPkRevision.PkRevisionApproved(approvedId, 1), Approver);
        log.Y(PkPerubahan([("I2", 93m, 75m), ("I9", 68.58m, 68.58m)], [("I2", 90m, 93m)]), Approver);
        log.Y(Realization("I2", 70m, period: "Q1"));
        log.Y(Realization("I9", 60m));
        log.Y(Spending("K1", 100m, 100m, 1_000m, false));
        log.Y(Correction("I9", 60m, 61m, false));
        log.Y(Realization("I2", 75m, claimed: 100m));
        log.Y(BudgetRevision(1_000m, 900m, ("K1", "P1", 1_000m, 900m)), Approver);
        log.Y(Closed("I10"), Approver);
        log.Y(Correction("I2", 75m, 76m, true));
        log.Y(Correction("I9", 61m, 62m, true));

        foreach (var code in new[] { "I2", "I9", "I10", "I404" })
        {
            var kept = log.All.Where(e => IndicatorHistory.MayConcern(code, e.Event)).ToList();
            Assert.True(kept.Count < log.All.Count(), code);
            Assert.Equal(IndicatorHistory.For(code, log.All), IndicatorHistory.For(code, kept));
            Assert.Equal(IndicatorHistory.For(code, log.All, AuditLog.Year), IndicatorHistory.For(code, kept, AuditLog.Year));
        }
        Assert.Contains(IndicatorHistory.For("I9", log.All), e => e.Kind == "year.closed"); // the close's entry needs I9's realization
        Assert.DoesNotContain(log.All.Where(e => IndicatorHistory.MayConcern("I2", e.Event)), e => e.Event is RealizationRecorded { Indicator: "I9" });
    }
}
