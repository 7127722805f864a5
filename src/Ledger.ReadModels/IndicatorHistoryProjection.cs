using Ledger.Domain;
using Ledger.Domain.History;
using Ledger.EventStore;
using Ledger.Projections;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Projection <c>sakip-history</c>: readmodel.indicator_history, one row per entry of the HTTP indicator history
/// (<see cref="IndicatorHistory"/>): one row per indicator an event touched (a PK with five targets gives five rows, item
/// 0…4). The rows come from <see cref="IndicatorHistory.Entries"/>, the same mapping the HTTP read uses, so the table and
/// the endpoint cannot disagree on which entries exist or what they say.
/// <para>
/// No state between batches. Most events carry their before and after; the few that need an earlier fact of their stream
/// (an approval or rejection needs its proposal, a year close the indicators touched that year, an indicator added
/// without targets its Renstra's period: <see cref="IndicatorHistory.NeedsEarlierEvents"/>) get it by folding that
/// stream's earlier events of the remembered types, read from the log in the batch's transaction. Idempotent per batch:
/// the batch's sequence range is deleted before the COPY.
/// </para>
/// </summary>
public sealed class IndicatorHistoryProjection : IProjection
{
    public const string ProjectionName = "sakip-history";

    public string Name => ProjectionName;

    /// <summary>Exactly the types the shared mapping handles (<see cref="IndicatorHistory.SourceEventTypes"/>), by their stable names.</summary>
    public IReadOnlySet<string>? EventTypes { get; } =
        IndicatorHistory.SourceEventTypes.Select(DomainEventTypes.NameOf).ToHashSet(StringComparer.Ordinal);

    private static readonly string[] RememberedTypes = IndicatorHistory.RememberedEventTypes.Select(DomainEventTypes.NameOf).ToArray();

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await Copy.ExecAsync(connection, transaction, ReadModelStatements.DeleteHistoryRange, ct,
            new NpgsqlParameter<long>("first", batch[0].Sequence), new NpgsqlParameter<long>("last", batch[^1].Sequence));

        var decoded = new List<(RecordedEvent Recorded, StreamKey Key, AuditedEvent Audited)>(batch.Count);
        foreach (var e in batch)
        {
            var key = StreamKey.Of(e.Stream.Value, e.Tenant);
            if (key.Kind == StreamKind.Other || EventDecoding.Decode(e) is not { } ev) continue;
            decoded.Add((e, key, Audited(e, key, ev)));
        }

        var memory = new IndicatorHistoryMemory();
        var needy = decoded.Where(d => IndicatorHistory.NeedsEarlierEvents(d.Audited.Event)).Select(d => d.Recorded.Stream.Value)
            .Distinct(StringComparer.Ordinal).ToArray();
        if (needy.Length > 0) await PrimeAsync(connection, transaction, needy, batch[0].Sequence, memory, ct);

        await using var w = await connection.BeginBinaryImportAsync(ReadModelStatements.CopyHistory, ct);
        foreach (var (e, key, audited) in decoded)
        {
            var item = 0;
            foreach (var i in IndicatorHistory.Entries(audited, memory))
            {
                var h = i.Entry;
                var renstra = h.Kind.StartsWith("renstra.", StringComparison.Ordinal); // a Renstra's "ground" is its legal basis
                w.StartRow();
                w.Long(e.Sequence); w.Int(item++); w.Uuid(e.Id); w.Text(e.Type); w.Text(e.Stream.Value); w.Long(e.Version);
                w.Text(key.Agency); w.Text(i.Indicator); w.Text(Change(h)); w.Instant(e.RecordedAt); w.Int(h.Year); w.Text(i.Period);
                w.Date(i.On); w.Json(e.ActorJson); w.Text(h.Reason); w.Text(renstra ? null : h.Ground); w.Text(renstra ? h.Ground : null);
                w.Num(h.Before); w.Num(h.After);
                w.Text(h.Kind); w.Text(h.Effective); w.Text(h.Note);
                if (i.ProposalId is { } p) w.Uuid(p); else w.WriteNull();
                w.Text(i.Status is { } s ? ProposalStatusWire.Name(s) : null);
            }
        }
        await w.CompleteAsync(ct);
    }

    public Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct) =>
        Copy.ExecAsync(connection, transaction, ReadModelStatements.ResetHistory, ct);

    /// <summary>Folds the remembered events of <paramref name="streams"/> before the batch into the memory.</summary>
    private static async Task PrimeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] streams, long before,
        IndicatorHistoryMemory memory, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ReadModelStatements.HistoryEarlierEvents, connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", streams));
        cmd.Parameters.Add(new NpgsqlParameter<long>("before", before));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("types", RememberedTypes));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var (seq, id, stream, type, json, at, tenant, reason) = (r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7));
            var key = StreamKey.Of(stream, tenant);
            if (key.Kind == StreamKind.Other || EventDecoding.Decode(type, json) is not { } ev) continue;
            memory.Remember(new AuditedEvent(seq, id, stream, key.Kind == StreamKind.Year ? key.Number : null, at, Actor.Unknown, reason, ev));
        }
    }

    /// <summary>The actor stays raw JSON in the table (column actor), so it is not parsed here.</summary>
    private static AuditedEvent Audited(RecordedEvent e, StreamKey key, IDomainEvent ev) =>
        new(e.Sequence, e.Id, e.Stream.Value, key.Kind == StreamKind.Year ? key.Number : null, e.RecordedAt, Actor.Unknown, e.Reason, ev);

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
