using Ledger.Domain;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.EventStore;
using Ledger.Projections;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Projection <c>sakip-history</c>: readmodel.indicator_history, one row per indicator an event changed (a PK with five
/// targets gives five rows, item 0…4). Needs no state: every event carries its before and after values. Idempotent per
/// batch: the batch's sequence range is deleted before the COPY.
/// </summary>
public sealed class IndicatorHistoryProjection : IProjection
{
    public const string ProjectionName = "sakip-history";

    public string Name => ProjectionName;

    public IReadOnlySet<string>? EventTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "renstra.indicator-added.v1", "renstra.revised.v1", "pk.signed.v1", "pk.revised.v1",
        "realization.recorded.v1", "realization.corrected.v1",
    };

    private sealed record Change(
        string Indicator, string Kind, int Year, string? Period, DateOnly? On, string? Reason, string? Ground, string? LegalBasis,
        decimal? Before, decimal After);

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await Copy.ExecAsync(connection, transaction, ReadModelStatements.DeleteHistoryRange, ct,
            new NpgsqlParameter<long>("first", batch[0].Sequence), new NpgsqlParameter<long>("last", batch[^1].Sequence));

        await using var w = await connection.BeginBinaryImportAsync(ReadModelStatements.CopyHistory, ct);
        foreach (var e in batch)
        {
            var key = StreamKey.Of(e.Stream.Value, e.Tenant);
            if (key.Kind == StreamKind.Other || EventDecoding.Decode(e) is not { } ev) continue;
            var item = 0;
            foreach (var c in Changes(ev, key, e.Reason))
            {
                w.StartRow();
                w.Long(e.Sequence); w.Int(item++); w.Uuid(e.Id); w.Text(e.Type); w.Text(e.Stream.Value); w.Long(e.Version);
                w.Text(key.Agency); w.Text(c.Indicator); w.Text(c.Kind); w.Instant(e.RecordedAt); w.Int(c.Year); w.Text(c.Period);
                w.Date(c.On); w.Json(e.ActorJson); w.Text(c.Reason); w.Text(c.Ground); w.Text(c.LegalBasis); w.Num(c.Before); w.Num(c.After);
            }
        }
        await w.CompleteAsync(ct);
    }

    public Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct) =>
        Copy.ExecAsync(connection, transaction, ReadModelStatements.ResetHistory, ct);

    /// <summary>The recorded reason of the write (metadata) unless the event carries its own.</summary>
    private static IEnumerable<Change> Changes(IDomainEvent ev, StreamKey key, string? reason) => ev switch
    {
        IndicatorAdded e => e.Targets.Select(t => new Change(e.Code, "renstra-target-set", t.Year, null, null, reason, null, null, null, t.Target)),
        RenstraRevised e => e.Changes.Select(c =>
            new Change(c.Indicator, "renstra-target-revised", c.Year, null, null, e.Reason, null, e.LegalBasis, c.Before, c.After)),
        PkSigned e => e.Targets.Select(t =>
            new Change(t.Indicator, "pk-target-signed", key.Number, null, e.SignedOn, reason, null, null, null, t.Target)),
        PkRevised e => e.Changes.Select(c =>
            new Change(c.Indicator, "pk-target-revised", key.Number, null, e.SignedOn, e.Reason, e.Ground, null, c.Before, c.After)),
        RealizationRecorded e => [new Change(e.Indicator, "realization-recorded", key.Number, e.Period, null, reason, null, null, null, e.Value)],
        RealizationCorrected e => [new Change(e.Indicator, "realization-corrected", key.Number, e.Period, null, e.Reason, null, null, e.Before, e.After)],
        _ => [],
    };
}
