using System.Globalization;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Ledger.Api.Features.PerformanceYears;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Domain;
using Ledger.Domain.Capaian;
using Ledger.Domain.Evaluations;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;

namespace Ledger.Api.Features.Evaluations;

// POST /api/agencies/{agency}/evaluations/{year}                                   (inspektorat) 201
//      { score, predikat?, components?: { perencanaan, pengukuran, pelaporan, evaluasiInternal }, recommendations: [ "…" ], reportNumber?, indicator? }
//      → { streamId, version, eventIds, predikat, realization? }
// POST /api/agencies/{agency}/evaluations/{year}/recommendations/{n}/follow-ups    (agency staff/approver) 200 { action, status: planned|in-progress|done, evidence? }
// GET  /api/agencies/{agency}/evaluations/{year}[?asOf=]                          (agency read, inspektorat)
// Stream evaluation-{agency}-{year}. With `indicator`, the score then becomes that indicator's Y realization on
// year-{agency}-{year}: a SECOND append through the year's normal decision, after the evaluation's (not atomic; see
// docs/api-notes.md "Workflow and evaluations").
public static class EvaluationEndpoints
{
    public sealed record ComponentsBody(decimal? Perencanaan, decimal? Pengukuran, decimal? Pelaporan, decimal? EvaluasiInternal);

    public sealed record EvaluationBody(
        decimal? Score, string? Predikat, ComponentsBody? Components, List<string?>? Recommendations, string? ReportNumber, string? Indicator,
        string? Reason);

    public sealed record FollowUpBody(string? Action, string? Status, string? Evidence, string? Reason = null);

    /// <summary>What the follow-on step appends to the year stream: the Nilai SAKIP as the indicator's Y realization.</summary>
    public sealed record NilaiSakip(string Indicator, decimal Score, string Evidence);

    public static CommandHandler<Addressed<TBody>, EvaluationState, bool> Handler<TBody>(Func<Addressed<TBody>, EvaluationCommand> toDomain) => new()
    {
        Stream = c => Evaluation.StreamName(c.Agency, c.Key),
        Tenant = c => c.Agency,
        Initial = EvaluationState.Initial,
        LoadContext = (c, reader, ct) => Contexts.AgencyExistsAsync(reader, c.Agency, ct),
        Decide = (state, c, exists) => DomainCommands.ToPipeline(Evaluation.Decide(state, toDomain(c), exists)),
    };

    private static readonly CommandHandler<Addressed<EvaluationBody>, EvaluationState, bool> Record = Handler<EvaluationBody>(a => new RecordEvaluation(
            a.Command.Score!.Value, a.Command.Predikat,
            a.Command.Components is { } k ? new EvaluationComponents(k.Perencanaan!.Value, k.Pengukuran!.Value, k.Pelaporan!.Value, k.EvaluasiInternal!.Value) : null,
            a.Command.Recommendations!.Select(r => r ?? "").ToList(), a.Command.ReportNumber, a.Command.Indicator)) with
    {
        ResponseFields = events => events is [EvaluationRecorded e]
            ? new Dictionary<string, object?> { ["predikat"] = e.Predikat }
            : new Dictionary<string, object?>(),
        FollowOn = RecordNilaiSakipAsync,
    };

    private static readonly CommandHandler<Addressed<FollowUpBody>, EvaluationState, bool> FollowUp = Handler<FollowUpBody>(a =>
    {
        EvaluationRules.TryParseFollowUpStatus(a.Command.Status, out var status);
        return new RecordFollowUp(a.Item, a.Command.Action!, status, a.Command.Evidence);
    });

    /// <summary>The Nilai SAKIP's realization on the year stream, as the domain decides it (<see cref="Domain.Evaluations.NilaiSakip"/>).</summary>
    private static readonly CommandHandler<Addressed<NilaiSakip>, PerformanceYearState, PerformanceYearContext> Realization =
        PerformanceYearHandler.ForAddressed<NilaiSakip>(_ => throw new InvalidOperationException("replaced below")) with
        {
            Decide = (state, c, context) =>
            {
                var year = PerformanceYearHandler.Addressed(state, c);
                var n = c.Command;
                return DomainCommands.ToPipeline(Domain.Evaluations.NilaiSakip.RealizationCommand(year, n.Indicator, n.Score, n.Evidence) is { } command
                    ? PerformanceYear.Decide(year, command, context)
                    : Domain.Decision.Accept()); // already shows the score: nothing to write
            },
        };

    private static async Task<IReadOnlyDictionary<string, object?>> RecordNilaiSakipAsync(
        Addressed<EvaluationBody> c, IReadOnlyList<object> events, FollowOnContext follow, CancellationToken ct)
    {
        if (events is not [EvaluationRecorded { Indicator: { } indicator } e]) return new Dictionary<string, object?>();
        var evidence = Domain.Evaluations.NilaiSakip.Evidence(c.Agency, c.Key, e.ReportNumber);
        var command = new Addressed<NilaiSakip>(c.Agency, c.Key, new NilaiSakip(indicator, e.Score, evidence));
        var state = await Contexts.YearAsync(follow.Runner.Streams, c.Agency, c.Key, ct) ?? PerformanceYearState.Initial(c.Agency, c.Key);
        if (Domain.Evaluations.NilaiSakip.RealizationCommand(state, indicator, e.Score, evidence) is null)
            return new Dictionary<string, object?> { ["realization"] = new { status = "unchanged", value = e.Score } };
        var metadata = follow.Metadata with { Reason = Domain.Evaluations.NilaiSakip.Reason(c.Key), IdempotencyKey = null };
        object answer;
        try
        {
            var s = await follow.Runner.DecideAndAppendAsync(Realization, command, follow.Session, metadata, null, null, ct);
            answer = new { status = "recorded", streamId = s.Stream, version = s.Version, eventIds = s.EventIds };
        }
        catch (CommandFailedException refused)
        {
            answer = refused.Failure switch
            {
                CommandFailure.Refused f => new { status = "refused", rule = f.Rule, detail = f.Message },
                CommandFailure.Conflict f => new { status = "refused", rule = f.Rule, detail = f.Message },
                CommandFailure.NotFound f => new { status = "not-found", detail = f.What },
                var f => (object)new { status = "failed", detail = f.GetType().Name },
            };
        }
        return new Dictionary<string, object?> { ["realization"] = answer };
    }

    [WolverinePost("/api/agencies/{agency}/evaluations/{year:int}"), IdempotencyKey, CommandBody(typeof(EvaluationBody))]
    [AgencyAccess(Authorization.Access.Evaluate)]
    [EndpointName("RecordEvaluation"), Tags("Evaluations"), EndpointSummary("Record the Inspektorat's SAKIP evaluation (PermenPANRB 88/2021): score, predikat, components, recommendations")]
    public static Task<CommandAccepted> RecordEvaluationEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, Record, PerformanceYearHandler.FromRoute<EvaluationBody>(b => b.Reason), StatusCodes.Status201Created);

    [WolverinePost("/api/agencies/{agency}/evaluations/{year:int}/recommendations/{n:int}/follow-ups"), IdempotencyKey, CommandBody(typeof(FollowUpBody))]
    [AgencyAccess(Authorization.Access.FollowUp)]
    [EndpointName("RecordEvaluationFollowUp"), Tags("Evaluations"), EndpointSummary("Record the agency's follow-up to one recommendation")]
    public static Task<CommandAccepted> RecordEvaluationFollowUpEndpoint(HttpContext httpContext, IDocumentSession session, CommandRunner run) =>
        run.RunAsync(httpContext, session, FollowUp,
            (HttpContext http, FollowUpBody body) => PerformanceYearHandler.FromRoute<FollowUpBody>(b => b.Reason)(http, body) with { Item = RouteValues.Int(http, "n") });

    public static void MapEvaluationEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/agencies/{agency}/evaluations/{year:int}", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<EvaluationView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReadEvaluation").WithTags("Evaluations").WithSummary("The year's evaluation with its recommendations and their follow-ups");
    }

    public static IServiceCollection AddEvaluationValidators(this IServiceCollection services) => services
        .AddYearAddressedValidator<EvaluationBody, EvaluationBodyValidator>("year")
        .AddYearAddressedValidator<FollowUpBody, FollowUpBodyValidator>("year");

    public sealed record FollowUpView(string Action, string Status, string? Evidence, DateTimeOffset? At);

    public sealed record RecommendationView(int Number, string Text, IReadOnlyList<FollowUpView> FollowUps);

    public sealed record EvaluationView(
        string Agency, int Year, decimal Score, string Predikat, string Scale, EvaluationComponents? Components, string? ReportNumber,
        string? Indicator, IReadOnlyList<RecommendationView> Recommendations, long Version);

    private static async Task<IResult> ReadAsync(HttpContext http, string agency, int year, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.CheckYear(year, "year", out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (!(await loader.AgencyAsync(agency, at, ct)).State.Exists) return ReadQuery.NotFound($"Agency '{agency}' is not on record.");
        var loaded = await loader.EvaluationAsync(agency, year, at, ct);
        if (loaded.State.Recorded is not { } e) return ReadQuery.NotFound($"No evaluation {year} of agency '{agency}' is on record.");
        var recommendations = e.Recommendations.Select(r => new RecommendationView(r.Number, r.Text,
            loaded.State.FollowUps.Where(f => f.Recommendation == r.Number).Select(f => new FollowUpView(f.Action, f.Status, f.Evidence, null)).ToList())).ToList();
        return ReadQuery.Ok(http, new EvaluationView(agency, year, e.Score, e.Predikat, e.Scale, e.Components, e.ReportNumber, e.Indicator,
            recommendations, loaded.Version), loaded.Version);
    }

    /// <summary>Shape only; the domain checks the score range, predikat, component maxima and their sum.</summary>
    public sealed class EvaluationBodyValidator : AbstractValidator<EvaluationBody>
    {
        public EvaluationBodyValidator()
        {
            RuleFor(b => b.Score).Required().Magnitude();
            RuleFor(b => b.Predikat).MaximumLength(10);
            RuleFor(b => b.Components!.Perencanaan).Required().Magnitude().When(b => b.Components is not null);
            RuleFor(b => b.Components!.Pengukuran).Required().Magnitude().When(b => b.Components is not null);
            RuleFor(b => b.Components!.Pelaporan).Required().Magnitude().When(b => b.Components is not null);
            RuleFor(b => b.Components!.EvaluasiInternal).Required().Magnitude().When(b => b.Components is not null);
            RuleFor(b => b.Recommendations).Required().MaxItemCount();
            RuleForEach(b => b.Recommendations).NotNull().WithMessage("A recommendation cannot be null.").MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.ReportNumber).MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.Indicator).MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    public sealed class FollowUpBodyValidator : AbstractValidator<FollowUpBody>
    {
        public FollowUpBodyValidator()
        {
            RuleFor(b => b.Action).Required().MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Status).Required().OneOf(w => EvaluationRules.TryParseFollowUpStatus(w, out _), "planned, in-progress, done");
            RuleFor(b => b.Evidence).MaximumLength(BodyRules.TextLength);
        }
    }
}
