using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.PerformanceYears;

public class CloseYearTests
{
    private static Decision Decide(PerformanceYearState state, PerformanceYearCommand command) =>
        PerformanceYear.Decide(state, command, Surakarta.Context());

    private static PerformanceYearState Open() =>
        Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni, Surakarta.BudgetMurni,
            new RecordRealization("I2", Period.Y, 75m), new RecordRealization("I8", Period.Y, 90m));

    private static PerformanceYearState Closed() => Surakarta.Apply(Open(), new CloseYear("sha256:0f1e", "LKjIP 2023 ditandatangani"));

    [Fact]
    public void Given_PK_with_I6_I7_I9_unrealized_When_closing_Then_YearClosed_lists_them_and_the_hash()
    {
        // Seed 001 T7 / A18: I6 (disiplin) has no realisasi anywhere; the year is sealed with that on record.
        var e = Expect.Single<YearClosed>(Decide(Open(), new CloseYear("sha256:0f1e", "LKjIP 2023")));

        Assert.Equal("sha256:0f1e", e.SnapshotHash);
        Assert.Equal(["I6", "I7", "I9"], e.IndicatorsWithoutRealization);
        var state = PerformanceYear.Evolve(Open(), e);
        Assert.True(state.Closed);
        Assert.Equal("sha256:0f1e", state.SnapshotHash);
    }

    [Fact]
    public void Given_no_PK_When_closing_Then_renstra_indicators_with_a_target_that_year_are_checked()
    {
        var e = Expect.Single<YearClosed>(Decide(Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I1", Period.Y, 0.75m)),
            new CloseYear("h")));
        Assert.Equal(["I2", "I6", "I7", "I8", "I9"], e.IndicatorsWithoutRealization);
    }

    [Fact]
    public void Given_closed_year_When_closing_again_Then_refused_already_closed() =>
        Expect.Refused(Decide(Closed(), new CloseYear("sha256:other")), RuleCodes.YearAlreadyClosed);

    [Fact]
    public void Given_open_year_When_closing_without_hash_Then_refused_snapshot_hash_required() =>
        Expect.Refused(Decide(Open(), new CloseYear(" ")), RuleCodes.YearSnapshotHashRequired);

    public static TheoryData<string, PerformanceYearCommand> WritesAfterClose() => new()
    {
        { "sign PK", Surakarta.PkMurni },
        { "revise PK", Surakarta.PkPerubahan },
        { "record realization", new RecordRealization("I9", Period.Y, 92.93m) },
        { "enact budget", new EnactBudget([new("x", "x", null, 1m)]) },
        { "revise budget", Surakarta.BudgetPerubahan },
        { "record spending", new RecordSpending("1", 1m, Period.Y) },
    };

    [Theory]
    [MemberData(nameof(WritesAfterClose))]
    public void Given_closed_year_When_writing_anything_but_a_correction_Then_refused_year_closed(string _, PerformanceYearCommand command) =>
        Expect.Refused(Decide(Closed(), command), RuleCodes.YearClosed);

    [Fact]
    public void Given_open_year_When_revising_the_budget_Then_not_refused_by_year_closed() =>
        Expect.Single<BudgetRevised>(Decide(Open(), Surakarta.BudgetPerubahan));
}

/// <summary>Issue 12, item 7: a year that has not ended cannot be closed, and a PK cannot be dated after today.</summary>
public class TodayRulesTests
{
    private static PerformanceYearContext On(int year, int month, int day) => Surakarta.Context() with { Today = new DateOnly(year, month, day) };

    [Theory]
    [InlineData(2023, 12, 31, false)]
    [InlineData(2023, 6, 1, false)]
    [InlineData(2024, 1, 1, true)]
    [InlineData(2030, 1, 1, true)]
    public void Closing_2023_IsAllowedFromTheFirstDayOf2024(int y, int m, int d, bool allowed)
    {
        var decision = PerformanceYear.Decide(Surakarta.EmptyYear(), new CloseYear("h"), On(y, m, d));
        if (allowed) Expect.Single<YearClosed>(decision);
        else Assert.Equal("year", Expect.Refused(decision, RuleCodes.YearNotEnded).Field);
    }

    [Fact]
    public void Closing_WithoutKnowingToday_IsNotChecked() =>
        Expect.Single<YearClosed>(PerformanceYear.Decide(Surakarta.EmptyYear(), new CloseYear("h"), Surakarta.Context()));

    [Fact]
    public void PkMurni_DatedAfterToday_IsRefused_AndDatedToday_IsSigned()
    {
        var signedOn = Surakarta.PkMurni.SignedOn;
        Assert.Equal("signedOn", Expect.Refused(
            PerformanceYear.Decide(Surakarta.EmptyYear(), Surakarta.PkMurni, On(signedOn.Year, signedOn.Month, signedOn.Day) with { Today = signedOn.AddDays(-1) }),
            RuleCodes.PkSignedInFuture).Field);
        Expect.Accepted(PerformanceYear.Decide(Surakarta.EmptyYear(), Surakarta.PkMurni, Surakarta.Context() with { Today = signedOn }));
    }

    [Fact]
    public void PkPerubahan_DatedAfterToday_IsRefused()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni);
        var today = Surakarta.PkPerubahan.SignedOn.AddDays(-1);
        Expect.Refused(PerformanceYear.Decide(year, Surakarta.PkPerubahan, Surakarta.Context() with { Today = today }), RuleCodes.PkSignedInFuture);
    }
}
