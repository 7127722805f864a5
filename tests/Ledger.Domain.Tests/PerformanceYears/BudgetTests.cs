using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.PerformanceYears;

public class BudgetTests
{
    private static Decision Decide(PerformanceYearState state, PerformanceYearCommand command) =>
        PerformanceYear.Decide(state, command, Surakarta.Context());

    private static PerformanceYearState Murni() => Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.BudgetMurni);
    private static PerformanceYearState Perubahan() => Surakarta.Apply(Murni(), Surakarta.BudgetPerubahan);

    [Fact]
    public void Given_Surakarta_2023_When_enacting_APBD_murni_Then_total_is_22_278_221_230()
    {
        var e = Expect.Single<BudgetEnacted>(Decide(Surakarta.EmptyYear(), Surakarta.BudgetMurni));

        Assert.Equal(22_278_221_230m, e.Total);
        Assert.Equal(16, e.Lines.Count);
        Assert.Equal(new DeclaredTotal("total", 22_278_221_230m), Assert.Single(e.DeclaredTotals));
        var state = PerformanceYear.Evolve(Surakarta.EmptyYear(), e);
        Assert.Equal(22_278_221_230m, state.Budget.TotalPagu);
        Assert.Equal(13_368_926_766m, state.Budget.Line("1.2")!.PaguMurni);
    }

    [Fact]
    public void Given_APBD_murni_When_APBD_perubahan_Then_total_14_231_127_419_and_before_after_per_line()
    {
        var e = Expect.Single<BudgetRevised>(Decide(Murni(), Surakarta.BudgetPerubahan));

        Assert.Equal(1, e.RevisionNumber);
        Assert.Equal(22_278_221_230m, e.TotalBefore);
        Assert.Equal(14_231_127_419m, e.TotalAfter);
        Assert.Equal(-8_047_093_811m, e.TotalAfter - e.TotalBefore);
        var keuangan = e.Changes.Single(c => c.Code == "1.2");
        Assert.Equal(-7_000_515_666m, keuangan.After - keuangan.Before);
        Assert.Equal(16, e.Changes.Count);

        var state = PerformanceYear.Evolve(Murni(), e);
        Assert.Equal(15_625_599_024m, state.Budget.Line("1")!.PaguMurni);
        Assert.Equal(8_460_444_119m, state.Budget.Line("1")!.Pagu);
        Assert.Equal(14_231_127_419m, state.Budget.TotalPagu);
        Assert.Equal(22_278_221_230m, state.Budget.TotalPaguMurni);
    }

    [Fact]
    public void Given_APBD_murni_When_enacting_again_Then_refused_already_enacted() =>
        Expect.Refused(Decide(Murni(), Surakarta.BudgetMurni), RuleCodes.BudgetAlreadyEnacted);

    [Fact]
    public void Given_no_budget_When_enacting_no_lines_Then_refused_lines_required() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), new EnactBudget([])), RuleCodes.BudgetLinesRequired);

    [Fact]
    public void Given_no_budget_When_a_line_has_no_name_Then_refused_line_incomplete() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), new EnactBudget([new("1", "", null, 1m)])), RuleCodes.BudgetLineIncomplete);

    [Fact]
    public void Given_no_budget_When_a_code_repeats_Then_refused_duplicate_code() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), new EnactBudget([new("1", "a", null, 1m), new("1", "b", null, 2m)])),
            RuleCodes.BudgetDuplicateCode);

    [Fact]
    public void Given_no_budget_When_a_parent_is_not_in_the_same_budget_Then_refused_parent_not_found()
    {
        var refused = Expect.Refused(Decide(Surakarta.EmptyYear(), new EnactBudget([new("2.1", "Mutasi", "2", 1m)])),
            RuleCodes.BudgetParentNotFound);
        Assert.Equal("lines[0].parent", refused.Field);
    }

    [Fact]
    public void Given_no_budget_When_lines_are_each_others_parents_Then_refused_parent_cycle() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), new EnactBudget([new("a", "A", "b", 1m), new("b", "B", "a", 1m)])),
            RuleCodes.BudgetParentCycle);

    [Fact]
    public void Given_no_budget_When_a_pagu_is_negative_Then_refused_pagu_negative() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), new EnactBudget([new("1", "P", null, -1m)])), RuleCodes.BudgetPaguNegative);

    [Fact]
    public void Given_no_budget_When_a_declared_total_names_no_line_Then_refused_declared_total_unknown_code() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.BudgetMurni with { DeclaredTotals = [new("3", 1m)] }),
            RuleCodes.BudgetDeclaredTotalUnknownCode);

    [Fact]
    public void Given_Program_Penunjang_children_not_footing_When_enacting_Then_accepted_as_printed()
    {
        // Seed 001 A25 / T8: the 7 kegiatan sum to 8.429.484.759, not 8.460.444.119. Recorded as printed; findings flag it.
        var state = Perubahan();
        Assert.Equal(8_429_484_759m, state.Budget.Children("1").Sum(l => l.Pagu));
        Assert.Equal(8_460_444_119m, state.Budget.Line("1")!.Pagu);
    }

    [Fact]
    public void Given_no_budget_When_revising_Then_refused_no_murni() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.BudgetPerubahan), RuleCodes.BudgetRevisionWithoutMurni);

    [Fact]
    public void Given_APBD_murni_When_revising_without_reason_Then_refused_reason_required() =>
        Expect.Refused(Decide(Murni(), Surakarta.BudgetPerubahan with { Reason = "" }), RuleCodes.BudgetRevisionReasonRequired);

    [Fact]
    public void Given_APBD_murni_When_revising_a_line_not_in_it_without_name_and_parent_Then_refused_unknown_line() =>
        Expect.Refused(Decide(Murni(), new ReviseBudget("refocusing", [new("3", 5m)])), RuleCodes.BudgetRevisionUnknownLine);

    [Fact]
    public void Given_APBD_murni_When_a_new_top_level_line_is_added_Then_refused_unknown_line() =>
        Expect.Refused(Decide(Murni(), new ReviseBudget("refocusing", [new("3", 5m, "Program baru")])), RuleCodes.BudgetRevisionUnknownLine);

    [Fact]
    public void Given_APBD_murni_When_a_new_sub_kegiatan_names_an_existing_parent_Then_added_with_no_pagu_murni()
    {
        var e = Expect.Single<BudgetRevised>(Decide(Murni(),
            new ReviseBudget("refocusing", [new("2.3.1", 100_000_000m, "Uji kompetensi", "2.3")])));

        Assert.Equal(new BudgetLineRevised("2.3.1", "Uji kompetensi", "2.3", null, 100_000_000m), Assert.Single(e.Changes));
        Assert.Equal(e.TotalBefore, e.TotalAfter);
        var line = PerformanceYear.Evolve(Murni(), e).Budget.Line("2.3.1")!;
        Assert.Equal(0m, line.PaguMurni);
        Assert.Equal(100_000_000m, line.Pagu);
    }

    [Fact]
    public void Given_APBD_murni_When_every_pagu_is_unchanged_Then_refused_no_change() =>
        Expect.Refused(Decide(Murni(), new ReviseBudget("no-op", [new("1", 15_625_599_024m)])), RuleCodes.BudgetRevisionNoChange);

    [Fact]
    public void Given_APBD_murni_When_a_revised_pagu_is_negative_Then_refused_pagu_negative() =>
        Expect.Refused(Decide(Murni(), new ReviseBudget("refocusing", [new("1", -1m)])), RuleCodes.BudgetPaguNegative);

    [Fact]
    public void Given_APBD_perubahan_When_spending_below_pagu_Then_SpendingRecorded_not_flagged()
    {
        // Seed 001 T9: Program Penunjang spent 8.149.751.661 of 8.460.444.119.
        var e = Expect.Single<SpendingRecorded>(Decide(Perubahan(), new RecordSpending("1", 8_149_751_661m, Period.Y)));
        Assert.Equal(new SpendingRecorded("1", 8_149_751_661m, "Y", 8_149_751_661m, 8_460_444_119m, false), e);
    }

    [Fact]
    public void Given_pagu_60_701_897_50_When_spending_2_084_521_200_Then_recorded_with_ExceedsPagu()
    {
        // Seed 004 S10(a): Pengadaan BMD 2024, anggaran 60.701.897,50, realisasi 2.084.521.200,00.
        var year = Surakarta.Apply(PerformanceYearState.Initial("bkpsdm-paser", 2024), new PerformanceYearContext(true, null),
            new EnactBudget([new("5.03.01.2.07", "Pengadaan Barang Milik Daerah Penunjang Urusan Pemerintah Daerah", null, 60_701_897.50m)]));

        var e = Expect.Single<SpendingRecorded>(PerformanceYear.Decide(year, new RecordSpending("5.03.01.2.07", 2_084_521_200.00m, Period.Y),
            new PerformanceYearContext(true, null)));

        Assert.True(e.ExceedsPagu);
        Assert.Equal(2_084_521_200.00m, e.SpentToDate);
    }

    [Fact]
    public void Given_kegiatan_within_pagu_but_program_over_When_spending_Then_flagged_through_the_ancestor()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), new EnactBudget([new("P", "Program", null, 100m), new("K", "Kegiatan", "P", 200m)]));
        Assert.True(Expect.Single<SpendingRecorded>(Decide(year, new RecordSpending("K", 150m, Period.S1))).ExceedsPagu);
    }

    [Fact]
    public void Given_no_budget_When_spending_Then_refused_no_budget() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), new RecordSpending("1", 1m, Period.Y)), RuleCodes.SpendingNoBudget);

    [Fact]
    public void Given_budget_When_spending_on_an_unknown_line_Then_refused_unknown_line() =>
        Expect.Refused(Decide(Murni(), new RecordSpending("9", 1m, Period.Y)), RuleCodes.SpendingUnknownLine);

    [Fact]
    public void Given_budget_When_spending_is_negative_Then_refused_amount_negative() =>
        Expect.Refused(Decide(Murni(), new RecordSpending("1", -1m, Period.Y)), RuleCodes.SpendingAmountNegative);

    [Fact]
    public void Given_spending_on_program_2_When_spending_on_its_kegiatan_Then_refused_level_mixed()
    {
        var state = Surakarta.Apply(Perubahan(), new RecordSpending("2", 3_649_094_188m, Period.Y));
        Expect.Refused(Decide(state, new RecordSpending("2.1", 1m, Period.Y)), RuleCodes.SpendingLevelMixed);
    }

    [Fact]
    public void Given_spending_on_a_kegiatan_When_spending_on_its_program_Then_refused_level_mixed()
    {
        var state = Surakarta.Apply(Perubahan(), new RecordSpending("2.1", 1_000m, Period.Q1));
        Expect.Refused(Decide(state, new RecordSpending("2", 1m, Period.Y)), RuleCodes.SpendingLevelMixed);
    }

    [Fact]
    public void Given_spending_on_two_kegiatan_When_reading_the_program_Then_spent_rolls_up()
    {
        var state = Surakarta.Apply(Perubahan(), new RecordSpending("4.1", 700_000_000m, Period.Y), new RecordSpending("4.2", 1_100_068_996m, Period.Y));
        Assert.Equal(1_800_068_996m, state.Budget.Spent("4"));
    }

    [Fact]
    public void Given_spending_at_several_lines_When_reading_every_line_at_once_Then_each_is_spent_below_it_and_the_total_is_the_roots()
    {
        var state = Surakarta.Apply(Perubahan(), new RecordSpending("4.1", 700_000_000m, Period.Y), new RecordSpending("4.2", 1_100_068_996m, Period.Y),
            new RecordSpending("2", 5_000m, Period.Y));
        var budget = state.Budget;
        var byLine = budget.SpentByLine();

        Assert.Equal(budget.Lines.Select(l => l.Code).Distinct().Order(), byLine.Keys.Order());
        Assert.Equal(1_800_068_996m, byLine["4"]);
        Assert.Equal(700_000_000m, byLine["4.1"]);
        Assert.Equal(5_000m, byLine["2"]);
        // Each line as the walk below it gives: its own spending and every line below it, at any depth.
        foreach (var l in budget.Lines)
            Assert.Equal(l.SpentDirect + budget.Descendants(l.Code).Sum(d => d.SpentDirect), byLine[l.Code]);
        foreach (var l in budget.Lines) Assert.Equal(byLine[l.Code], budget.Spent(l.Code));
        Assert.Equal(1_800_068_996m + 5_000m, budget.TotalSpent);
        Assert.Equal(budget.Roots.Sum(r => byLine[r.Code]), budget.TotalSpent);
    }

    [Fact]
    public void Given_a_program_kegiatan_and_sub_kegiatan_When_reading_every_line_at_once_Then_spending_rolls_up_every_level()
    {
        BudgetLine L(string code, string? parent, decimal spent) => new(code, "line " + code, parent, 1_000m, 1_000m, spent, spent > 0 ? 1 : 0);
        var budget = new BudgetState(true, [L("1", null, 0m), L("1.1", "1", 0m), L("1.1.1", "1.1", 70m), L("1.1.2", "1.1", 30m), L("1.2", "1", 5m),
            L("2", null, 0m), L("2.1", "2", 0m), L("2.1.1", "2.1", 1m)], [], 0);

        var byLine = budget.SpentByLine();

        Assert.Equal(105m, byLine["1"]);
        Assert.Equal(100m, byLine["1.1"]);
        Assert.Equal(70m, byLine["1.1.1"]);
        Assert.Equal(5m, byLine["1.2"]);
        Assert.Equal(1m, byLine["2"]);
        Assert.Equal(1m, byLine["2.1"]);
        foreach (var l in budget.Lines) Assert.Equal(byLine[l.Code], budget.Spent(l.Code));
        Assert.Equal(106m, budget.TotalSpent);
    }
}
