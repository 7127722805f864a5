using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Features.PerformanceYears;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.ProposingRevision;

namespace Ledger.Api.Features.Renstras;

// POST /api/agencies/{agency}/renstra/{periodStart}/revisions/proposals/{proposalId}/approve (approver) 200 { note? } → approval + RenstraRevised
// POST /api/agencies/{agency}/renstra/{periodStart}/revisions/proposals/{proposalId}/reject  (approver) 200 { reason }
// GET  /api/agencies/{agency}/renstra/{periodStart}/revisions/proposals[?asOf=]               (agency read)
// Proposals are made by staff through POST …/renstra/{periodStart}/revisions. Stream renstra-{agency}-{periodStart}.
public static class RenstraProposalEndpoints
{
    public sealed record ProposalChangeBody(string Indicator, int Year, decimal? Before, decimal After);

    public sealed record ProposalBody(
        Guid ProposalId, string Status, int BasedOnRevision, string Reason, string? LegalBasis, IReadOnlyList<ProposalChangeBody> Changes,
        int? RevisionNumber, string? RejectReason);

    private static readonly CommandHandler<Addressed<PkProposalEndpoints.ApproveBody>, RenstraState, RenstraContext> Approve =
        RenstraEndpoints.Handler<PkProposalEndpoints.ApproveBody>(a => new ApproveRenstraRevision(a.ProposalId));

    private static readonly CommandHandler<Addressed<PkProposalEndpoints.RejectBody>, RenstraState, RenstraContext> Reject =
        RenstraEndpoints.Handler<PkProposalEndpoints.RejectBody>(a => new RejectRenstraRevision(a.ProposalId, a.Command.Reason ?? ""));

    private const string Base = "/agencies/{agency}/renstra/{periodStart:int}/revisions/proposals";

    [WolverinePost("/api" + Base + "/{proposalId:guid}/approve"), IdempotencyKey, CommandBody(typeof(PkProposalEndpoints.ApproveBody))]
    [AgencyAccess(Authorization.Access.Sign)]
    [EndpointName("ApproveRenstraRevision"), Tags("Renstra"), EndpointSummary("Sign a proposed perubahan Renstra: decided again on the current Renstra")]
    public static Task<CommandAccepted> ApproveRenstraRevisionEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Approve, (HttpContext http, PkProposalEndpoints.ApproveBody body) => Address(http, body, body.Reason ?? body.Note));

    [WolverinePost("/api" + Base + "/{proposalId:guid}/reject"), IdempotencyKey, CommandBody(typeof(PkProposalEndpoints.RejectBody))]
    [AgencyAccess(Authorization.Access.Sign)]
    [EndpointName("RejectRenstraRevision"), Tags("Renstra"), EndpointSummary("Reject a proposed perubahan Renstra, with a reason")]
    public static Task<CommandAccepted> RejectRenstraRevisionEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Reject, (HttpContext http, PkProposalEndpoints.RejectBody body) => Address(http, body, body.Reason));

    public static void MapRenstraProposalEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet(Base, ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<List<ProposalBody>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReadRenstraRevisionProposals").WithTags("Renstra").WithSummary("Renstra revision proposals and where each stands");
    }

    /// <summary>The approve/reject bodies' validators are registered by PkProposalEndpoints with the key "year"; here the key is the period start.</summary>
    private static Addressed<TBody> Address<TBody>(HttpContext http, TBody body, string? reason)
    {
        DomainCommands.RecordReason(http, reason);
        return new Addressed<TBody>(RouteValues.Agency(http), RouteValues.Int(http, "periodStart"), body)
        {
            ProposalId = RouteValues.Guid(http, "proposalId"),
        };
    }

    private static async Task<IResult> ReadAsync(
        HttpContext http, string agency, int periodStart, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.CheckYear(periodStart, "periodStart", out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (!(await loader.AgencyAsync(agency, at, ct)).State.Exists) return ReadQuery.NotFound($"Agency '{agency}' is not on record.");
        var loaded = await loader.RenstraAsync(agency, periodStart, at, ct);
        if (!loaded.State.Exists) return ReadQuery.NotFound($"No Renstra {periodStart} of agency '{agency}' is on record.");
        return ReadQuery.Ok(http, loaded.State.Proposals.Select(p => new ProposalBody(p.Id, ProposalStatusWire.Name(p.Status),
            p.Proposed.BasedOnRevision, p.Proposed.Reason, p.Proposed.LegalBasis,
            p.Proposed.Changes.Select(c => new ProposalChangeBody(c.Indicator, c.Year, c.Before, c.After)).ToList(),
            p.RevisionNumber, p.RejectReason)).ToList(), loaded.Version);
    }
}
