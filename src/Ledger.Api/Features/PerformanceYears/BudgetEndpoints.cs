using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.DeclaringBudgetTotals;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;

namespace Ledger.Api.Features.PerformanceYears;

// POST /api/agencies/{agency}/budget/{year}            (agency write) 201 { lines: [ { code, name, parent?, pagu } ], declaredTotals?: [ { code, amount } ] }  APBD murni
// POST /api/agencies/{agency}/budget/{year}/revisions  (agency write) 200 { reason, lines: [ { code, pagu, name?, parent? } ] }  APBD perubahan
// POST /api/agencies/{agency}/budget/{year}/spending   (agency write) 200 { code, amount, period, claimedEfficiency? }
// POST /api/agencies/{agency}/budget/{year}/declared-totals (agency write) 200 { source, totals: [ { code, pagu?, spent?,
//                                                       claimedEfficiency?, claimedEfficiencyAmount?, claimedAbsorption? } ] }  totals as a report prints them
// name?/parent? on a revision line are an extension: they add a new line under an existing parent (the domain's rule).
public static class BudgetEndpoints
{
    public sealed record BudgetLineBody(string? Code, string? Name, string? Parent, decimal? Pagu);

    public sealed record DeclaredTotalBody(string? Code, decimal? Amount);

    public sealed record BudgetBody(List<BudgetLineBody?>? Lines, List<DeclaredTotalBody?>? DeclaredTotals, string? Reason);

    public sealed record BudgetRevisionLineBody(string? Code, decimal? Pagu, string? Name, string? Parent);

    public sealed record BudgetRevisionBody(string? Reason, List<BudgetRevisionLineBody?>? Lines);

    public sealed record SpendingBody(string? Code, decimal? Amount, string? Period, string? Reason, decimal? ClaimedEfficiency = null);

    public sealed record DeclaredFiguresBody(
        string? Code, decimal? Pagu, decimal? Spent, decimal? ClaimedEfficiency, decimal? ClaimedEfficiencyAmount, decimal? ClaimedAbsorption = null);

    public sealed record DeclaredTotalsBody(string? Source, List<DeclaredFiguresBody?>? Totals, string? Reason);

    private static readonly CommandHandler<Addressed<BudgetBody>, PerformanceYearState, PerformanceYearContext> Enact =
        PerformanceYearHandler.For<BudgetBody>(b => new EnactBudget(
            b.Lines!.Select(l => new BudgetLineInput(l!.Code!, l.Name!, l.Parent, l.Pagu!.Value)).ToList(),
            b.DeclaredTotals?.Select(t => new DeclaredTotal(t!.Code!, t.Amount!.Value)).ToList()));

    private static readonly CommandHandler<Addressed<BudgetRevisionBody>, PerformanceYearState, PerformanceYearContext> Revise =
        PerformanceYearHandler.For<BudgetRevisionBody>(b => new ReviseBudget(b.Reason!,
            b.Lines!.Select(l => new BudgetRevisionLine(l!.Code!, l.Pagu!.Value, l.Name, l.Parent)).ToList()));

    private static readonly CommandHandler<Addressed<SpendingBody>, PerformanceYearState, PerformanceYearContext> Spend =
        PerformanceYearHandler.For<SpendingBody>(b => new RecordSpending(b.Code!, b.Amount!.Value, RealizationEndpoints.Period(b.Period), b.ClaimedEfficiency));

    private static readonly CommandHandler<Addressed<DeclaredTotalsBody>, PerformanceYearState, PerformanceYearContext> Declare =
        PerformanceYearHandler.For<DeclaredTotalsBody>(b => new DeclareBudgetTotals(b.Source!,
            b.Totals!.Select(t => new DeclaredBudgetFigures(t!.Code!, t.Pagu, t.Spent, t.ClaimedEfficiency, t.ClaimedEfficiencyAmount, t.ClaimedAbsorption)).ToList()));

    [WolverinePost("/api/agencies/{agency}/budget/{year:int}"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(BudgetBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("EnactBudget"), Tags("Budget"), EndpointSummary("Enact the year's APBD murni: program/kegiatan/sub kegiatan lines and pagu")]
    public static Task<CommandAccepted> EnactBudgetEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Enact, PerformanceYearHandler.FromRoute<BudgetBody>(b => b.Reason),
                StatusCodes.Status201Created);

    [WolverinePost("/api/agencies/{agency}/budget/{year:int}/revisions"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(BudgetRevisionBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("ReviseBudget"), Tags("Budget"), EndpointSummary("Enact an APBD perubahan (new pagu per line), with a reason")]
    public static Task<CommandAccepted> ReviseBudgetEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Revise, PerformanceYearHandler.FromRoute<BudgetRevisionBody>(b => b.Reason));

    [WolverinePost("/api/agencies/{agency}/budget/{year:int}/spending"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(SpendingBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("RecordSpending"), Tags("Budget"), EndpointSummary("Record spending (realisasi anggaran) on a budget line")]
    public static Task<CommandAccepted> RecordSpendingEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Spend, PerformanceYearHandler.FromRoute<SpendingBody>(b => b.Reason));

    [WolverinePost("/api/agencies/{agency}/budget/{year:int}/declared-totals"), IdempotencyKey, YearHeadsPrefetch(YearIn.Route), CommandBody(typeof(DeclaredTotalsBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("DeclareBudgetTotals"), Tags("Budget"), EndpointSummary("Record budget totals and efficiency claims as a report of the year prints them (evidence for findings)")]
    public static Task<CommandAccepted> DeclareBudgetTotalsEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Declare, PerformanceYearHandler.FromRoute<DeclaredTotalsBody>(b => b.Reason));


    public static IServiceCollection AddBudgetValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<BudgetBody, BudgetBodyValidator>("year")
        .AddYearAddressedValidator<BudgetRevisionBody, BudgetRevisionBodyValidator>("year")
        .AddYearAddressedValidator<SpendingBody, SpendingBodyValidator>("year")
        .AddYearAddressedValidator<DeclaredTotalsBody, DeclaredTotalsBodyValidator>("year");

    /// <summary>Shape only; negative pagu, duplicates, unknown parents and cycles are the domain's (422).</summary>
    public sealed class BudgetBodyValidator : AbstractValidator<BudgetBody>
    {
        public BudgetBodyValidator()
        {
            RuleFor(b => b.Lines).Required().MaxItemCount();
            RuleForEach(b => b.Lines).NotNull().WithMessage("A line cannot be null.").ChildRules(l =>
            {
                l.RuleFor(x => x!.Code).Required().MaximumLength(BodyRules.CodeLength);
                l.RuleFor(x => x!.Name).Required().MaximumLength(BodyRules.NameLength);
                l.RuleFor(x => x!.Parent).MaximumLength(BodyRules.CodeLength);
                l.RuleFor(x => x!.Pagu).Required().Money();
            });
            RuleFor(b => b.DeclaredTotals).MaxItemCount();
            RuleForEach(b => b.DeclaredTotals).NotNull().WithMessage("A declared total cannot be null.").ChildRules(t =>
            {
                t.RuleFor(x => x!.Code).Required().MaximumLength(BodyRules.CodeLength);
                t.RuleFor(x => x!.Amount).Required().Money();
            });
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    public sealed class BudgetRevisionBodyValidator : AbstractValidator<BudgetRevisionBody>
    {
        public BudgetRevisionBodyValidator()
        {
            RuleFor(b => b.Reason).Required().MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Lines).Required().MaxItemCount();
            RuleForEach(b => b.Lines).NotNull().WithMessage("A line cannot be null.").ChildRules(l =>
            {
                l.RuleFor(x => x!.Code).Required().MaximumLength(BodyRules.CodeLength);
                l.RuleFor(x => x!.Pagu).Required().Money();
                l.RuleFor(x => x!.Name).MaximumLength(BodyRules.NameLength);
                l.RuleFor(x => x!.Parent).MaximumLength(BodyRules.CodeLength);
            });
        }
    }

    public sealed class SpendingBodyValidator : AbstractValidator<SpendingBody>
    {
        public SpendingBodyValidator()
        {
            RuleFor(b => b.Code).Required().MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Amount).Required().Money();
            RuleFor(b => b.ClaimedEfficiency).Magnitude();
            RuleFor(b => b.Period).Required().OneOf(w => WireNames.TryParsePeriod(w, out _), RealizationEndpoints.Periods);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    /// <summary>Shape only; unknown codes, duplicates, an entry without any figure and negative pagu/spent are the domain's (422).</summary>
    public sealed class DeclaredTotalsBodyValidator : AbstractValidator<DeclaredTotalsBody>
    {
        public DeclaredTotalsBodyValidator()
        {
            RuleFor(b => b.Source).Required().MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.Totals).Required().MaxItemCount();
            RuleForEach(b => b.Totals).NotNull().WithMessage("A declared total cannot be null.").ChildRules(t =>
            {
                t.RuleFor(x => x!.Code).Required().MaximumLength(BodyRules.CodeLength);
                t.RuleFor(x => x!.Pagu).Money();
                t.RuleFor(x => x!.Spent).Money();
                t.RuleFor(x => x!.ClaimedEfficiency).Magnitude();
                t.RuleFor(x => x!.ClaimedEfficiencyAmount).Money();
                t.RuleFor(x => x!.ClaimedAbsorption).Magnitude();
            });
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }
}
