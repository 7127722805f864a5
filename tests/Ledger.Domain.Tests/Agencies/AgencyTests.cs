using Ledger.Domain.Agencies;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.Rating;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Agencies;

public class AgencyTests
{
    [Fact]
    public void Given_no_agency_When_registering_Then_AgencyRegistered_and_state_exists()
    {
        var decision = Agency.Decide(AgencyState.Initial, new RegisterAgency("bkpsdm-surakarta", " BKPSDM Kota Surakarta "));

        var e = Expect.Single<AgencyRegistered>(decision);
        Assert.Equal(new AgencyRegistered("bkpsdm-surakarta", "BKPSDM Kota Surakarta"), e);
        var state = Agency.Evolve(AgencyState.Initial, e);
        Assert.True(state.Exists);
        Assert.Equal("bkpsdm-surakarta", state.Code);
    }

    [Fact]
    public void Given_registered_agency_When_registering_again_Then_refused_already_registered() =>
        Expect.Refused(Agency.Decide(Surakarta.RegisteredAgency(), new RegisterAgency("bkpsdm-surakarta", "again")),
            RuleCodes.AgencyAlreadyRegistered);

    [Theory]
    [InlineData("")]
    [InlineData("BKPSDM Surakarta")]
    [InlineData("bkpsdm--surakarta")]
    [InlineData("-bkpsdm")]
    public void Given_no_agency_When_registering_with_a_code_that_is_not_a_slug_Then_refused_code_invalid(string code) =>
        Expect.Refused(Agency.Decide(AgencyState.Initial, new RegisterAgency(code, "BKPSDM")), RuleCodes.AgencyCodeInvalid);

    [Fact]
    public void Given_no_agency_When_registering_without_name_Then_refused_name_required() =>
        Expect.Refused(Agency.Decide(AgencyState.Initial, new RegisterAgency("bkpsdm-paser", " ")), RuleCodes.AgencyNameRequired);

    [Fact]
    public void Given_no_agency_When_setting_a_rating_scale_Then_not_found() =>
        Expect.NotFound(Agency.Decide(AgencyState.Initial, new SetRatingScale("x", 2023, Surakarta.Scale.Bands)), "agency");

    [Fact]
    public void Given_agency_When_setting_a_scale_without_bands_Then_refused_rating_scale_invalid()
    {
        var refused = Expect.Refused(Agency.Decide(Surakarta.RegisteredAgency(), new SetRatingScale("empty", 2023, [])),
            RuleCodes.RatingScaleInvalid);
        Assert.Equal("bands", refused.Field);
    }

    [Fact]
    public void Given_agency_When_setting_a_valid_scale_Then_RatingScaleSet_carries_every_band()
    {
        var decision = Agency.Decide(Surakarta.RegisteredAgency(),
            new SetRatingScale(Surakarta.Scale.Name, 2021, Surakarta.Scale.Bands));

        var e = Expect.Single<RatingScaleSet>(decision);
        Assert.Equal(2021, e.EffectiveFromYear);
        Assert.Equal(["Sangat Berhasil", "Berhasil", "Cukup Berhasil", "Kurang Berhasil"], e.Bands.Select(b => b.Label));
        Assert.Equal(new RatingBandData("Berhasil", 70m, false, 85m, true), e.Bands[1]);
    }

    [Fact]
    public void Given_scales_effective_2021_and_2024_When_asking_per_year_Then_the_latest_in_force_applies()
    {
        var state = Surakarta.RegisteredAgency()
            .Evolve(new RatingScaleSet("old", 2021, [new("Any", null, false, null, false)]))
            .Evolve(new RatingScaleSet("new", 2024, [new("Any", null, false, null, false)]))
            .Evolve(new RatingScaleSet("new, corrected", 2024, [new("Any", null, false, null, false)]));

        Assert.Null(state.ScaleFor(2020));
        Assert.Equal("old", state.ScaleFor(2023)!.Name);
        Assert.Equal("new, corrected", state.ScaleFor(2025)!.Name);
    }
}
