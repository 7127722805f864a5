using Ledger.Api.Features.PerformanceYears;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain;
using Ledger.Domain.Capaian;
using Ledger.Domain.Renstras;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using Ledger.Domain.Renstras.DeclaringTargets;
using Ledger.Domain.Renstras.ProposingRevision;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.Domain.Users;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Api.Features.Renstras;

// POST /api/agencies/{agency}/renstra                          (agency write) 201 { periodStart, periodEnd, title, decree?, transitionYear? }
// POST /api/agencies/{agency}/renstra/{periodStart}/indicators (agency write) 201 { code, name, level, kind, parent?, unit, polarity,
//                                                              lowerFormula?, aggregation, baseline?, baselineYear?, targets: { "2025": 82 }, endTarget?,
//                                                              targetsSource? }
// POST /api/agencies/{agency}/renstra/{periodStart}/revisions  (agency write) 200 { reason, legalBasis?, changes: [ { indicator, year, target } ] }
//                                                              approver/admin: revised at once (200); staff: a proposal (202 { proposalId, … },
//                                                              RenstraProposalEndpoints.cs)
// POST /api/agencies/{agency}/renstra/{periodStart}/declared-targets (agency write) 200 { indicator, source, targets: { "2026": 52 }, note? }
//                                                              targets as another table of the source prints them (evidence, not targets)
// Stream renstra-{agency}-{periodStart}. Bodies are validated for shape (RenstraValidators.cs); the domain decides the rest.
public static class RenstraEndpoints
{
    /// <summary>One handler per body: the body is mapped to its domain command once it is valid (so every wire word parses).</summary>
    public static CommandHandler<Addressed<TBody>, RenstraState, RenstraContext> Handler<TBody>(Func<Addressed<TBody>, RenstraCommand> toDomain) => new()
    {
        Stream = c => Renstra.StreamName(c.Agency, c.Key),
        Tenant = c => c.Agency,
        Initial = RenstraState.Initial,
        LoadContext = (c, reader, ct) => Contexts.ForRenstraAsync(reader, c.Agency, ct),
        Decide = (state, c, context) => DomainCommands.ToPipeline(Renstra.Decide(state, toDomain(c), context)),
    };

    public sealed record RenstraBody(int? PeriodStart, int? PeriodEnd, string? Title, string? Decree, int? TransitionYear, string? Reason);

    public sealed record IndicatorBody(
        string? Code, string? Name, string? Level, string? Kind, string? Parent, string? Unit, string? Polarity, string? LowerFormula,
        string? Aggregation, decimal? Baseline, int? BaselineYear, Dictionary<int, decimal>? Targets, decimal? EndTarget, string? Reason,
        string? TargetsSource = null);

    public sealed record DeclaredTargetsBody(string? Indicator, string? Source, Dictionary<int, decimal>? Targets, string? Note, string? Reason);

    public sealed record RevisionBody(string? Reason, string? LegalBasis, List<ChangeBody?>? Changes);

    public sealed record ChangeBody(string? Indicator, int? Year, decimal? Target);

    private static readonly CommandHandler<Addressed<RenstraBody>, RenstraState, RenstraContext> Create = Handler<RenstraBody>(a =>
        new CreateRenstra(a.Agency, a.Key, a.Command.PeriodEnd!.Value, a.Command.Title!, a.Command.Decree, a.Command.TransitionYear));

    private static readonly CommandHandler<Addressed<IndicatorBody>, RenstraState, RenstraContext> Add = Handler<IndicatorBody>(a => ToDomain(a.Command));

    /// <summary>Staff propose (202); the approver (and admin, who sets plans up) revise at once.</summary>
    private static readonly CommandHandler<Addressed<RevisionBody>, RenstraState, RenstraContext> Revise = Handler<RevisionBody>(a =>
            ProposingRenstraRevisionDecision.ReviseAs(a.Role, a.NewId, ToRevise(a.Command))) with
    {
        SuccessStatus = events => events is [RenstraRevisionProposed] ? StatusCodes.Status202Accepted : null,
        ResponseFields = events => events is [RenstraRevisionProposed p]
            ? new Dictionary<string, object?> { ["proposalId"] = p.ProposalId }
            : new Dictionary<string, object?>(),
    };

    private static readonly CommandHandler<Addressed<DeclaredTargetsBody>, RenstraState, RenstraContext> Declare = Handler<DeclaredTargetsBody>(a =>
        new DeclareTargets(a.Command.Indicator!, a.Command.Source!, a.Command.Targets!, a.Command.Note));

    private static ReviseRenstra ToRevise(RevisionBody b) => new(b.Reason!, b.LegalBasis,
        b.Changes!.Select(c => new RenstraTargetChange(c!.Indicator!, c.Year!.Value, c.Target!.Value)).ToList());

    [WolverinePost("/api/agencies/{agency}/renstra"), IdempotencyKey, CommandBody(typeof(RenstraBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("CreateRenstra"), Tags("Renstra"), EndpointSummary("Create the agency's Renstra (five-year strategic plan)")]
    public static Task<CommandAccepted> CreateRenstraEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Create, (HttpContext http, RenstraBody body) =>
        {
            DomainCommands.RecordReason(http, body.Reason);
            // The domain command's agency comes from the route, never from the body.
            return new Addressed<RenstraBody>(RouteValues.Agency(http), body.PeriodStart ?? 0, body);
        }, StatusCodes.Status201Created);

    [WolverinePost("/api/agencies/{agency}/renstra/{periodStart:int}/indicators"), IdempotencyKey, CommandBody(typeof(IndicatorBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("AddRenstraIndicator"), Tags("Renstra"), EndpointSummary("Add an indicator with its yearly targets to a Renstra")]
    public static Task<CommandAccepted> AddRenstraIndicatorEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Add, (HttpContext http, IndicatorBody body) =>
        {
            DomainCommands.RecordReason(http, body.Reason);
            return new Addressed<IndicatorBody>(RouteValues.Agency(http), RouteValues.Int(http, "periodStart"), body);
        }, StatusCodes.Status201Created);

    [WolverinePost("/api/agencies/{agency}/renstra/{periodStart:int}/revisions"), IdempotencyKey, CommandBody(typeof(RevisionBody))]
    [AgencyAccess(Authorization.Access.Write), ProducesResponseType(StatusCodes.Status202Accepted)]
    [EndpointName("ReviseRenstra"), Tags("Renstra"), EndpointSummary("Revise Renstra targets (perubahan Renstra), with a reason")]
    public static Task<CommandAccepted> ReviseRenstraEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Revise, (HttpContext http, RevisionBody body) =>
        {
            DomainCommands.RecordReason(http, body.Reason);
            return new Addressed<RevisionBody>(RouteValues.Agency(http), RouteValues.Int(http, "periodStart"), body)
            {
                Role = http.User().Role, NewId = Guid.CreateVersion7(),
            };
        });

    [WolverinePost("/api/agencies/{agency}/renstra/{periodStart:int}/declared-targets"), IdempotencyKey, CommandBody(typeof(DeclaredTargetsBody))]
    [AgencyAccess(Authorization.Access.Write)]
    [EndpointName("DeclareRenstraTargets"), Tags("Renstra")]
    [EndpointSummary("Record an indicator's targets as another table of the source prints them (evidence for findings, not a revision)")]
    public static Task<CommandAccepted> DeclareRenstraTargetsEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Declare, (HttpContext http, DeclaredTargetsBody body) =>
        {
            DomainCommands.RecordReason(http, body.Reason);
            return new Addressed<DeclaredTargetsBody>(RouteValues.Agency(http), RouteValues.Int(http, "periodStart"), body);
        });

    public static IServiceCollection AddRenstraValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<RenstraBody, RenstraValidators.RenstraBodyValidator>("periodStart")
        .AddYearAddressedValidator<IndicatorBody, RenstraValidators.IndicatorBodyValidator>("periodStart")
        .AddYearAddressedValidator<RevisionBody, RenstraValidators.RevisionBodyValidator>("periodStart")
        .AddYearAddressedValidator<DeclaredTargetsBody, RenstraValidators.DeclaredTargetsBodyValidator>("periodStart");

    /// <summary>Wire words were checked by the validator, so every parse here succeeds.</summary>
    private static AddIndicator ToDomain(IndicatorBody b)
    {
        Wire.TryParseLevel(b.Level, out var level);
        Wire.TryParseKind(b.Kind, out var kind);
        WireNames.TryParsePolarity(b.Polarity, out var polarity);
        WireNames.TryParseAggregation(b.Aggregation, out var aggregation);
        LowerFormula? formula = WireNames.TryParseLowerFormula(b.LowerFormula, out var f) ? f : null;
        return new AddIndicator(b.Code!, b.Name!, level, kind, b.Parent, b.Unit!, polarity, formula, aggregation, b.Baseline, b.BaselineYear,
            b.Targets!, b.EndTarget, b.TargetsSource);
    }
}
