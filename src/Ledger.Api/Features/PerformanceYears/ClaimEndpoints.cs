using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.DeclaringClaims;

namespace Ledger.Api.Features.PerformanceYears;

// POST /api/agencies/{agency}/years/{year}/declared-claims  (agency write) 200 { source, claims: [ { indicator, period,
//                                                            claimedCapaian?, claimedProgress?, note? } ], reason? }
// Capaian and progress as a report of the year prints them where they are not themselves realizations (a claim printed
// beside a blank realisasi, 001 A9, or printed again in another table). Evidence for findings, never a realization.
// Stream year-{agency}-{year}: a closed year is 409 year.closed, as for every write but corrections.
public static class ClaimEndpoints
{
    public sealed record ClaimBody(string? Indicator, string? Period, decimal? ClaimedCapaian, decimal? ClaimedProgress, string? Note);

    public sealed record DeclaredClaimsBody(string? Source, List<ClaimBody?>? Claims, string? Reason);

    private static readonly CommandHandler<Addressed<DeclaredClaimsBody>, PerformanceYearState, PerformanceYearContext> Declare =
        PerformanceYearHandler.For<DeclaredClaimsBody>(b => new DeclareClaims(b.Source!,
            b.Claims!.Select(c => new PrintedClaim(c!.Indicator!, RealizationEndpoints.Period(c.Period), c.ClaimedCapaian, c.ClaimedProgress, c.Note))
                .ToList()));

    [WolverinePost("/api/agencies/{agency}/years/{year:int}/declared-claims"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(DeclaredClaimsBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("DeclareClaims"), Tags("Years"), EndpointSummary("Record capaian and progress claims as a report of the year prints them, without a realization (evidence for findings)")]
    public static Task<CommandAccepted> DeclareClaimsEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Declare, PerformanceYearHandler.FromRoute<DeclaredClaimsBody>(b => b.Reason));


    public static IServiceCollection AddClaimValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<DeclaredClaimsBody, DeclaredClaimsBodyValidator>("year");

    /// <summary>Shape only; unknown indicators, periods that do not fit the aggregation, duplicates and an entry without
    /// any figure are the domain's (422).</summary>
    public sealed class DeclaredClaimsBodyValidator : AbstractValidator<DeclaredClaimsBody>
    {
        public DeclaredClaimsBodyValidator()
        {
            RuleFor(b => b.Source).Required().MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.Claims).Required().MaxItemCount();
            RuleForEach(b => b.Claims).NotNull().WithMessage("A claim cannot be null.").ChildRules(c =>
            {
                c.RuleFor(x => x!.Indicator).Required().MaximumLength(BodyRules.CodeLength);
                c.RuleFor(x => x!.Period).Required().OneOf(w => WireNames.TryParsePeriod(w, out _), RealizationEndpoints.Periods);
                c.RuleFor(x => x!.ClaimedCapaian).Magnitude();
                c.RuleFor(x => x!.ClaimedProgress).Magnitude();
                c.RuleFor(x => x!.Note).MaximumLength(BodyRules.TextLength);
            });
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }
}
