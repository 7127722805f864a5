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
public sealed class SakipStateProjection : IBufferedProjection
{
    public const string ProjectionName = "sakip-state";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, AgencyModel> _agencies = new(StringComparer.Ordinal);
    private long _cachedThrough = -1;

    // A rebuild's in-memory stretch (IBufferedProjection): what the folded events touched since the last flush, the
    // checkpoint it started from and the last folded position. Null when no stretch is open.
    private DirtySet? _stretch;
    private long _stretchStart, _foldedThrough = -1;

    public string Name => ProjectionName;

    /// <summary>
    /// Events a rebuild folds in memory between writes (issue 4). Each flush rewrites every key touched since the last
    /// one, so the bigger the stretch, the closer the rebuild gets to writing each final row once. What a stretch adds
    /// to memory is its touched keys (at most the tables' keys; the folded states are kept anyway), never the events;
    /// what it costs is the work a crash loses (≤ 250 000 events, a few seconds at the measured rate) and the size of
    /// one flush transaction (≤ the four tables' rows). docs/performance.md compares 100 000, 250 000 and batch by batch.
    /// </summary>
    public int RebuildFlushEvery { get; init; } = DefaultRebuildFlushEvery;

    public const int DefaultRebuildFlushEvery = 250_000;

    /// <summary>Time per phase since this instance was created (the rebuild benchmark prints it).</summary>
    public SakipStateTimings Timings { get; } = new();

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var t0 = Stopwatch.GetTimestamp();
            var position = await CheckpointAsync(connection, transaction, ct);
            var checkpoint = Stopwatch.GetTimestamp() - t0;
            if (_stretch is not null) _stretch = null; // an unflushed stretch is abandoned: _cachedThrough is -1 meanwhile
            if (position != _cachedThrough) _agencies.Clear();
            _cachedThrough = -1; // untrusted until this batch is fully applied

            var dirty = new DirtySet();
            var (load, fold) = await FoldBatchAsync(connection, transaction, batch, position, dirty, ct);
            var t4 = Stopwatch.GetTimestamp();
            var writer = new SakipStateWriter(_agencies);
            var compute = await writer.WriteAsync(connection, transaction, dirty, ct);
            var t5 = Stopwatch.GetTimestamp();
            Timings.Add(batch.Count, checkpoint + load, fold, compute, t5 - t4 - compute, writer.DeleteTicks, writer.Rows);
            _cachedThrough = batch[^1].Sequence;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Rebuilds: folds a batch into memory and remembers what it touched; nothing is written until <see cref="FlushAsync"/>.</summary>
    public async Task FoldAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> batch, long after, long through, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_stretch is null)
            {
                // A new stretch starts at the committed checkpoint `after`: the memory is trusted only if it was left there.
                if (after != _cachedThrough) _agencies.Clear();
                _cachedThrough = -1; // untrusted while folded events are unwritten
                _stretch = new DirtySet();
                _stretchStart = after;
            }
            else if (after != _foldedThrough)
            {
                throw new InvalidOperationException($"{Name}: fold after {after}, but the memory is folded through {_foldedThrough}.");
            }
            _foldedThrough = -1; // until this batch is folded completely
            var (load, fold) = await FoldBatchAsync(connection, null, batch, _stretchStart, _stretch, ct);
            Timings.Add(batch.Count, load, fold, 0, 0, 0, 0);
            _foldedThrough = through;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Rebuilds: writes every key the stretch touched (one delete round trip and one COPY per table).</summary>
    public async Task FlushAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long through, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_stretch is null || through != _foldedThrough)
                throw new InvalidOperationException($"{Name}: flush through {through}, but the memory is folded through {_foldedThrough}.");
            var start = Stopwatch.GetTimestamp();
            var writer = new SakipStateWriter(_agencies);
            var compute = await writer.WriteAsync(connection, transaction, _stretch, ct);
            Timings.Add(0, 0, 0, compute, Stopwatch.GetTimestamp() - start - compute, writer.DeleteTicks, writer.Rows);
            Timings.AddFlush();
            _stretch = null;
            // Trusted from here if the engine commits the checkpoint at `through`; if not, the checkpoint differs and
            // the next batch or stretch clears the memory (as after a rolled-back ApplyAsync).
            _cachedThrough = through;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Discard()
    {
        _gate.Wait();
        try
        {
            _agencies.Clear();
            _stretch = null;
            _cachedThrough = _foldedThrough = -1;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Decodes and folds a batch into the cached states, marking what it touched. Agencies not in memory are first
    /// re-folded from the log up to <paramref name="loadUpTo"/> (whose rows are written). Returns the ticks of (load,
    /// decode + evolve). (Folding one agency per task on both cores was tried: no gain on this 2-core machine, where
    /// the prefetched read and PostgreSQL need the other core; docs/performance.md.)
    /// </summary>
    private async Task<(long Load, long Fold)> FoldBatchAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyList<RecordedEvent> batch, long loadUpTo, DirtySet dirty, CancellationToken ct)
    {
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
        if (missing.Count > 0 && loadUpTo > 0) await LoadAsync(connection, transaction, missing, loadUpTo, ct);

        var t3 = Stopwatch.GetTimestamp();
        foreach (var (recorded, key, ev) in decoded) Fold(_agencies[key.Agency], key, recorded.Version, ev, dirty);
        var t4 = Stopwatch.GetTimestamp();
        return (t3 - t2, (t2 - t1) + (t4 - t3));
    }

    public async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            _agencies.Clear();
            _stretch = null;
            _cachedThrough = _foldedThrough = -1;
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
    private async Task LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, List<string> agencies, long upTo, CancellationToken ct)
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
