using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.PerformanceYears;

public class PkTests
{
    private static PerformanceYearState WithMurni() => Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni);

    private static Decision Decide(PerformanceYearState state, PerformanceYearCommand command) =>
        PerformanceYear.Decide(state, command, Surakarta.Context());

    [Fact]
    public void Given_Surakarta_2023_When_signing_the_PK_murni_Then_PkSigned_version_0_with_signer_and_renstra_targets()
    {
        var e = Expect.Single<PkSigned>(Decide(Surakarta.EmptyYear(), Surakarta.PkMurni));

        Assert.Equal(0, e.Version);
        Assert.Equal(new DateOnly(2023, 1, 2), e.SignedOn);
        Assert.Equal(Surakarta.Kepala, e.Signer);
        Assert.Equal(2021, e.RenstraPeriodStart);
        Assert.Equal(["I6", "I7", "I2", "I8", "I9"], e.Targets.Select(t => t.Indicator));
        // The Renstra target of the year is captured beside the PK target: PK I2 90 vs Renstra 75.
        Assert.Equal(new PkTargetSigned("I2", 90m, 75m), e.Targets[2]);
        Assert.Equal("year-bkpsdm-surakarta-2023", PerformanceYear.StreamName("bkpsdm-surakarta", 2023));
    }

    [Fact]
    public void Given_PK_murni_signed_When_signing_another_murni_Then_refused_murni_already_signed() =>
        Expect.Refused(Decide(WithMurni(), Surakarta.PkMurni), RuleCodes.PkMurniAlreadySigned);

    [Fact]
    public void Given_unknown_agency_When_signing_Then_not_found() =>
        Expect.NotFound(PerformanceYear.Decide(Surakarta.EmptyYear(), Surakarta.PkMurni, new PerformanceYearContext(false, Surakarta.Renstra())),
            "agency");

    [Fact]
    public void Given_no_renstra_covering_2027_When_signing_Then_not_found() =>
        Expect.NotFound(Decide(Surakarta.EmptyYear(2027), Surakarta.PkMurni), "renstra");

    [Fact]
    public void Given_renstra_When_a_PK_target_names_an_indicator_outside_it_Then_refused_unknown_indicator()
    {
        // Indeks Merit I3 ("berkinerja minimal baik") is not in this fixture's Renstra.
        var refused = Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.PkMurni with { Targets = [new("I3", 86m)] }),
            RuleCodes.PkUnknownIndicator);
        Assert.Equal("targets[0].indicator", refused.Field);
    }

    [Fact]
    public void Given_renstra_When_a_PK_lists_an_indicator_twice_Then_refused_duplicate_indicator() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.PkMurni with { Targets = [new("I2", 90m), new("I2", 93m)] }),
            RuleCodes.PkDuplicateIndicator);

    [Fact]
    public void Given_renstra_When_a_PK_target_is_negative_Then_refused_target_negative() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.PkMurni with { Targets = [new("I2", -90m)] }), RuleCodes.PkTargetNegative);

    [Fact]
    public void Given_renstra_When_a_PK_has_no_targets_Then_refused_targets_required() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.PkMurni with { Targets = [] }), RuleCodes.PkTargetsRequired);

    [Fact]
    public void Given_renstra_When_the_signer_has_no_name_Then_refused_signer_required() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.PkMurni with { Signer = Surakarta.Kepala with { Name = "" } }),
            RuleCodes.PkSignerRequired);

    [Theory]
    [InlineData("19800412 200003 1 00")]
    [InlineData("19800412 200003 1 00X")]
    public void Given_renstra_When_the_signer_NIP_is_not_18_digits_Then_refused_nip_invalid(string nip) =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.PkMurni with { Signer = Surakarta.Kepala with { Nip = nip } }),
            RuleCodes.PkSignerNipInvalid);

    [Fact]
    public void Given_Surakarta_PK_murni_When_PK_perubahan_budget_change_Then_PkRevised_v1_lists_exactly_the_three_changes()
    {
        var e = Expect.Single<PkRevised>(Decide(WithMurni(), Surakarta.PkPerubahan));

        Assert.Equal(1, e.Version);
        Assert.Equal("Perubahan anggaran; perubahan volume target", e.Reason);
        Assert.Equal("budget-change", e.Ground);
        Assert.Equal(
            [new PkTargetChanged("I7", 1.48m, 1.85m), new PkTargetChanged("I2", 90m, 93m), new PkTargetChanged("I8", 90m, 93m)],
            e.Changes);
        Assert.Equal([0.10m, 1.85m, 93m, 93m, 68.58m], e.Targets.Select(t => t.Target));

        var state = PerformanceYear.Evolve(WithMurni(), e);
        Assert.Equal(2, state.PkVersions.Count);
        Assert.Equal(1.48m, state.PkMurni!.TargetFor("I7"));
        Assert.Equal(1.85m, state.CurrentPk!.TargetFor("I7"));
        Assert.Equal(PkRevisionGround.BudgetChange, state.CurrentPk.Ground);
    }

    [Fact]
    public void Given_PK_murni_When_a_perubahan_lists_only_the_changed_target_Then_unlisted_targets_carry_over()
    {
        var e = Expect.Single<PkRevised>(Decide(WithMurni(), Surakarta.PkPerubahan with { Targets = [new("I2", 93m)] }));

        Assert.Equal(5, e.Targets.Count);
        Assert.Equal(1.48m, e.Targets.Single(t => t.Indicator == "I7").Target);
        Assert.Equal(93m, e.Targets.Single(t => t.Indicator == "I2").Target);
    }

    [Fact]
    public void Given_PK_murni_When_a_perubahan_adds_an_indicator_Then_it_is_a_change_from_nothing()
    {
        var e = Expect.Single<PkRevised>(Decide(WithMurni(), Surakarta.PkPerubahan with { Targets = [new("I1", 0.80m)] }));
        Assert.Equal(new PkTargetChanged("I1", null, 0.80m), Assert.Single(e.Changes));
        Assert.Equal(6, e.Targets.Count);
    }

    [Fact]
    public void Given_no_PK_murni_When_revising_Then_refused_no_murni() =>
        Expect.Refused(Decide(Surakarta.EmptyYear(), Surakarta.PkPerubahan), RuleCodes.PkPerubahanWithoutMurni);

    [Fact]
    public void Given_PK_murni_When_revising_without_reason_Then_refused_reason_required() =>
        Expect.Refused(Decide(WithMurni(), Surakarta.PkPerubahan with { Reason = "" }), RuleCodes.PkPerubahanReasonRequired);

    [Fact]
    public void Given_PK_murni_When_revising_without_a_ground_Then_refused_ground_required() =>
        Expect.Refused(Decide(WithMurni(), Surakarta.PkPerubahan with { Ground = null }), RuleCodes.PkPerubahanGroundRequired);

    [Fact]
    public void Given_PK_murni_When_every_perubahan_target_equals_it_Then_refused_no_change() =>
        Expect.Refused(Decide(WithMurni(), Surakarta.PkPerubahan with { Targets = Surakarta.PkMurni.Targets }),
            RuleCodes.PkPerubahanNoChange);

    [Fact]
    public void Given_PK_murni_When_a_perubahan_names_an_unknown_indicator_Then_refused_unknown_indicator() =>
        Expect.Refused(Decide(WithMurni(), Surakarta.PkPerubahan with { Targets = [new("I5", 24.05m)] }), RuleCodes.PkUnknownIndicator);

    [Fact]
    public void Given_PK_murni_signed_2_January_When_a_perubahan_is_signed_earlier_Then_refused_signed_before_previous() =>
        Expect.Refused(Decide(WithMurni(), Surakarta.PkPerubahan with { SignedOn = new DateOnly(2022, 12, 30) }),
            RuleCodes.PkPerubahanSignedBeforePrevious);

    [Fact]
    public void Given_PK_perubahan_1_When_a_second_perubahan_Then_version_2_diffs_against_version_1()
    {
        var state = Surakarta.Apply(WithMurni(), Surakarta.PkPerubahan);
        var second = Surakarta.PkPerubahan with
        {
            Ground = PkRevisionGround.OfficialChange, Signer = new("Pejabat Baru", "197501012000031001", "Kepala BKPSDM"),
            Targets = [new("I2", 95m)],
        };

        var e = Expect.Single<PkRevised>(Decide(state, second));
        Assert.Equal(2, e.Version);
        Assert.Equal("official-change", e.Ground);
        Assert.Equal(new PkTargetChanged("I2", 93m, 95m), Assert.Single(e.Changes));
    }
}
