using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.EventStore;
using Ledger.Projections;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Projection <c>sakip-pk</c>: readmodel.pk_versions, one row per signed PK version (0 = murni, N = perubahan N) with
/// its full target set as signed (each target with the Renstra target of that year at signing). Stateless; idempotent
/// per batch (the batch's sequence range is deleted before the COPY).
/// </summary>
public sealed class PkVersionsProjection : IProjection
{
    public const string ProjectionName = "sakip-pk";

    public string Name => ProjectionName;

    public IReadOnlySet<string>? EventTypes { get; } = new HashSet<string>(StringComparer.Ordinal) { "pk.signed.v1", "pk.revised.v1" };

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await Copy.ExecAsync(connection, transaction, ReadModelStatements.DeletePkRange, ct,
            new NpgsqlParameter<long>("first", batch[0].Sequence), new NpgsqlParameter<long>("last", batch[^1].Sequence));

        await using var w = await connection.BeginBinaryImportAsync(ReadModelStatements.CopyPkVersions, ct);
        foreach (var e in batch)
        {
            var key = StreamKey.Of(e.Stream.Value, e.Tenant);
            if (key.Kind != StreamKind.Year) continue;
            switch (EventDecoding.Decode(e))
            {
                case PkSigned s:
                    Row(w, e, key, 0, s.SignedOn, EventDecoding.ToJson(s.Signer), null, null, EventDecoding.ToJson(s.Targets), null);
                    break;
                case PkRevised r:
                    Row(w, e, key, r.Version, r.SignedOn, EventDecoding.ToJson(r.Signer), r.Reason, r.Ground, EventDecoding.ToJson(r.Targets),
                        EventDecoding.ToJson(r.Changes));
                    break;
            }
        }
        await w.CompleteAsync(ct);
    }

    private static void Row(NpgsqlBinaryImporter w, RecordedEvent e, StreamKey key, int number, DateOnly signedOn, string signer,
        string? reason, string? ground, string targets, string? changes)
    {
        w.StartRow();
        w.Text(key.Agency); w.Int(key.Number); w.Int(number); w.Text(number == 0 ? "murni" : "perubahan"); w.Date(signedOn);
        w.Json(signer); w.Text(reason); w.Text(ground); w.Json(targets); w.Json(changes); w.Json(e.ActorJson); w.Instant(e.RecordedAt);
        w.Uuid(e.Id); w.Long(e.Sequence);
    }

    public Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct) =>
        Copy.ExecAsync(connection, transaction, ReadModelStatements.ResetPk, ct);
}
