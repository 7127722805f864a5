using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// The PK part of projection <c>sakip</c> (<see cref="SakipCombinedProjection"/>; <c>sakip-pk</c> of its own only in the benchmark's old
/// layout): readmodel.pk_versions, one row per signed PK version (0 = murni, N = perubahan N) with
/// its full target set as signed (each target with the Renstra target of that year at signing). Stateless; idempotent
/// per batch (the batch's sequence range is deleted before the COPY). The daemon loads only PK events for it.
/// </summary>
public sealed class PkVersionsProjection() : SakipProjection(ProjectionName, [typeof(PkSigned), typeof(PkRevised)], ["pk_versions"])
{
    public const string ProjectionName = "sakip-pk";

    internal override async Task<object?> WriteAsync(SakipBatch batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await Copy.ExecAsync(connection, transaction, ReadModelStatements.DeletePkRange(batch.Schema), ct,
            new NpgsqlParameter<long>("first", batch.First), new NpgsqlParameter<long>("last", batch.Last));

        await using var w = await connection.BeginBinaryImportAsync(ReadModelStatements.CopyPkVersions(batch.Schema), ct);
        foreach (var e in batch.Events)
        {
            if (e.Key.Kind != StreamKind.Year || e.Event is not (PkSigned or PkRevised)) continue;
            ApplyOne(e, () =>
            {
                switch (e.Event)
                {
                    case PkSigned s:
                        Row(w, e, 0, s.SignedOn, EventDecoding.ToJson(s.Signer), null, null, EventDecoding.ToJson(s.Targets), null);
                        break;
                    case PkRevised r:
                        Row(w, e, r.Version, r.SignedOn, EventDecoding.ToJson(r.Signer), r.Reason, r.Ground, EventDecoding.ToJson(r.Targets),
                            EventDecoding.ToJson(r.Changes));
                        break;
                }
            });
        }
        await w.CompleteAsync(ct);
        return null;
    }

    private static void Row(NpgsqlBinaryImporter w, SakipEvent e, int number, DateOnly signedOn, string signer,
        string? reason, string? ground, string targets, string? changes)
    {
        w.StartRow();
        w.Text(e.Key.Agency); w.Int(e.Key.Number); w.Int(number); w.Text(number == 0 ? "murni" : "perubahan"); w.Date(signedOn);
        w.Json(signer); w.Text(reason); w.Text(ground); w.Json(targets); w.Json(changes); w.Json(e.ActorJson); w.Instant(e.RecordedAt);
        w.Uuid(e.Id); w.Long(e.Sequence);
    }
}
