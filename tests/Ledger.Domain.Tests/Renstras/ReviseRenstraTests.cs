using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Renstras;

public class ReviseRenstraTests
{
    private static readonly RenstraContext Known = new(AgencyExists: true);

    private static RenstraState PaserWithMerit() =>
        Expect.Accepted(Renstra.Decide(AddIndicatorTests.Paser(), AddIndicatorTests.Merit, Known))
            .Aggregate(AddIndicatorTests.Paser(), Renstra.Evolve);

    private const string Reason = "perubahan isu strategis / LHE APIP";

    [Fact]
    public void Given_Merit_2027_at_260_When_revised_to_265_Then_RenstraRevised_shows_before_and_after_and_other_years_stay()
    {
        // Seed 004 scenario S1 (the revision value 265 is the digest's hypothetical).
        var command = new ReviseRenstra(Reason, "BAB V", [new RenstraTargetChange("MERIT", 2027, 265m)]);

        var e = Expect.Single<RenstraRevised>(Renstra.Decide(PaserWithMerit(), command, Known));

        Assert.Equal(1, e.RevisionNumber);
        Assert.Equal(Reason, e.Reason);
        Assert.Equal("BAB V", e.LegalBasis);
        Assert.Equal(new RenstraTargetRevised("MERIT", 2027, 260m, 265m), Assert.Single(e.Changes));

        var merit = Renstra.Evolve(PaserWithMerit(), e).Indicator("MERIT")!;
        Assert.Equal(265m, merit.TargetFor(2027));
        Assert.Equal(260m, merit.OriginalTargets[2027]);
        Assert.Equal(270m, merit.TargetFor(2028));
        Assert.Equal(300m, merit.EndTarget);
        Assert.True(merit.TargetRevised(2027));
        Assert.False(merit.TargetRevised(2028));
    }

    [Fact]
    public void Given_revision_listing_an_unchanged_target_too_When_decided_Then_only_the_real_change_is_recorded()
    {
        var command = new ReviseRenstra(Reason, null,
            [new RenstraTargetChange("MERIT", 2027, 265m), new RenstraTargetChange("MERIT", 2028, 270m)]);

        var e = Expect.Single<RenstraRevised>(Renstra.Decide(PaserWithMerit(), command, Known));
        Assert.Equal(2027, Assert.Single(e.Changes).Year);
    }

    [Fact]
    public void Given_renstra_When_revising_without_reason_Then_refused_reason_required() =>
        Expect.Refused(Renstra.Decide(PaserWithMerit(), new ReviseRenstra(" ", null, [new("MERIT", 2027, 265m)]), Known),
            RuleCodes.RenstraRevisionReasonRequired);

    [Fact]
    public void Given_renstra_When_revision_lists_nothing_Then_refused_no_changes() =>
        Expect.Refused(Renstra.Decide(PaserWithMerit(), new ReviseRenstra(Reason, null, []), Known), RuleCodes.RenstraRevisionNoChanges);

    [Fact]
    public void Given_renstra_When_every_listed_target_is_already_current_Then_refused_no_change() =>
        Expect.Refused(Renstra.Decide(PaserWithMerit(), new ReviseRenstra(Reason, null, [new("MERIT", 2027, 260m)]), Known),
            RuleCodes.RenstraRevisionNoChange);

    [Fact]
    public void Given_renstra_When_revising_an_unknown_indicator_Then_refused_unknown_indicator()
    {
        var refused = Expect.Refused(Renstra.Decide(PaserWithMerit(), new ReviseRenstra(Reason, null, [new("IKM", 2027, 86m)]), Known),
            RuleCodes.RenstraRevisionUnknownIndicator);
        Assert.Equal("changes[0].indicator", refused.Field);
    }

    [Fact]
    public void Given_renstra_When_revising_a_year_outside_the_period_Then_refused_year_outside_period() =>
        Expect.Refused(Renstra.Decide(PaserWithMerit(), new ReviseRenstra(Reason, null, [new("MERIT", 2024, 240m)]), Known),
            RuleCodes.RenstraRevisionYearOutsidePeriod);

    [Fact]
    public void Given_renstra_When_the_same_indicator_year_is_listed_twice_Then_refused_duplicate_change() =>
        Expect.Refused(Renstra.Decide(PaserWithMerit(),
            new ReviseRenstra(Reason, null, [new("MERIT", 2027, 265m), new("MERIT", 2027, 266m)]), Known),
            RuleCodes.RenstraRevisionDuplicateChange);

    [Fact]
    public void Given_renstra_When_a_revised_target_is_negative_Then_refused_target_negative() =>
        Expect.Refused(Renstra.Decide(PaserWithMerit(), new ReviseRenstra(Reason, null, [new("MERIT", 2027, -5m)]), Known),
            RuleCodes.RenstraRevisionTargetNegative);

    [Fact]
    public void Given_no_renstra_When_revising_Then_not_found() =>
        Expect.NotFound(Renstra.Decide(RenstraState.Initial, new ReviseRenstra(Reason, null, [new("MERIT", 2027, 265m)]), Known),
            "renstra");
}
