using Ledger.Api.Infrastructure;
using Ledger.Domain.Users;
using Ledger.Audit;
using Ledger.Storage;

namespace Ledger.Api.Features.Audit;

// GET /api/audit/verify   (inspektorat or admin)
//     → { ok, eventsChecked, firstBrokenSequence?, problems: [ { sequence?, stream, problem } ], headSequence, logDigest,
//         publishedHeads: [ { sequence, publishedIn, published, recomputed, matches } ] }
//     publishedHeads: every head a year close published (PublishedLogHeads), recomputed from the events' content at its
//     sequence; a mismatch (the log up to it changed since, even by a consistent rewrite of a stream) makes ok false.
//     Staff and approvers get 403: verification reads the whole log across agencies (it names other agencies'
//     streams in its problems), which only the auditor and the administrator may see.
public static class VerifyEndpoints
{
    public sealed record ProblemBody(long? Sequence, string Stream, string Problem);

    public sealed record HeadBody(long Sequence, string? PublishedIn, string Published, string Recomputed, bool Matches);

    public sealed record VerifyBody(
        bool Ok, long EventsChecked, long? FirstBrokenSequence, IReadOnlyList<ProblemBody> Problems, long HeadSequence, string LogDigest,
        IReadOnlyList<HeadBody> PublishedHeads);

    public static void MapVerifyEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/audit/verify", VerifyAsync)
            .RequireRole(Roles.Inspektorat, Roles.Admin)
            .WithName("VerifyLog").WithTags("Audit").WithSummary("Walks every stream's hash chain and reports the first altered event");

    private static async Task<IResult> VerifyAsync(LedgerDatabase database, StreamLoader streams, CancellationToken ct)
    {
        var v = await ChainVerifier.VerifyAsync(database.Service, await PublishedLogHeads.LoadAsync(streams, ct), ct);
        return Results.Ok(new VerifyBody(v.Ok, v.EventsChecked, v.FirstBrokenSequence,
            v.Problems.Select(p => new ProblemBody(p.Sequence, p.Stream, p.Problem)).ToList(), v.HeadSequence, v.LogDigest,
            v.Heads.Select(h => new HeadBody(h.Sequence, h.PublishedIn, h.Published, h.Recomputed, h.Matches)).ToList()));
    }
}
