using System.Diagnostics;
using System.Globalization;
using Ledger.Api.Features.Snapshots;
using Ledger.Audit;
using Ledger.ReadModels;
using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.Api.Features.Audit;

/// <summary>
/// Everything verification found (GET /api/audit/verify and the <c>verify</c> verb show the same): the log's chain, then
/// the derived state that the service role (or a superuser) can write — stream snapshots and the SAKIP read models —
/// each compared with what the log says. <see cref="DerivedStateSkipped"/> says why derived state was not compared:
/// while the chain is broken the log is no reference (a snapshot or a table that differs from an altered log may be the
/// true one), so the chain's problems come first; verification is not ok then anyway.
/// </summary>
public sealed record LedgerVerification(
    ChainVerification Chain, StreamSnapshotVerification? Snapshots, ReadModelVerification? ReadModels, string? DerivedStateSkipped,
    TimeSpan ChainTime, TimeSpan SnapshotsTime, TimeSpan ReadModelsTime)
{
    public bool Ok => Chain.Ok && (Snapshots?.Ok ?? true) && (ReadModels?.Ok ?? true);

    /// <summary>
    /// The chain's problems (by sequence), then one per forged snapshot row (stream <see cref="StreamSnapshotVerifier.Table"/>)
    /// and one per read-model table that differs from its recompute (stream <c>readmodel.{table}</c>); no sequence.
    /// </summary>
    public IReadOnlyList<ChainProblem> Problems
    {
        get
        {
            var all = new List<ChainProblem>(Chain.Problems);
            foreach (var p in Snapshots?.Problems ?? []) all.Add(new(null, StreamSnapshotVerifier.Table, p.Sentence));
            if (ReadModels?.NotChecked is { } why) all.Add(new(null, ReadModelVerifier.Schema, $"the read models were not compared with the log: {why}"));
            foreach (var t in ReadModels?.Tables.Where(t => !t.Ok) ?? []) all.Add(new(null, t.QualifiedName, Describe(t)));
            return all;
        }
    }

    /// <summary>"readmodel.x differs from what p computes from the log up to sequence n: …; e.g. different (agency=…, …)".</summary>
    public static string Describe(ReadModelTableCheck t)
    {
        if (t.NotCompared is { } why) return $"{t.QualifiedName} was not compared with the log: {why}";
        var counts = new[] { (t.Missing, "missing"), (t.Extra, "extra"), (t.Different, "different") }
            .Where(c => c.Item1 > 0).Select(c => FormattableString.Invariant($"{c.Item1} {(c.Item1 == 1 ? "row" : "rows")} {c.Item2}"));
        var examples = t.Examples.Select(e => $"{e.Kind} ({string.Join(", ", e.Key.Select(k => $"{k.Key}={Convert.ToString(k.Value, CultureInfo.InvariantCulture)}"))})");
        return FormattableString.Invariant(
            $"{t.QualifiedName} differs from what {t.Projection} computes from the log up to sequence {t.Position} ({t.RowsChecked} rows checked, {t.ExpectedRows} expected): ") +
            string.Join(", ", counts) + "; e.g. " + string.Join("; ", examples) +
            ". Written behind the daemon's back (or by a projection bug); rebuild the projection to restore it from the log.";
    }
}

/// <summary>Runs the whole verification: the chain (<see cref="ChainVerifier"/>), then, on an intact chain, snapshots and read models.</summary>
public static class LedgerVerifier
{
    /// <param name="service">the service role's connections (the read models are recomputed in its session's temporary tables).</param>
    /// <param name="snapshotKeyKept">whether the snapshot key outlives this process (<see cref="Infrastructure.LedgerDatabase.SnapshotKeyKept"/>).</param>
    public static async Task<LedgerVerification> VerifyAsync(NpgsqlDataSource service, StreamLoader streams, StreamSnapshots snapshots,
        bool snapshotKeyKept, IDocumentStore store, CancellationToken ct = default)
    {
        streams = streams.FromTheTable();
        var clock = Stopwatch.StartNew();
        var chain = await ChainVerifier.VerifyAsync(service, await PublishedLogHeads.LoadAsync(streams, ct), ct);
        var chainTime = clock.Elapsed;
        if (!chain.Ok)
            return new LedgerVerification(chain, null, null,
                "the log's chain is broken (see problems): derived state is compared only with a log that verifies", chainTime, TimeSpan.Zero, TimeSpan.Zero);

        clock.Restart();
        var snapshotCheck = await new StreamSnapshotVerifier(streams, snapshots).VerifyAsync(snapshotKeyKept, ct);
        var snapshotsTime = clock.Elapsed;
        clock.Restart();
        var readModels = await ReadModelVerifier.VerifyAsync(service, store, ct: ct);
        return new LedgerVerification(chain, snapshotCheck, readModels, null, chainTime, snapshotsTime, clock.Elapsed);
    }
}
