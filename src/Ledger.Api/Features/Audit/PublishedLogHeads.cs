using Ledger.Audit;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Storage;

namespace Ledger.Api.Features.Audit;

/// <summary>
/// The log heads published by year-end closes (<c>year.snapshot-frozen.v1</c>: logHeadSequence, logDigest), for the
/// verifier to recompute and compare (GET /api/audit/verify, the <c>verify</c> command): heads in the current digest format
/// (<see cref="LogDigest.Format"/>) and in format 3 (<see cref="LogDigest.FormatThree"/>, closes before audit/0003);
/// the first closes' rolling digest (no format) is not compared. A frozen event that no longer decodes makes the read fail: the
/// verifier then cannot vouch for the log (its chain check names the event).
/// </summary>
public static class PublishedLogHeads
{
    public static async Task<IReadOnlyList<PublishedHead>> LoadAsync(StreamLoader streams, CancellationToken ct)
    {
        var heads = new List<PublishedHead>();
        foreach (var e in await streams.AllOfTypeAsync<YearSnapshotFrozen>(ct))
        {
            if (e.Data is YearSnapshotFrozen { LogDigestFormat: LogDigest.Format or LogDigest.FormatThree.Format, LogHeadSequence: { } seq, LogDigest: { } digest } f)
                heads.Add(new PublishedHead(seq, digest, $"{e.StreamKey} v{e.Version} (seq {e.Sequence})", f.LogDigestFormat));
        }
        return heads;
    }
}
