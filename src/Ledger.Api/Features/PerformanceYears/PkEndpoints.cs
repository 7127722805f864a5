using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ProposingPkRevision;
using Ledger.Domain.Users;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;

namespace Ledger.Api.Features.PerformanceYears;

// POST /api/agencies/{agency}/pk/{year}            (approver) 201 { signedOn, signer: { name, nip, position }, targets: [ { indicator, target } ] }  PK murni
// POST /api/agencies/{agency}/pk/{year}/revisions  (approver) 200 { reason, ground: official-change|budget-change|priority-change, signedOn, signer, targets }  PK perubahan
//                                                  (staff)    202 same body: a proposal { proposalId, streamId, version, eventIds } (PkProposalEndpoints.cs)
// Signing is the approver's act (Access.Sign); staff propose (Access.Propose). Stream year-{agency}-{year}.
public static class PkEndpoints
{
    public sealed record SignerBody(string? Name, string? Nip, string? Position);

    public sealed record PkTargetBody(string? Indicator, decimal? Target);

    public sealed record PkBody(DateOnly? SignedOn, SignerBody? Signer, List<PkTargetBody?>? Targets, string? Reason);

    public sealed record PkRevisionBody(string? Reason, string? Ground, DateOnly? SignedOn, SignerBody? Signer, List<PkTargetBody?>? Targets);

    private static readonly CommandHandler<Addressed<PkBody>, PerformanceYearState, PerformanceYearContext> Sign =
        PerformanceYearHandler.For<PkBody>(b => new SignPk(b.SignedOn!.Value, Signer(b.Signer!), Targets(b.Targets!)));

    /// <summary>The approver signs at once; staff record a proposal (202) that the approver later signs or rejects.</summary>
    private static readonly CommandHandler<Addressed<PkRevisionBody>, PerformanceYearState, PerformanceYearContext> Revise =
        PerformanceYearHandler.ForAddressed<PkRevisionBody>(a => ProposingPkRevisionDecision.ReviseAs(a.Role, a.NewId, ToRevise(a.Command))) with
        {
            SuccessStatus = events => events is [PkRevisionProposed] ? StatusCodes.Status202Accepted : null,
            ResponseFields = events => events is [PkRevisionProposed p]
                ? new Dictionary<string, object?> { ["proposalId"] = p.ProposalId }
                : new Dictionary<string, object?>(),
        };

    public static RevisePk ToRevise(PkRevisionBody b) => new(b.Reason!,
        Wire.TryParseGround(b.Ground, out var ground) ? ground : null, b.SignedOn!.Value, Signer(b.Signer!), Targets(b.Targets!));

    [WolverinePost("/api/agencies/{agency}/pk/{year:int}"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(PkBody))]
    [AgencyAccess(Authorization.Access.Sign)]
    [EndpointName("SignPk"), Tags("PK"), EndpointSummary("Sign the year's PK murni (performance agreement)")]
    public static Task<CommandAccepted> SignPkEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Sign, PerformanceYearHandler.FromRoute<PkBody>(b => b.Reason),
                StatusCodes.Status201Created);

    [WolverinePost("/api/agencies/{agency}/pk/{year:int}/revisions"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(PkRevisionBody))]
    [AgencyAccess(Authorization.Access.Propose), ProducesResponseType(StatusCodes.Status202Accepted)]
    [EndpointName("RevisePk"), Tags("PK"), EndpointSummary("Sign a PK perubahan (approver), or propose one (staff: 202 with proposalId), with its reason and ground")]
    public static Task<CommandAccepted> RevisePkEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Revise, (HttpContext http, PkRevisionBody body) => PerformanceYearHandler.FromRoute<PkRevisionBody>(b => b.Reason)(http, body) with
                {
                    Role = http.User().Role, NewId = Guid.CreateVersion7(),
                });


    public static IServiceCollection AddPkValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<PkBody, PkBodyValidator>("year")
        .AddYearAddressedValidator<PkRevisionBody, PkRevisionBodyValidator>("year");

    private static Signer Signer(SignerBody s) => new(s.Name!, s.Nip!, s.Position!);

    private static List<PkTarget> Targets(List<PkTargetBody?> targets) =>
        targets.Select(t => new PkTarget(t!.Indicator!, t.Target!.Value)).ToList();

    /// <summary>Shape only; the domain checks the NIP's 18 digits, blank signer fields, unknown or duplicate indicators, negative targets.</summary>
    public sealed class PkBodyValidator : AbstractValidator<PkBody>
    {
        public PkBodyValidator()
        {
            RuleFor(b => b.SignedOn).Required();
            RuleFor(b => b.Signer).Required().SetValidator(new SignerValidator()!);
            RuleFor(b => b.Targets).Required().MaxItemCount();
            RuleForEach(b => b.Targets).NotNull().WithMessage("A target cannot be null.").SetValidator(new TargetValidator()!);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    public sealed class PkRevisionBodyValidator : AbstractValidator<PkRevisionBody>
    {
        public PkRevisionBodyValidator()
        {
            RuleFor(b => b.Reason).Required().MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Ground).Required().OneOf(w => Wire.TryParseGround(w, out _), "official-change, budget-change, priority-change");
            RuleFor(b => b.SignedOn).Required();
            RuleFor(b => b.Signer).Required().SetValidator(new SignerValidator()!);
            RuleFor(b => b.Targets).Required().MaxItemCount();
            RuleForEach(b => b.Targets).NotNull().WithMessage("A target cannot be null.").SetValidator(new TargetValidator()!);
        }
    }

    public sealed class SignerValidator : AbstractValidator<SignerBody>
    {
        public SignerValidator()
        {
            RuleFor(s => s.Name).Required().MaximumLength(BodyRules.NameLength);
            RuleFor(s => s.Nip).Required().MaximumLength(30);
            RuleFor(s => s.Position).Required().MaximumLength(BodyRules.NameLength);
        }
    }

    public sealed class TargetValidator : AbstractValidator<PkTargetBody>
    {
        public TargetValidator()
        {
            RuleFor(t => t.Indicator).Required().MaximumLength(BodyRules.CodeLength);
            RuleFor(t => t.Target).Required().Magnitude();
        }
    }
}
