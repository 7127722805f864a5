using Ledger.Domain.Capaian;
using Ledger.Domain.Evaluations;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.Domain.Tests.Support;
using Ledger.Domain.Users;

namespace Ledger.Domain.Tests.Evaluations;

/// <summary>How an evaluation's Nilai SAKIP lands on the year stream, and who proposes versus who signs a revision.</summary>
public class NilaiSakipTests
{
    private const string Evidence = "evaluation-BKPSDM-2023, LHE 700/123/2024";

    [Fact]
    public void Given_no_Y_value_When_carrying_72_31_Then_a_recording_with_the_evaluation_as_evidence()
    {
        var c = Assert.IsType<RecordRealization>(NilaiSakip.RealizationCommand(Surakarta.EmptyYear(), "I8", 72.31m, Evidence));
        Assert.Equal(("I8", Period.Y, 72.31m, Evidence), (c.Indicator, c.Period, c.Value, c.Evidence));
    }

    [Fact]
    public void Given_another_Y_value_When_carrying_the_score_Then_a_correction_whose_reason_names_the_old_value()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I8", Period.Y, 90m));
        var c = Assert.IsType<CorrectRealization>(NilaiSakip.RealizationCommand(year, "I8", 72.31m, Evidence));
        Assert.Equal(72.31m, c.Value);
        Assert.Contains("was 90", c.Reason, StringComparison.Ordinal);
        Assert.Contains(Evidence, c.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_the_same_Y_value_When_carrying_the_score_Then_nothing_to_write()
    {
        var year = Surakarta.Apply(Surakarta.EmptyYear(), new RecordRealization("I8", Period.Y, 72.31m));
        Assert.Null(NilaiSakip.RealizationCommand(year, "I8", 72.310m, Evidence));
    }

    [Fact]
    public void Given_an_indicator_outside_the_Renstra_When_the_carried_recording_is_decided_Then_the_year_rules_refuse_it()
    {
        var command = NilaiSakip.RealizationCommand(Surakarta.EmptyYear(), "NOPE", 72.31m, Evidence)!;
        Assert.IsNotType<Decision.Accepted>(PerformanceYear.Decide(Surakarta.EmptyYear(), command, Surakarta.Context()));
    }

    [Theory]
    [InlineData("700/123/2024", "evaluation-BKPSDM-2023, LHE 700/123/2024")]
    [InlineData(null, "evaluation-BKPSDM-2023")]
    public void Evidence_names_the_evaluation_stream_and_its_report(string? report, string expected) =>
        Assert.Equal(expected, NilaiSakip.Evidence("BKPSDM", 2023, report));

    [Theory]
    [InlineData(Roles.Staff, true)]
    [InlineData(Roles.Approver, false)]
    [InlineData(Roles.Admin, false)]
    public void Staff_propose_a_PK_perubahan_and_others_sign_it(string role, bool proposes)
    {
        var id = Guid.NewGuid();
        var c = ProposingPkRevisionDecision.ReviseAs(role, id, Surakarta.PkPerubahan);
        if (proposes) Assert.Equal(new ProposePkRevision(id, Surakarta.PkPerubahan), c);
        else Assert.Same(Surakarta.PkPerubahan, c);
    }

    [Theory]
    [InlineData(Roles.Staff, true)]
    [InlineData(Roles.Approver, false)]
    [InlineData(Roles.Admin, false)]
    public void Staff_propose_a_Renstra_revision_and_others_revise_at_once(string role, bool proposes)
    {
        var id = Guid.NewGuid();
        var revision = new ReviseRenstra("Reviu", null, []);
        var c = ProposingRenstraRevisionDecision.ReviseAs(role, id, revision);
        if (proposes) Assert.Equal(new ProposeRenstraRevision(id, revision), c);
        else Assert.Same(revision, c);
    }
}
