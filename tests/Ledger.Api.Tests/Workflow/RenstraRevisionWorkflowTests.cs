using Ledger.Api.Tests.Audit;
using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Workflow;

public sealed class RenstraRevisionWorkflowTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private static readonly object Revision = new { reason = "Penyesuaian RPJMD perubahan", changes = new[] { new { indicator = "I2", year = 2023, target = 80m } } };

    [Fact]
    public async Task ReviseRenstra_AsStaffThenApproved_RenstraTargetChangesOnlyAfterApproval()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var id = (await s.PostAsync(s.Staff, "renstra/2021/revisions", Revision, 202)).JsonAt("proposalId").GetGuid();

        Assert.Equal(75m, (await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/indicators/I2?year=2023")).GetProperty("targets").GetProperty("renstra").GetDecimal());
        await s.PostAsync(s.Staff, $"renstra/2021/revisions/proposals/{id}/approve", new { }, 403);
        await s.PostAsync(s.Approver, $"renstra/2021/revisions/proposals/{id}/approve", new { });

        Assert.Equal(80m, (await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/indicators/I2?year=2023")).GetProperty("targets").GetProperty("renstra").GetDecimal());
        var p = Assert.Single((await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/renstra/2021/revisions/proposals")).EnumerateArray());
        Assert.Equal("approved", p.GetProperty("status").GetString());
        var history = (await f.GetAsync(s.Approver, $"/api/agencies/{s.Agency}/indicators/I2/history")).EnumerateArray().ToList();
        Assert.Equal("staff", history.Single(h => h.GetProperty("kind").GetString() == "renstra.revision-proposed").GetProperty("actor").GetProperty("role").GetString());
        Assert.Equal("approver", history.Single(h => h.GetProperty("kind").GetString() == "renstra.revision-approved").GetProperty("actor").GetProperty("role").GetString());
    }

    [Fact]
    public async Task ApproveRenstraProposal_AfterADirectRevisionMadeTheSameChange_Returns422NoChange()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var id = (await s.PostAsync(s.Staff, "renstra/2021/revisions", Revision, 202)).JsonAt("proposalId").GetGuid();
        await s.PostAsync(s.Approver, "renstra/2021/revisions", Revision, 200);

        var refused = await s.PostAsync(s.Approver, $"renstra/2021/revisions/proposals/{id}/approve", new { }, 422);
        Assert.Equal("renstra.revision.no-change", refused.JsonAt("rule").GetString());
    }
}
