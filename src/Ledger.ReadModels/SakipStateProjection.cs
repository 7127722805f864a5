using System.Diagnostics;
using Ledger.Domain;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.RevisingRenstra;
using Ledger.EventStore;
using Ledger.Projections;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Projection <c>sakip-state</c>: indicator_state, lkjip_rows, budget_lines and performance_years, computed from the
/// domain's states with Ledger.Domain.Reading (the numbers of the HTTP reads, by construction).
///
/// Speed: the folded states are kept in memory between batches, so a batch costs its own events, not a replay. The
/// cache is only trusted when the checkpoint read inside the batch's transaction equals the position the cache was
/// left at; anything else (a rolled-back batch, a bisection, another daemon having led meanwhile, a restart) clears it
/// and the touched agencies are re-folded from the log up to the checkpoint, through the same transaction. So the
/// rows are always a function of the events up to the checkpoint, which is what a rebuild reproduces.
/// </summary>
public sealed class SakipStateProjection : IProjection
{
    public const string ProjectionName = "sakip-state";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, AgencyModel> _agencies = new(StringComparer.Ordinal);
    private long _cachedThrough = -1;

    public string Name => ProjectionName;

    /// <summary>Time per phase since this instance was created (the rebuild benchmark prints it).</summary>
    public SakipStateTimings Timings { get; } = new();

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var t0 = Stopwatch.GetTimestamp();
            var position = await CheckpointAsync(connection, transaction, ct);
            if (position != _cachedThrough) _agencies.Clear();
            _cachedThrough = -1; // untrusted until this batch is fully applied

            var t1 = Stopwatch.GetTimestamp();
            var decoded = new List<(RecordedEvent Recorded, StreamKey Key, IDomainEvent Event)>(batch.Count);
            foreach (var e in batch)
            {
                var key = StreamKey.Of(e.Stream.Value, e.Tenant);
                if (key.Kind == StreamKind.Other) continue;
                if (EventDecoding.Decode(e) is { } ev) decoded.Add((e, key, ev));
            }

            var t2 = Stopwatch.GetTimestamp();
            var missing = decoded.Select(d => d.Key.Agency).Distinct().Where(a => !_agencies.ContainsKey(a)).ToList();
            foreach (var a in missing) _agencies[a] = new AgencyModel(a);
            if (missing.Count > 0 && position > 0) await LoadAsync(connection, transaction, missing, position, ct);

            var t3 = Stopwatch.GetTimestamp();
            var dirty = new DirtySet();
            foreach (var (recorded, key, ev) in decoded) Fold(_agencies[key.Agency], key, recorded.Version, ev, dirty);
            var t4 = Stopwatch.GetTimestamp();
            var writer = new SakipStateWriter(_agencies);
            var compute = await writer.WriteAsync(connection, transaction, dirty, ct);
            var t5 = Stopwatch.GetTimestamp();
            Timings.Add(batch.Count, (t1 - t0) + (t3 - t2), t2 - t1, t4 - t3, compute, t5 - t4 - compute, writer.DeleteTicks, writer.Rows);
            _cachedThrough = batch[^1].Sequence;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            _agencies.Clear();
            _cachedThrough = -1;
            await Copy.ExecAsync(connection, transaction, ReadModelStatements.ResetState, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<long> CheckpointAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ReadModelStatements.CheckpointPosition, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", Name));
        return await cmd.ExecuteScalarAsync(ct) is long p ? p : 0;
    }

    /// <summary>Re-folds agencies from the log up to the checkpoint (cold cache); their rows are already written.</summary>
    private async Task LoadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<string> agencies, long upTo, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ReadModelStatements.AgencyEvents, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("agencies", agencies.ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long>("upto", upTo));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var ignored = new DirtySet();
        while (await r.ReadAsync(ct))
        {
            var key = StreamKey.Of(r.GetString(1), r.GetString(5));
            if (key.Kind == StreamKind.Other) continue;
            if (EventDecoding.Decode(r.GetString(3), r.GetString(4)) is { } ev) Fold(_agencies[key.Agency], key, r.GetInt64(2), ev, ignored);
        }
    }

    private static void Fold(AgencyModel m, StreamKey key, long version, IDomainEvent ev, DirtySet dirty)
    {
        var a = m.Code;
        switch (key.Kind)
        {
            case StreamKind.Agency:
                m.Agency = m.Agency.Evolve(ev);
                if (ev is RatingScaleSet) dirty.Agencies.Add(a);
                break;

            case StreamKind.Renstra:
                var renstra = (m.Renstras.TryGetValue(key.Number, out var r) ? r : Domain.Renstras.RenstraState.Initial).Evolve(ev);
                m.Renstras[key.Number] = renstra;
                if (!renstra.Exists) break;
                foreach (var y in AgencyModel.CoveredYears(renstra))
                {
                    switch (ev)
                    {
                        case IndicatorAdded e: dirty.Indicator(a, y, e.Code); break;
                        case RenstraRevised e: foreach (var c in e.Changes.Select(c => c.Indicator).Distinct()) dirty.Indicator(a, y, c); break;
                        default: dirty.WholeYear(a, y); break; // created: which plan covers the year may change
                    }
                }
                break;

            case StreamKind.Year:
                var year = m.Year(key.Number);
                year.State = year.State.Evolve(ev);
                year.Version = version;
                var n = key.Number;
                dirty.Years.Add((a, n));
                switch (ev)
                {
                    case RealizationRecorded e: dirty.Indicator(a, n, e.Indicator); break;
                    case RealizationCorrected e: dirty.Indicator(a, n, e.Indicator); break;
                    case PkSigned or PkRevised: dirty.WholeYear(a, n); break;
                    case BudgetEnacted or BudgetRevised: dirty.BudgetYears.Add((a, n)); break;
                    case SpendingRecorded e: dirty.BudgetLines.Add((a, n, e.Code)); break;
                }
                break;
        }
    }
}
