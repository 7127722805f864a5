using System.Text.Json;
using Ledger.Api.Tests.Audit;
using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Workflow;

/// <summary>PK perubahan as a workflow (issue 5 item 2): staff propose (202), the approver signs or rejects.</summary>
public sealed class PkRevisionWorkflowTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private static async Task<Surakarta> WithMurniAsync(LedgerApiFactory f)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        return s;
    }

    private static async Task<Guid> ProposeAsync(Surakarta s)
    {
        var proposed = await s.PostAsync(s.Staff, "pk/2023/revisions", Surakarta.PkPerubahan, 202);
        Assert.Equal(s.YearStream, proposed.JsonAt("streamId").GetString());
        Assert.Single(proposed.JsonAt("eventIds").EnumerateArray());
        return proposed.JsonAt("proposalId").GetGuid();
    }

    private static string Proposal(Guid id, string action) => $"pk/2023/revisions/proposals/{id}/{action}";

    [Fact]
    public async Task ProposePkPerubahan_AsStaff_Returns202AndThePkIsUnchanged()
    {
        var s = await WithMurniAsync(f);
        var id = await ProposeAsync(s);

        var pk = await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/pk/2023");
        Assert.Equal(0, pk.GetProperty("number").GetInt32());
        Assert.Single(pk.GetProperty("versions").EnumerateArray());
        var proposals = await f.GetAsync(s.Approver, $"/api/agencies/{s.Agency}/pk/2023/revisions/proposals");
        var p = Assert.Single(proposals.EnumerateArray());
        Assert.Equal(id, p.GetProperty("proposalId").GetGuid());
        Assert.Equal("pending", p.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ApproveProposal_AsApprover_SignsVersion1WithTheProposalsTargetsAndHistoryShowsBothActors()
    {
        var s = await WithMurniAsync(f);
        var id = await ProposeAsync(s);

        var approved = await s.PostAsync(s.Approver, Proposal(id, "approve"), new { note = "Disetujui" });
        Assert.Equal(2, approved.JsonAt("eventIds").GetArrayLength()); // the approval and the PkRevised, one append

        var pk = await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/pk/2023");
        Assert.Equal(1, pk.GetProperty("number").GetInt32());
        Assert.Equal(93m, pk.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("indicator").GetString() == "I2").GetProperty("target").GetDecimal());

        var history = (await f.GetAsync(s.Approver, $"/api/agencies/{s.Agency}/indicators/I2/history")).EnumerateArray().ToList();
        var proposed = Assert.Single(history, h => h.GetProperty("kind").GetString() == "pk.perubahan-proposed");
        var approval = Assert.Single(history, h => h.GetProperty("kind").GetString() == "pk.perubahan-approved");
        Assert.Equal("staff", proposed.GetProperty("actor").GetProperty("role").GetString());
        Assert.Equal("Perencana BKPSDM", proposed.GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal("approver", approval.GetProperty("actor").GetProperty("role").GetString());
        Assert.True(approval.GetProperty("at").GetDateTimeOffset() >= proposed.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(93m, approval.GetProperty("after").GetDecimal());
        Assert.Contains(history, h => h.GetProperty("kind").GetString() == "pk.perubahan");

        var p = Assert.Single((await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/pk/2023/revisions/proposals")).EnumerateArray());
        Assert.Equal("approved", p.GetProperty("status").GetString());
        Assert.Equal(1, p.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task RejectProposal_WithReason_ChangesNothingAndWithoutReasonIs400()
    {
        var s = await WithMurniAsync(f);
        var id = await ProposeAsync(s);

        await s.PostAsync(s.Approver, Proposal(id, "reject"), new { }, 400);
        await s.PostAsync(s.Approver, Proposal(id, "reject"), new { reason = "Belum ada dasar APBD-P" });

        var pk = await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/pk/2023");
        Assert.Equal(0, pk.GetProperty("number").GetInt32());
        var p = Assert.Single((await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/pk/2023/revisions/proposals")).EnumerateArray());
        Assert.Equal("rejected", p.GetProperty("status").GetString());
        var late = await s.PostAsync(s.Approver, Proposal(id, "approve"), new { }, 422);
        Assert.Equal("revision-proposal.not-pending", late.JsonAt("rule").GetString());
    }

    [Fact]
    public async Task ApproveProposal_AfterAConflictingDirectRevision_Returns422Stale()
    {
        var s = await WithMurniAsync(f);
        var id = await ProposeAsync(s);
        await s.PostAsync(s.Approver, "pk/2023/revisions", new
        {
            reason = "Pergantian pejabat", ground = "official-change", signedOn = "2023-07-01", signer = Surakarta.Signer,
            targets = new[] { new { indicator = "I2", target = 95m } },
        });

        var stale = await s.PostAsync(s.Approver, Proposal(id, "approve"), new { }, 422);
        Assert.Equal("revision-proposal.stale", stale.JsonAt("rule").GetString());
        Assert.Equal(1, (await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/pk/2023")).GetProperty("number").GetInt32());
    }

    [Fact]
    public async Task ApproveOrRejectProposal_AsStaff_Returns403AndAdminCannotRevise()
    {
        var s = await WithMurniAsync(f);
        var id = await ProposeAsync(s);
        var before = await Surakarta.CountAllEventsAsync(f);

        await s.PostAsync(s.Staff, Proposal(id, "approve"), new { }, 403);
        await s.PostAsync(s.Staff, Proposal(id, "reject"), new { reason = "x" }, 403);
        await s.PostAsync(LedgerApiFactory.AdminToken, "pk/2023/revisions", Surakarta.PkPerubahan, 403);

        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }

    [Fact]
    public async Task ApproveProposal_UnknownId_Returns404()
    {
        var s = await WithMurniAsync(f);
        await s.PostAsync(s.Approver, Proposal(Guid.NewGuid(), "approve"), new { }, 404);
    }

    [Fact]
    public async Task ProposePkPerubahan_BreakingAPkRule_Returns422WithThatRule()
    {
        var s = await WithMurniAsync(f);
        var bad = await s.PostAsync(s.Staff, "pk/2023/revisions", new
        {
            reason = "Perubahan", ground = "budget-change", signedOn = "2023-10-02", signer = Surakarta.Signer,
            targets = new[] { new { indicator = "I2", target = 90m } },
        }, 422);
        Assert.Equal("pk.perubahan.no-change", bad.JsonAt("rule").GetString());
    }
}
