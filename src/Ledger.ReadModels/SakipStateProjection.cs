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
using Marten;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Projection <c>sakip-state</c>: indicator_state, lkjip_rows, budget_lines and performance_years, computed from the
/// domain's states with Ledger.Domain.Reading (the numbers of the HTTP reads, by construction).
/// <para>
/// Speed: the folded states are kept in memory between batches, so a batch costs its own events, not a replay. The
/// cache holds the fold of every event up to a position (<c>_cachedThrough</c>), and is trusted for a batch only when
/// that position equals the progression Marten committed for the shard before this batch — the value this batch's
/// transaction moves by compare-and-swap (see <see cref="WriteAsync"/>). Anything else (a batch whose commit failed
/// or was retried, another node having led meanwhile, a rebuild's teardown, a restart) clears it, and the agencies the
/// batch touches are re-folded from <c>ledger.mt_events</c> up to that progression, through the same transaction. So
/// the rows are always a function of the events up to the committed progression, which is what a rebuild reproduces.
/// </para>
/// </summary>
public sealed class SakipStateProjection : SakipProjection
{
    public const string ProjectionName = "sakip-state";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, AgencyModel> _agencies = new(StringComparer.Ordinal);
    private long _cachedThrough = -1;
    private long _generation;

    public SakipStateProjection() : base(ProjectionName, null, ["indicator_state", "lkjip_rows", "budget_lines", "performance_years"])
    {
    }

    /// <summary>Time per phase since this instance was created (the rebuild benchmark prints it).</summary>
    public SakipStateTimings Timings { get; } = new();

    /// <summary>Batches whose cache was not trusted (cleared, then touched agencies re-folded from the log); for tests and the benchmark.</summary>
    public long CacheReloads => Interlocked.Read(ref _reloads);
    private long _reloads;

    private sealed record Written(long Generation, long Through);

    /// <summary>
    /// In the daemon's transaction, after Marten moved the shard's progression from the batch's floor F to its ceiling
    /// C (Marten queues that update first, and only by compare-and-swap): the cache is trusted if it was left at F.
    /// F is Marten's committed progression, read on another connection: this transaction holds the progression row's
    /// lock until it ends, so the committed value cannot change under us, and it is exactly the floor the update matched.
    /// (Inside the transaction the row already reads C.) A cache left below F is still trusted when the log has no
    /// event in between (a page of skipped sequence numbers moved the progression without calling the projection).
    /// </summary>
    internal override async Task<object?> WriteAsync(SakipBatch batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var generation = ++_generation;
            var cached = _cachedThrough;
            _cachedThrough = -1; // untrusted until the transaction this batch writes into has committed

            var t0 = Stopwatch.GetTimestamp();
            var ceiling = await ScalarAsync<long?>(connection, transaction, ReadModelStatements.ShardProgression, ct, new NpgsqlParameter<string>("name", Shard.Identity));
            if (ceiling is not { } through || through < batch.Last)
                throw new InvalidOperationException(
                    $"{Name}: the shard's progression in this transaction is {ceiling?.ToString() ?? "missing"}, below the batch's last event {batch.Last}: not running in Marten's daemon transaction.");
            var floor = await batch.Database.ProjectionProgressFor(Shard, ct);
            var trusted = cached == floor
                || cached >= 0 && cached < floor && !await ScalarAsync<bool>(connection, transaction, ReadModelStatements.AnyEventBetween, ct,
                    new NpgsqlParameter<long>("after", cached), new NpgsqlParameter<long>("through", floor));
            if (!trusted)
            {
                if (_agencies.Count > 0 || cached >= 0) Interlocked.Increment(ref _reloads);
                _agencies.Clear();
            }
            var checkpoint = Stopwatch.GetTimestamp() - t0;

            var dirty = new DirtySet();
            var (load, fold) = await FoldBatchAsync(connection, transaction, batch, floor, dirty, ct);
            var t4 = Stopwatch.GetTimestamp();
            var writer = new SakipStateWriter(_agencies);
            var compute = await writer.WriteAsync(connection, transaction, dirty, ct);
            var t5 = Stopwatch.GetTimestamp();
            Timings.Add(batch.Events.Count, checkpoint + load, fold, compute, t5 - t4 - compute, writer.DeleteTicks, writer.Rows);
            return new Written(generation, through);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The batch's transaction committed: the cache is the fold of the log up to its ceiling, unless a later batch began meanwhile.</summary>
    internal override async Task CommittedAsync(object? written, CancellationToken ct)
    {
        if (written is not Written w) return;
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (w.Generation == _generation) _cachedThrough = w.Through;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Decodes and folds a batch into the cached states, marking what it touched. Agencies not in memory are first
    /// re-folded from the log up to <paramref name="loadUpTo"/> (whose rows are written). Returns the ticks of (load,
    /// fold). A batch event that cannot be folded fails the batch naming that event (a poison event).
    /// </summary>
    private async Task<(long Load, long Fold)> FoldBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        SakipBatch batch, long loadUpTo, DirtySet dirty, CancellationToken ct)
    {
        var t2 = Stopwatch.GetTimestamp();
        var missing = batch.Events.Where(e => e.Key.Kind != StreamKind.Other && e.Event is not null).Select(e => e.Key.Agency)
            .Distinct(StringComparer.Ordinal).Where(a => !_agencies.ContainsKey(a)).ToList();
        foreach (var a in missing) _agencies[a] = new AgencyModel(a);
        if (missing.Count > 0 && loadUpTo > 0)
            await LoadAsync(connection, transaction, batch.Serializer, missing, loadUpTo, ct);

        var t3 = Stopwatch.GetTimestamp();
        foreach (var e in batch.Events)
        {
            if (e.Key.Kind == StreamKind.Other || e.Event is not { } ev) continue;
            ApplyOne(e, () => Fold(_agencies[e.Key.Agency], e.Key, e.Version, ev, dirty));
        }
        var t4 = Stopwatch.GetTimestamp();
        return (t3 - t2, t4 - t3);
    }

    /// <summary>Re-folds agencies from the log up to the committed progression (cold cache); their rows are already written.</summary>
    private async Task LoadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ISerializer serializer, List<string> agencies, long upTo, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ReadModelStatements.AgencyEvents, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("agencies", agencies.ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long>("upto", upTo));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var ignored = new DirtySet();
        while (await r.ReadAsync(ct))
        {
            var stream = r.GetString(1);
            var key = StreamKey.Of(stream, r.IsDBNull(5) ? StreamKey.AgencyOf(stream) : r.GetString(5));
            if (key.Kind == StreamKind.Other || !_agencies.TryGetValue(key.Agency, out var model) || DomainEventTypes.TypeOf(r.GetString(3)) is not { } type) continue;
            if (serializer.FromJson(type, r, 4) is IDomainEvent ev) Fold(model, key, r.GetInt64(2), ev, ignored);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params NpgsqlParameter[] ps)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddRange(ps);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)value;
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
                foreach (var y in renstra.YearsCovered())
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
                var created = year.Version == 0;
                year.State = year.State.Evolve(ev);
                year.Version = version;
                var n = key.Number;
                dirty.Years.Add((a, n));
                // The year's first event: next year's LKjIP rows now have a "previous" year (whatever the event was).
                if (created) dirty.LkjipYears.Add((a, n + 1));
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
