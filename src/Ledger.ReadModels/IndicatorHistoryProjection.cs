using Ledger.Domain;
using Ledger.Domain.History;
using Marten;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// The history part of projection <c>sakip</c> (<see cref="SakipCombinedProjection"/>; a projection <c>sakip-history</c> of its own only in the
/// benchmark's old layout, <see cref="SakipReadModels.RegisterSeparately"/>): readmodel.indicator_history, one row per entry of the HTTP indicator history
/// (<see cref="IndicatorHistory"/>): one row per indicator an event touched (a PK with five targets gives five rows, item
/// 0…4). The rows come from <see cref="IndicatorHistory.Entries"/>, the same mapping the HTTP read uses, so the table and
/// the endpoint cannot disagree on which entries exist or what they say.
/// <para>
/// No state between batches. Most events carry their before and after; the few that need an earlier fact of their stream
/// (an approval or rejection needs its proposal, a year close recorded before 2026-12-07 the indicators touched that year
/// (later closes carry them), an indicator added
/// without targets its Renstra's period: <see cref="IndicatorHistory.NeedsEarlierEvents"/>) get it by folding that
/// stream's earlier events of the remembered types, read from <c>ledger.mt_events</c> in the daemon's transaction.
/// Idempotent per batch: the batch's sequence range is deleted before the COPY. The daemon loads only the types the
/// mapping handles.
/// </para>
/// </summary>
public sealed class IndicatorHistoryProjection() : SakipProjection(ProjectionName, IndicatorHistory.SourceEventTypes, ["indicator_history"])
{
    public const string ProjectionName = "sakip-history";

    private static readonly string[] RememberedTypes = IndicatorHistory.RememberedEventTypes.Select(DomainEventTypes.NameOf).ToArray();
    private static readonly HashSet<Type> SourceTypes = [.. IndicatorHistory.SourceEventTypes];

    internal override async Task<object?> WriteAsync(SakipBatch batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await Copy.ExecAsync(connection, transaction, ReadModelStatements.DeleteHistoryRange(batch.Schema), ct,
            new NpgsqlParameter<long>("first", batch.First), new NpgsqlParameter<long>("last", batch.Last));

        var decoded = new List<(SakipEvent Recorded, AuditedEvent Audited)>(batch.Events.Count);
        foreach (var e in batch.Events)
        {
            if (e.Key.Kind == StreamKind.Other || e.Event is not { } ev || !SourceTypes.Contains(ev.GetType())) continue;
            decoded.Add((e, Audited(e.Sequence, e.Id, e.Stream, e.Key, e.RecordedAt, e.Reason, ev)));
        }

        var memory = new IndicatorHistoryMemory();
        var needy = decoded.Where(d => IndicatorHistory.NeedsEarlierEvents(d.Audited.Event)).Select(d => d.Recorded.Stream)
            .Distinct(StringComparer.Ordinal).ToArray();
        if (needy.Length > 0)
        {
            // The daemon reads the log in its own transaction; the verifier's recompute in its snapshot (batch.Log).
            var (log, logTransaction) = batch.Log ?? (connection, transaction);
            await PrimeAsync(log, logTransaction, batch.Serializer, needy, batch.First, memory, ct);
            if (Timings.Timeline) Timings.Mark($"history primed: {needy.Length} streams");
        }

        await using var w = await connection.BeginBinaryImportAsync(ReadModelStatements.CopyHistory(batch.Schema), ct);
        foreach (var (e, audited) in decoded)
        {
            IReadOnlyList<IndicatorHistoryItem> items = [];
            ApplyOne(e, () => items = IndicatorHistory.Entries(audited, memory));
            var item = 0;
            foreach (var i in items)
            {
                var h = i.Entry;
                var renstra = h.Kind.StartsWith("renstra.", StringComparison.Ordinal); // a Renstra's "ground" is its legal basis
                var change = "";
                ApplyOne(e, () => change = Change(h));
                w.StartRow();
                w.Long(e.Sequence); w.Int(item++); w.Uuid(e.Id); w.Text(e.Type); w.Text(e.Stream); w.Long(e.Version);
                w.Text(e.Key.Agency); w.Text(i.Indicator); w.Text(change); w.Instant(e.RecordedAt); w.Int(h.Year); w.Text(i.Period);
                w.Date(i.On); w.Json(e.ActorJson); w.Text(h.Reason); w.Text(renstra ? null : h.Ground); w.Text(renstra ? h.Ground : null);
                w.Num(h.Before); w.Num(h.After);
                w.Text(h.Kind); w.Text(h.Effective); w.Text(h.Note);
                if (i.ProposalId is { } p) w.Uuid(p); else w.WriteNull();
                w.Text(i.Status is { } s ? ProposalStatusWire.Name(s) : null);
            }
        }
        await w.CompleteAsync(ct);
        return null;
    }

    /// <summary>Folds the remembered events of <paramref name="streams"/> before the batch into the memory.</summary>
    private static async Task PrimeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ISerializer serializer, string[] streams,
        long before, IndicatorHistoryMemory memory, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ReadModelStatements.HistoryEarlierEvents, connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", streams));
        cmd.Parameters.Add(new NpgsqlParameter<long>("before", before));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("types", RememberedTypes));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var (seq, id, stream, type) = (r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3));
            var key = StreamKey.Of(stream, r.IsDBNull(6) ? StreamKey.AgencyOf(stream) : r.GetString(6));
            if (key.Kind == StreamKind.Other || DomainEventTypes.TypeOf(type) is not { } t) continue;
            if (serializer.FromJson(t, r, 4) is not IDomainEvent ev) continue;
            memory.Remember(Audited(seq, id, stream, key, r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(7) ? null : r.GetString(7), ev));
        }
    }

    /// <summary>The actor stays raw JSON in the table (column actor), so it is not parsed here.</summary>
    private static AuditedEvent Audited(long seq, Guid id, string stream, StreamKey key, DateTimeOffset at, string? reason, IDomainEvent ev) =>
        new(seq, id, stream, key.Kind == StreamKind.Year ? key.Number : null, at, Actor.Unknown, reason, ev);

    /// <summary>The table's change words (kept from the first version of the table; the HTTP word is in column kind).</summary>
    private static string Change(HistoryEntry h) => h.Kind switch
    {
        HistoryKinds.IndicatorAdded => h.Year is null ? "renstra-indicator-added" : "renstra-target-set",
        HistoryKinds.RenstraRevised => "renstra-target-revised",
        HistoryKinds.RenstraRevisionProposed => "renstra-revision-proposed",
        HistoryKinds.RenstraRevisionApproved => "renstra-revision-approved",
        HistoryKinds.RenstraRevisionRejected => "renstra-revision-rejected",
        HistoryKinds.PkMurni => "pk-target-signed",
        HistoryKinds.PkPerubahan => "pk-target-revised",
        HistoryKinds.PkPerubahanProposed => "pk-revision-proposed",
        HistoryKinds.PkPerubahanApproved => "pk-revision-approved",
        HistoryKinds.PkPerubahanRejected => "pk-revision-rejected",
        HistoryKinds.RealizationRecorded => "realization-recorded",
        HistoryKinds.RealizationCorrected => "realization-corrected",
        HistoryKinds.YearClosed => "year-closed",
        HistoryKinds.TargetsDeclared => "renstra-targets-declared",
        HistoryKinds.ClaimsDeclared => "claims-declared",
        _ => throw new InvalidOperationException($"No change word for history kind '{h.Kind}'."),
    };
}
