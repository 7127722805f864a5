using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;

namespace Ledger.Api.Features.PerformanceYears;

// POST /api/agencies/{agency}/realizations              (agency write) 200 { indicator, year, period: Q1|Q2|Q3|Q4|S1|S2|Y, value,
//                                                                           numerator?, denominator?, evidence?, note?, claimedCapaian?,
//                                                                           claimedProgress? }
// POST /api/agencies/{agency}/realizations/corrections  (agency write) 200 { indicator, year, period, value, reason }
// The year is in the body, so the stream year-{agency}-{year} comes from the body. A correction is accepted even after
// the year is closed (flagged afterClose); everything else on a closed year is 409 year.closed.
public static class RealizationEndpoints
{
    public sealed record RealizationBody(
        string? Indicator, int? Year, string? Period, decimal? Value, decimal? Numerator, decimal? Denominator, string? Evidence,
        string? Note, decimal? ClaimedCapaian, string? Reason, decimal? ClaimedProgress = null);

    public sealed record CorrectionBody(string? Indicator, int? Year, string? Period, decimal? Value, string? Reason);

    private static readonly CommandHandler<Addressed<RealizationBody>, PerformanceYearState, PerformanceYearContext> Record =
        PerformanceYearHandler.For<RealizationBody>(b => new RecordRealization(b.Indicator!, Period(b.Period), b.Value!.Value,
            b.Numerator, b.Denominator, b.Evidence, b.Note, b.ClaimedCapaian, b.ClaimedProgress));

    private static readonly CommandHandler<Addressed<CorrectionBody>, PerformanceYearState, PerformanceYearContext> Correct =
        PerformanceYearHandler.For<CorrectionBody>(b => new CorrectRealization(b.Indicator!, Period(b.Period), b.Value!.Value, b.Reason!));

    [WolverinePost("/api/agencies/{agency}/realizations"), IdempotencyKey, YearHeadsPrefetch(YearIn.Body), CommandBody(typeof(RealizationBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("RecordRealization"), Tags("Realizations"), EndpointSummary("Record a realization (realisasi) of an indicator for a period")]
    public static Task<CommandAccepted> RecordRealizationEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Record, (HttpContext http, RealizationBody body) =>
                {
                    DomainCommands.RecordReason(http, body.Reason);
                    return new Addressed<RealizationBody>(RouteValues.Agency(http), body.Year ?? 0, body);
                });

    [WolverinePost("/api/agencies/{agency}/realizations/corrections"), IdempotencyKey, YearHeadsPrefetch(YearIn.Body), CommandBody(typeof(CorrectionBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("CorrectRealization"), Tags("Realizations"), EndpointSummary("Correct a recorded realization, with a reason (also after close)")]
    public static Task<CommandAccepted> CorrectRealizationEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Correct, (HttpContext http, CorrectionBody body) =>
                {
                    DomainCommands.RecordReason(http, body.Reason);
                    return new Addressed<CorrectionBody>(RouteValues.Agency(http), body.Year ?? 0, body);
                });


    public static IServiceCollection AddRealizationValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<RealizationBody, RealizationBodyValidator>("year")
        .AddYearAddressedValidator<CorrectionBody, CorrectionBodyValidator>("year");

    internal static Period Period(string? wire) => WireNames.TryParsePeriod(wire, out var p) ? p : throw new InvalidOperationException("Unvalidated period.");

    internal const string Periods = "Q1, Q2, Q3, Q4, S1, S2, Y";

    /// <summary>Shape only; negative values and fractions, periods that do not fit the aggregation are the domain's (422).</summary>
    public sealed class RealizationBodyValidator : AbstractValidator<RealizationBody>
    {
        public RealizationBodyValidator()
        {
            RuleFor(b => b.Indicator).Required().MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Period).Required().OneOf(w => WireNames.TryParsePeriod(w, out _), Periods);
            RuleFor(b => b.Value).Required().Magnitude();
            RuleFor(b => b.Numerator).Magnitude();
            RuleFor(b => b.Denominator).Magnitude();
            RuleFor(b => b.ClaimedCapaian).Magnitude();
            RuleFor(b => b.ClaimedProgress).Magnitude();
            RuleFor(b => b.Evidence).MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Note).MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    public sealed class CorrectionBodyValidator : AbstractValidator<CorrectionBody>
    {
        public CorrectionBodyValidator()
        {
            RuleFor(b => b.Indicator).Required().MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Period).Required().OneOf(w => WireNames.TryParsePeriod(w, out _), Periods);
            RuleFor(b => b.Value).Required().Magnitude();
            RuleFor(b => b.Reason).Required().MaximumLength(BodyRules.TextLength);
        }
    }
}
