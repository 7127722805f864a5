using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain.Findings;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Audit;

// GET /api/agencies/{agency}/findings?year=Y[&asOf=instant]   (agency read; inspektorat reads all)
//     → [ { rule, severity, subject, message, evidence: [eventIds], sequences: [seq] } ]   rules: docs/findings.md
//     400 year missing/invalid or asOf malformed; 404 agency unknown. A year with no events answers [].
public static class FindingsEndpoints
{
    public sealed record FindingBody(string Rule, string Severity, string Subject, string Message, IReadOnlyList<Guid> Evidence, IReadOnlyList<long> Sequences);

    public static void MapFindingsEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/agencies/{agency}/findings", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<List<FindingBody>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReadFindings").WithTags("Audit").WithSummary("Audit findings for an agency-year, each citing the events that prove it");

    private static async Task<IResult> ReadAsync(
        string agency, [FromQuery] string? year, [FromQuery] string? asOf, AuditLoader loader, TimeProvider clock, CancellationToken ct)
    {
        if (!ReadQuery.TryYear(year, "year", out var y, out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (!await loader.AgencyExistsAsync(agency, at, ct)) return ReadQuery.NotFound($"Agency '{agency}' does not exist{IndicatorEndpoints.When(at)}.");

        var renstra = await loader.RenstraCoveringAsync(agency, y, at, ct);
        var input = new FindingsInput(agency, y, renstra?.Events ?? [], await loader.YearAsync(agency, y, at, ct), at ?? clock.GetUtcNow(),
            ReadQuery.Policy);
        return Results.Ok(FindingRules.Evaluate(input)
            .Select(f => new FindingBody(f.Rule, f.Severity, f.Subject, f.Message, f.Evidence, f.Sequences)).ToList());
    }
}
