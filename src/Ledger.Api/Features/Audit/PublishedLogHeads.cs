using Ledger.Audit;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Storage;

namespace Ledger.Api.Features.Audit;

/// <summary>
/// The log heads published by year-end closes (<c>year.snapshot-frozen.v1</c>: logHeadSequence, logDigest), for the
/// verifier to recompute and compare (GET /api/audit/verify, the <c>verify</c> command). Only heads in the current digest
/// format (<see cref="LogDigest.Format"/>) are compared. A frozen event that no longer decodes makes the read fail: the
/// verifier then cannot vouch for the log (its chain check names the event).
/// </summary>
public static class PublishedLogHeads
{
    public static async Task<IReadOnlyList<PublishedHead>> LoadAsync(StreamLoader streams, CancellationToken ct)
    {
        var heads = new List<PublishedHead>();
        foreach (var e in await streams.AllOfTypeAsync<YearSnapshotFrozen>(ct))
        {
            if (e.Data is YearSnapshotFrozen { LogDigestFormat: LogDigest.Format, LogHeadSequence: { } seq, LogDigest: { } digest })
                heads.Add(new PublishedHead(seq, digest, $"{e.StreamKey} v{e.Version} (seq {e.Sequence})"));
        }
        return heads;
    }
}
