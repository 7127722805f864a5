using Ledger.Domain.Renstras;

namespace Ledger.Domain.Tests.Renstras;

/// <summary>Renstra.InForce: the one rule for which plan covers a year (issue 11, item 8; Bug 1).</summary>
public sealed class RenstraInForceTests
{
    private static RenstraState Plan(int start, int end, int? transition = null) =>
        RenstraState.Initial with { Exists = true, AgencyCode = "bkpsdm", PeriodStart = start, PeriodEnd = end, TransitionYear = transition };

    private static Func<int, RenstraState?> Plans(params RenstraState[] plans) => start => plans.FirstOrDefault(p => p.PeriodStart == start);

    [Theory]
    [InlineData(2021, 2021)]
    [InlineData(2026, 2021)]
    [InlineData(2027, null)]
    [InlineData(2020, null)]
    public void OnePlan_CoversItsPeriodOnly(int year, int? expectedStart) =>
        Assert.Equal(expectedStart, Renstra.InForce(year, Plans(Plan(2021, 2026)))?.PeriodStart);

    [Fact]
    public void TransitionYearBeforeThePeriod_IsCoveredByThatPlan() // Bug 1: the year before the period start
    {
        Assert.Equal(2025, Renstra.InForce(2024, Plans(Plan(2025, 2029, transition: 2024)))?.PeriodStart);
    }

    [Fact]
    public void TransitionYearAfterThePeriod_IsCoveredByThatPlan() =>
        Assert.Equal(2019, Renstra.InForce(2024, Plans(Plan(2019, 2023, transition: 2024)))?.PeriodStart);

    [Fact]
    public void TwoPlansCoveringAYear_TheNewerSupersedes()
    {
        var older = Plan(2019, 2023, transition: 2024);
        var newer = Plan(2024, 2028);
        Assert.Same(newer, Renstra.InForce(2024, Plans(older, newer)));
        Assert.Same(older, Renstra.InForce(2023, Plans(older, newer)));
    }

    [Fact]
    public void APlanThatDoesNotExist_IsNeverInForce() =>
        Assert.Null(Renstra.InForce(2022, Plans(Plan(2021, 2026) with { Exists = false })));

    [Fact]
    public void YearsCovered_AreThePeriodThenATransitionYearOutsideIt()
    {
        Assert.Equal([2025, 2026, 2027, 2028, 2029, 2024], Plan(2025, 2029, transition: 2024).YearsCovered());
        Assert.Equal([2021, 2022], Plan(2021, 2022, transition: 2022).YearsCovered());
        Assert.Empty(RenstraState.Initial.YearsCovered());
    }
}
