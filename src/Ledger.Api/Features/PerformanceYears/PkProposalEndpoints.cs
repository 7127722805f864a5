using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;

namespace Ledger.Api.Features.PerformanceYears;

// POST /api/agencies/{agency}/pk/{year}/revisions/proposals/{proposalId}/approve (approver) 200 { note? }   → approval + PkRevised, one append
// POST /api/agencies/{agency}/pk/{year}/revisions/proposals/{proposalId}/reject  (approver) 200 { reason }
// GET  /api/agencies/{agency}/pk/{year}/revisions/proposals[?asOf=]               (agency read) [ { proposalId, status, … } ]
// Proposals are made by staff through POST …/pk/{year}/revisions (PkEndpoints.cs). Stream year-{agency}-{year}.
public static class PkProposalEndpoints
{
    public sealed record ApproveBody(string? Note, string? Reason = null);

    public sealed record RejectBody(string? Reason);

    public sealed record ProposalChangeBody(string Indicator, decimal? Before, decimal After);

    public sealed record ProposalBody(
        Guid ProposalId, string Status, int BasedOnVersion, string Reason, string Ground, DateOnly SignedOn, PkEndpoints.SignerBody Signer,
        IReadOnlyList<PkEndpoints.PkTargetBody> Targets, IReadOnlyList<ProposalChangeBody> Changes, int? Version, string? RejectReason);

    private static readonly CommandHandler<Addressed<ApproveBody>, PerformanceYearState, PerformanceYearContext> Approve =
        PerformanceYearHandler.ForAddressed<ApproveBody>(a => new ApprovePkRevision(a.ProposalId));

    private static readonly CommandHandler<Addressed<RejectBody>, PerformanceYearState, PerformanceYearContext> Reject =
        PerformanceYearHandler.ForAddressed<RejectBody>(a => new RejectPkRevision(a.ProposalId, a.Command.Reason ?? ""));

    private const string Base = "/agencies/{agency}/pk/{year:int}/revisions/proposals";

    [WolverinePost("/api" + Base + "/{proposalId:guid}/approve"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(ApproveBody))]
    [AgencyAccess(Authorization.Access.Sign)]
    [EndpointName("ApprovePkRevision"), Tags("PK"), EndpointSummary("Sign a proposed PK perubahan: decided again on the current PK")]
    public static Task<CommandAccepted> ApprovePkRevisionEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Approve, (HttpContext http, ApproveBody body) => PerformanceYearHandler.FromRoute<ApproveBody>(b => b.Reason ?? b.Note)(http, body) with
        {
            ProposalId = RouteValues.Guid(http, "proposalId"),
        });

    [WolverinePost("/api" + Base + "/{proposalId:guid}/reject"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(RejectBody))]
    [AgencyAccess(Authorization.Access.Sign)]
    [EndpointName("RejectPkRevision"), Tags("PK"), EndpointSummary("Reject a proposed PK perubahan, with a reason")]
    public static Task<CommandAccepted> RejectPkRevisionEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Reject, (HttpContext http, RejectBody body) => PerformanceYearHandler.FromRoute<RejectBody>(b => b.Reason)(http, body) with
        {
            ProposalId = RouteValues.Guid(http, "proposalId"),
        });

    public static void MapPkProposalEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet(Base, ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<List<ProposalBody>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReadPkRevisionProposals").WithTags("PK").WithSummary("PK perubahan proposals of the year and where each stands");
    }

    public static IServiceCollection AddPkProposalValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<ApproveBody, ApproveBodyValidator>("year")
        .AddYearAddressedValidator<RejectBody, RejectBodyValidator>("year");

    private static async Task<IResult> ReadAsync(HttpContext http, string agency, int year, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.CheckYear(year, "year", out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (!(await loader.AgencyAsync(agency, at, ct)).State.Exists) return ReadQuery.NotFound($"Agency '{agency}' is not on record.");
        var loaded = await loader.YearAsync(agency, year, at, ct);
        return ReadQuery.Ok(http, loaded.State.PkProposals.Select(ToBody).ToList(), loaded.Version);
    }

    private static ProposalBody ToBody(PkRevisionProposal p)
    {
        var e = p.Proposed;
        return new ProposalBody(e.ProposalId, ProposalStatusWire.Name(p.Status), e.BasedOnVersion, e.Reason, e.Ground, e.SignedOn,
            new PkEndpoints.SignerBody(e.Signer.Name, e.Signer.Nip, e.Signer.Position),
            e.Targets.Select(t => new PkEndpoints.PkTargetBody(t.Indicator, t.Target)).ToList(),
            e.Changes.Select(c => new ProposalChangeBody(c.Indicator, c.Before, c.After)).ToList(), p.Version, p.RejectReason);
    }

    public sealed class ApproveBodyValidator : AbstractValidator<ApproveBody>
    {
        public ApproveBodyValidator()
        {
            RuleFor(b => b.Note).MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    public sealed class RejectBodyValidator : AbstractValidator<RejectBody>
    {
        public RejectBodyValidator() => RuleFor(b => b.Reason).Required().MaximumLength(BodyRules.TextLength);
    }
}
