using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Renstras;

public class CreateRenstraTests
{
    private static readonly RenstraContext Known = new(AgencyExists: true);

    [Fact]
    public void Given_known_agency_When_creating_Paser_2025_2029_with_transition_2030_Then_RenstraCreated()
    {
        var command = new CreateRenstra("bkpsdm-paser", 2025, 2029, "Renstra BKPSDM Kabupaten Paser 2025-2029", null, 2030);

        var e = Expect.Single<RenstraCreated>(Renstra.Decide(RenstraState.Initial, command, Known));

        Assert.Equal(new RenstraCreated("bkpsdm-paser", 2025, 2029, "Renstra BKPSDM Kabupaten Paser 2025-2029", null, 2030), e);
        var state = Renstra.Evolve(RenstraState.Initial, e);
        Assert.True(state.AcceptsTargetYear(2030));
        Assert.False(state.AcceptsTargetYear(2031));
        Assert.Equal("renstra-bkpsdm-paser-2025", Renstra.StreamName("bkpsdm-paser", 2025));
    }

    [Fact]
    public void Given_unknown_agency_When_creating_Then_not_found() =>
        Expect.NotFound(Renstra.Decide(RenstraState.Initial, Surakarta.CreateRenstra, new RenstraContext(false)), "agency");

    [Fact]
    public void Given_existing_renstra_When_creating_again_Then_refused_already_exists() =>
        Expect.Refused(Renstra.Decide(Surakarta.Renstra(), Surakarta.CreateRenstra, Known), RuleCodes.RenstraAlreadyExists);

    [Theory]
    [InlineData(2026, 2021)]
    [InlineData(2021, 2027)]
    public void Given_no_renstra_When_period_is_backwards_or_longer_than_six_years_Then_refused_period_invalid(int start, int end) =>
        Expect.Refused(Renstra.Decide(RenstraState.Initial, Surakarta.CreateRenstra with { PeriodStart = start, PeriodEnd = end }, Known),
            RuleCodes.RenstraPeriodInvalid);

    [Fact]
    public void Given_no_renstra_When_title_is_blank_Then_refused_title_required() =>
        Expect.Refused(Renstra.Decide(RenstraState.Initial, Surakarta.CreateRenstra with { Title = "" }, Known),
            RuleCodes.RenstraTitleRequired);

    [Fact]
    public void Given_no_renstra_When_transition_year_is_not_adjacent_Then_refused_transition_year_invalid() =>
        Expect.Refused(Renstra.Decide(RenstraState.Initial, Surakarta.CreateRenstra with { TransitionYear = 2028 }, Known),
            RuleCodes.RenstraTransitionYearInvalid);
}
