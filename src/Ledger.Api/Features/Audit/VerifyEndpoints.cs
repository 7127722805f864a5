using Ledger.Api.Features.Snapshots;
using Ledger.Api.Infrastructure;
using Ledger.Domain.Users;
using Ledger.Storage;
using Marten;

namespace Ledger.Api.Features.Audit;

// GET /api/audit/verify   (inspektorat or admin)
//     → { ok, eventsChecked, firstBrokenSequence?, problems: [ { sequence?, stream, problem } ], headSequence, logDigest,
//         publishedHeads: [ { sequence, publishedIn, published, recomputed, matches } ],
//         snapshots: { rows, checked, notChecked, problems: [ { stream, stateType, version, problem } ],
//                      notCheckedRows: [ …same, the first 20 ] } | null,
//         readModels: [ { table, projection, position, rowsChecked, expectedRows, missing, extra, different,
//                         examples: [ { kind, key: { column: value } } ], notCompared: string | null } ],
//         derivedStateSkipped: string | null, timings: { chainMs, snapshotsMs, readModelsMs } }
//     The api.md contract is { ok, eventsChecked, firstBrokenSequence? }; everything else is ours, and no field is renamed.
//     1. The log (ChainVerifier): every stream's hash chain; firstBrokenSequence is the chain's. publishedHeads: every head
//        a year close published (PublishedLogHeads), recomputed from the events' content at its sequence; a mismatch (the
//        log up to it changed since, even by a consistent rewrite of a stream) makes ok false.
//     2. Derived state, which the service role can write (issue 11, "derived state is never evidence"), compared with the
//        log only when the chain verifies (else derivedStateSkipped says why: an altered log is no reference):
//        - snapshots (StreamSnapshotVerifier): every ledger_cache.stream_snapshots row: its MAC under the service's key, its
//          event hash and recorded time against the stream's event at its version, its state against a replay of events
//          1..version (canonical JSON). A row of an unknown state type is counted in notChecked and does not fail.
//        - readModels (ReadModelVerifier): every readmodel table compared with what its projection computes from the log
//          up to the position the daemon committed (read in the same REPEATABLE READ snapshot, so a lagging daemon is no
//          difference), in temporary tables of the service role's session, dropped after (DISCARD TEMP). Counts are of
//          keys. While sakip catches up from nothing its state tables are behind by design (readmodel.rows_pending):
//          notCompared says so, not ok.
//        Each forged row (snapshots) and each differing table (read models) is also a problem, with sequence null and
//        stream "ledger_cache.stream_snapshots" or "readmodel.{table}"; ok is false.
//     Cost (docs/security.md "Derived state"): a replay of each snapshotted stream and a one-pass rebuild of the read
//     models into temporary tables, on top of the chain walk.
//     Staff and approvers get 403: verification reads the whole log across agencies (it names other agencies'
//     streams in its problems), which only the auditor and the administrator may see.
public static class VerifyEndpoints
{
    public sealed record ProblemBody(long? Sequence, string Stream, string Problem);

    public sealed record HeadBody(long Sequence, string? PublishedIn, string Published, string Recomputed, bool Matches);

    public sealed record SnapshotRowBody(string Stream, string StateType, long Version, string Problem);

    public sealed record SnapshotsBody(long Rows, long Checked, long NotChecked, IReadOnlyList<SnapshotRowBody> Problems, IReadOnlyList<SnapshotRowBody> NotCheckedRows);

    public sealed record DifferenceBody(string Kind, IReadOnlyDictionary<string, object?> Key);

    public sealed record ReadModelBody(
        string Table, string Projection, long Position, long RowsChecked, long ExpectedRows, long Missing, long Extra, long Different,
        IReadOnlyList<DifferenceBody> Examples, string? NotCompared);

    public sealed record TimingsBody(long ChainMs, long SnapshotsMs, long ReadModelsMs);

    public sealed record VerifyBody(
        bool Ok, long EventsChecked, long? FirstBrokenSequence, IReadOnlyList<ProblemBody> Problems, long HeadSequence, string LogDigest,
        IReadOnlyList<HeadBody> PublishedHeads, SnapshotsBody? Snapshots, IReadOnlyList<ReadModelBody> ReadModels, string? DerivedStateSkipped,
        TimingsBody Timings);

    public static void MapVerifyEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/audit/verify", VerifyAsync)
            .RequireRole(Roles.Inspektorat, Roles.Admin)
            .Produces<VerifyBody>()
            .WithName("VerifyLog").WithTags("Audit")
            .WithSummary("Walks every stream's hash chain, then compares stream snapshots and read models with the log; reports what was altered or forged");

    private static async Task<IResult> VerifyAsync(LedgerDatabase database, StreamLoader streams, StreamSnapshots snapshots, IDocumentStore store, CancellationToken ct)
    {
        var v = await LedgerVerifier.VerifyAsync(database.Service, streams, snapshots, database.SnapshotKeyKept, store, ct);
        return Results.Ok(Body(v));
    }

    public static VerifyBody Body(LedgerVerification v)
    {
        var c = v.Chain;
        static SnapshotRowBody Row(StreamSnapshotFinding f) => new(f.Stream, f.StateType, f.Version, f.Problem);
        return new VerifyBody(v.Ok, c.EventsChecked, c.FirstBrokenSequence,
            v.Problems.Select(p => new ProblemBody(p.Sequence, p.Stream, p.Problem)).ToList(), c.HeadSequence, c.LogDigest,
            c.Heads.Select(h => new HeadBody(h.Sequence, h.PublishedIn, h.Published, h.Recomputed, h.Matches)).ToList(),
            v.Snapshots is { } s ? new SnapshotsBody(s.Rows, s.Checked, s.NotCheckedCount, s.Problems.Select(Row).ToList(), s.NotChecked.Select(Row).ToList()) : null,
            (v.ReadModels?.Tables ?? []).Select(t => new ReadModelBody(t.Table, t.Projection, t.Position, t.RowsChecked, t.ExpectedRows,
                t.Missing, t.Extra, t.Different, t.Examples.Select(e => new DifferenceBody(e.Kind, e.Key)).ToList(), t.NotCompared)).ToList(),
            v.DerivedStateSkipped,
            new TimingsBody((long)v.ChainTime.TotalMilliseconds, (long)v.SnapshotsTime.TotalMilliseconds, (long)v.ReadModelsTime.TotalMilliseconds));
    }
}
