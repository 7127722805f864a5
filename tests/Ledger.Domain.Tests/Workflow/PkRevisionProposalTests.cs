using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.Tests.Support;

namespace Ledger.Domain.Tests.Workflow;

public class PkRevisionProposalTests
{
    private static readonly Guid Id = Guid.Parse("0190f1a2-0000-7000-8000-000000000001");

    private static PerformanceYearState WithMurni() => Surakarta.Apply(Surakarta.EmptyYear(), Surakarta.PkMurni);

    private static Decision Decide(PerformanceYearState state, PerformanceYearCommand command) =>
        PerformanceYear.Decide(state, command, Surakarta.Context());

    private static PerformanceYearState Proposed() => Surakarta.Apply(WithMurni(), new ProposePkRevision(Id, Surakarta.PkPerubahan));

    [Fact]
    public void Given_PK_murni_When_staff_propose_a_perubahan_Then_proposed_with_changes_and_the_PK_is_unchanged()
    {
        var e = Expect.Single<PkRevisionProposed>(Decide(WithMurni(), new ProposePkRevision(Id, Surakarta.PkPerubahan)));

        Assert.Equal(Id, e.ProposalId);
        Assert.Equal(0, e.BasedOnVersion);
        Assert.Contains(e.Changes, c => c.Indicator == "I2" && c.Before == 90m && c.After == 93m);
        var state = Proposed();
        Assert.Single(state.PkVersions);
        Assert.Equal(ProposalStatus.Pending, Assert.Single(state.PkProposals).Status);
    }

    [Fact]
    public void Given_PK_murni_When_a_proposal_breaks_a_PK_rule_Then_refused_by_the_same_rule() =>
        Expect.Refused(Decide(WithMurni(), new ProposePkRevision(Id, Surakarta.PkPerubahan with { Reason = " " })),
            RuleCodes.PkPerubahanReasonRequired);

    [Fact]
    public void Given_a_pending_proposal_When_approved_Then_approval_and_PkRevised_version_1_in_one_decision()
    {
        var events = Expect.Accepted(Decide(Proposed(), new ApprovePkRevision(Id)));

        Assert.Equal(2, events.Count);
        Assert.Equal(new PkRevisionApproved(Id, 1), events[0]);
        var revised = Assert.IsType<PkRevised>(events[1]);
        Assert.Equal(93m, revised.Targets.Single(t => t.Indicator == "I2").Target);
    }

    [Fact]
    public void Given_an_approved_proposal_When_approved_again_Then_refused_not_pending()
    {
        var approved = Surakarta.Apply(Proposed(), new ApprovePkRevision(Id));
        Expect.Refused(Decide(approved, new ApprovePkRevision(Id)), RuleCodes.RevisionProposalNotPending);
    }

    [Fact]
    public void Given_a_proposal_When_a_direct_revision_moved_the_same_target_Then_approval_refused_stale()
    {
        var overtaken = Surakarta.Apply(Proposed(), Surakarta.PkPerubahan with { Targets = [new("I2", 95m)] });
        Expect.Refused(Decide(overtaken, new ApprovePkRevision(Id)), RuleCodes.RevisionProposalStale);
    }

    [Fact]
    public void Given_a_proposal_When_a_direct_revision_already_made_it_Then_approval_refused_no_change()
    {
        var overtaken = Surakarta.Apply(Proposed(), Surakarta.PkPerubahan);
        Expect.Refused(Decide(overtaken, new ApprovePkRevision(Id)), RuleCodes.PkPerubahanNoChange);
    }

    [Fact]
    public void Given_a_proposal_When_rejected_without_reason_Then_refused_and_with_reason_rejected()
    {
        Expect.Refused(Decide(Proposed(), new RejectPkRevision(Id, "")), RuleCodes.RevisionProposalRejectReasonRequired);
        var rejected = Surakarta.Apply(Proposed(), new RejectPkRevision(Id, "Belum ada dasar APBD-P"));
        Assert.Equal(ProposalStatus.Rejected, rejected.PkProposals[0].Status);
        Assert.Single(rejected.PkVersions);
        Expect.Refused(Decide(rejected, new ApprovePkRevision(Id)), RuleCodes.RevisionProposalNotPending);
    }

    [Fact]
    public void Given_no_such_proposal_When_approving_Then_not_found() =>
        Expect.NotFound(Decide(WithMurni(), new ApprovePkRevision(Guid.NewGuid())), "proposal");
}
