using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Api.Features.Audit;

/// <summary>
/// The log heads published by year-end closes (<c>year.snapshot-frozen.v1</c>: logHeadSequence, logDigest), for the
/// verifier to recompute and compare (GET /api/audit/verify, the <c>verify</c> command). Only heads in the current digest
/// format (<see cref="LogDigest.Format"/>) are compared; closes from before it recorded a rolling digest of another
/// definition and are left out. A frozen event that no longer decodes is left out too: the chain check reports it.
/// </summary>
public static class PublishedLogHeads
{
    private static readonly string FrozenType = DomainEventTypes.NameOf(typeof(YearSnapshotFrozen));

    public static async Task<IReadOnlyList<PublishedHead>> LoadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var heads = new List<PublishedHead>();
        foreach (var e in await new PostgresEventStore(dataSource).ReadAllOfTypeAsync(FrozenType, ct))
        {
            YearSnapshotFrozen frozen;
            try
            {
                frozen = (YearSnapshotFrozen)DomainCommands.Decode(e);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidCastException or NotSupportedException)
            {
                continue;
            }
            if (frozen is { LogDigestFormat: LogDigest.Format, LogHeadSequence: { } seq, LogDigest: { } digest })
                heads.Add(new PublishedHead(seq, digest, $"{e.Stream.Value} v{e.Version} (seq {e.Sequence})"));
        }
        return heads;
    }
}
