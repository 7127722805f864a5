using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain.Agencies;
using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.Rating;

namespace Ledger.Api.Features.Agencies;

// POST /api/agencies                          (admin)          { code, name }
// PUT  /api/agencies/{agency}/rating-scale    (agency write)   { name, effectiveFromYear, bands: [ { label, min?, minInclusive, max?, maxInclusive } ] }
public static class AgencyEndpoints
{
    public static readonly CommandHandler<Addressed<AgencyCommand>, AgencyState> Handler = new()
    {
        Stream = c => Agency.StreamName(c.Agency),
        Tenant = c => c.Agency,
        Initial = AgencyState.Initial,
        Decide = (state, c) => DomainCommands.ToPipeline(Agency.Decide(state, c.Command)),
    };

    public sealed record RatingScaleBody(string Name, int EffectiveFromYear, IReadOnlyList<RatingBand> Bands, string? Reason = null);

    /// <summary>POST /api/agencies: the agency, and the write's reason (api.md: every write may carry one).</summary>
    public sealed record RegisterAgencyBody(string? Code, string? Name, string? Reason = null);

    [WolverinePost("/api/agencies"), IdempotencyKey, CommandBody(typeof(RegisterAgencyBody))]
    [RoleAccess(Domain.Users.Roles.Admin)]
    [EndpointName("RegisterAgency"), Tags("Agencies"), EndpointSummary("Register an agency (perangkat daerah)")]
    public static Task<CommandAccepted> RegisterAgencyEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Handler, (HttpContext http, RegisterAgencyBody body) =>
        {
            DomainCommands.RecordReason(http, body.Reason);
            return new Addressed<AgencyCommand>(body.Code ?? "", 0, new RegisterAgency(body.Code!, body.Name!));
        }, StatusCodes.Status201Created);

    [WolverinePut("/api/agencies/{agency}/rating-scale"), IdempotencyKey, CommandBody(typeof(RatingScaleBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("SetRatingScale"), Tags("Agencies"), EndpointSummary("Choose the agency's rating scale (predikat bands) from a year on")]
    public static Task<CommandAccepted> SetRatingScaleEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Handler, (HttpContext http, RatingScaleBody body) =>
        {
            DomainCommands.RecordReason(http, body.Reason);
            return new Addressed<AgencyCommand>(RouteValues.Agency(http), 0, new SetRatingScale(body.Name, body.EffectiveFromYear, body.Bands));
        });


    public static IServiceCollection AddAgencyValidators(this IServiceCollection services) => services
        .AddCommandValidator<AgencyCommand, AgencyCommandValidator>();

    /// <summary>Shape checks (the domain checks the rules: slug format, scale gaps and overlaps).</summary>
    public sealed class AgencyCommandValidator : AbstractValidator<AgencyCommand>
    {
        public AgencyCommandValidator()
        {
            When(c => c is RegisterAgency, () =>
            {
                RuleFor(c => ((RegisterAgency)c).Code).NotEmpty().MaximumLength(100).OverridePropertyName("code");
                RuleFor(c => ((RegisterAgency)c).Name).NotEmpty().MaximumLength(300).OverridePropertyName("name");
            });
            When(c => c is SetRatingScale, () =>
            {
                RuleFor(c => ((SetRatingScale)c).Name).NotEmpty().MaximumLength(200).OverridePropertyName("name");
                RuleFor(c => ((SetRatingScale)c).EffectiveFromYear).InclusiveBetween(2000, 2100).OverridePropertyName("effectiveFromYear");
                RuleFor(c => ((SetRatingScale)c).Bands).NotEmpty().Must(b => b is null || b.Count <= 20)
                    .WithMessage("At most 20 bands.").OverridePropertyName("bands");
                RuleForEach(c => ((SetRatingScale)c).Bands).ChildRules(b =>
                {
                    b.RuleFor(x => x.Label).NotEmpty().MaximumLength(100);
                }).OverridePropertyName("bands");
            });
        }
    }
}
