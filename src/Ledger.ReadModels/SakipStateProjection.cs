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
/// The state part of projection <c>sakip</c> (<see cref="SakipCombinedProjection"/>; <c>sakip-state</c> of its own only in the
/// benchmark's old layout, <see cref="SakipReadModels.RegisterSeparately"/>): indicator_state, lkjip_rows, budget_lines and performance_years, computed from the
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
    private long _touches; // events folded into the cache: each agency remembers when it was last touched
    private long _generation;
    // Part of the cache (trusted with it): _agencies hold every agency of the log (the fold began at 0 or re-read
    // everything), and the rows are pending (readmodel.rows_pending is set: the state tables are to be written whole).
    private bool _complete, _pending;

    public SakipStateProjection() : base(ProjectionName, null, [.. StateTables, RowsPendingTable])
    {
    }

    internal static readonly string[] StateTables = ["indicator_state", "lkjip_rows", "budget_lines", "performance_years"];

    /// <summary>The four state tables: the marker says whether they can be compared, it is not compared itself.</summary>
    internal override IReadOnlyList<string> ComparedTables => StateTables;
    internal const string RowsPendingTable = "rows_pending";

    /// <summary>
    /// Whether a catch-up from nothing writes the state rows once, at its end (default), rather than page by page (the
    /// benchmark compares both).
    /// </summary>
    public bool WriteRowsOnce { get; set; } = true;

    /// <summary>Time per phase since this instance was created (the rebuild benchmark prints it).</summary>
    public SakipStateTimings StatePhases { get; } = new();

    /// <summary>Agencies whose folded states are in memory now (read between batches; for tests and the benchmark).</summary>
    public int AgenciesInMemory => _agencies.Count;

    /// <summary>
    /// The year streams of an agency folded in memory now: null when it is held whole (or not at all: see
    /// <see cref="AgenciesInMemory"/>). Read between batches; for tests.
    /// </summary>
    internal IReadOnlyCollection<int>? YearsHeld(string agency) =>
        _agencies.TryGetValue(agency, out var m) && m.YearsLoaded is { } years ? [.. years.Order()] : null;

    /// <summary>Whether the agency's states are in memory now. Read between batches; for tests.</summary>
    internal bool Holds(string agency) => _agencies.ContainsKey(agency);

    /// <summary>The default of <see cref="AgencyCapacity"/>: no limit (every agency met stays in memory, about 0.3 MB each: docs/projections.md).</summary>
    public const int Unbounded = int.MaxValue;

    /// <summary>
    /// How many agencies' folded states the cache keeps (docs/projections.md "Memory"); <see cref="Unbounded"/> by
    /// default. Past it, once a page's rows are written, the least recently touched quarter is dropped; a dropped agency
    /// touched again is re-folded from the log, as after a restart. A catch-up from nothing stops deferring its state
    /// rows when it has met more agencies than this: that page writes every row, and the pages after it write what they
    /// touch (page by page). A limit below the agencies a page touches makes every such page re-fold them from the log:
    /// a limit is for a node that cannot hold them all, and costs CPU accordingly.
    /// </summary>
    public int AgencyCapacity
    {
        get => _capacity;
        set => _capacity = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one agency.");
    }
    private int _capacity = Unbounded;

    /// <summary>Agencies dropped from memory past <see cref="AgencyCapacity"/>; for tests and the benchmark.</summary>
    public long AgenciesDropped => Interlocked.Read(ref _dropped);
    private long _dropped;

    /// <summary>Batches whose cache was not trusted (cleared, then touched agencies re-folded from the log); for tests and the benchmark.</summary>
    public long CacheReloads => Interlocked.Read(ref _reloads);
    private long _reloads;

    /// <summary>
    /// Agencies re-folded from the log one by one (not in memory when a batch touched them: their own stream, their
    /// Renstras and the years the batch needs); for tests and the benchmark.
    /// </summary>
    public long AgenciesLoaded => Interlocked.Read(ref _loaded);
    private long _loaded;

    /// <summary>Times an agency held in part had further year streams re-folded from the log (a batch needed years it did not hold); for tests and the benchmark.</summary>
    public long AgenciesExtended => Interlocked.Read(ref _extended);
    private long _extended;

    /// <summary>
    /// Where a re-fold of a year stream may start instead of its first event (<see cref="IYearStarts"/>: the service's
    /// stream snapshots); null: always from the first event. Only the re-folds of agencies not in memory ask; a rebuild
    /// and the verifier's recompute fold every event.
    /// </summary>
    public IYearStarts? YearStarts { get; set; }

    /// <summary>Year streams re-folded from a start (<see cref="YearStarts"/>) instead of their first event; for tests and the benchmark.</summary>
    public long YearsFromStarts => Interlocked.Read(ref _fromStarts);
    private long _fromStarts;

    /// <summary>
    /// The same for the Renstra streams a re-fold of an agency reads (<see cref="IRenstraStarts"/>; twenty-fourth session);
    /// null: always from the first event.
    /// </summary>
    public IRenstraStarts? RenstraStarts { get; set; }

    /// <summary>Renstra streams re-folded from a start (<see cref="RenstraStarts"/>) instead of their first event; for tests and the benchmark.</summary>
    public long RenstrasFromStarts => Interlocked.Read(ref _renstrasFromStarts);
    private long _renstrasFromStarts;

    /// <summary>Pages whose rows were deferred (written later, whole); for tests and the benchmark.</summary>
    public long DeferredPages => Interlocked.Read(ref _deferred);
    private long _deferred;

    /// <summary>Times every state row was re-read from the log because rows were pending and the memory was lost (a crash).</summary>
    public long Repairs => Interlocked.Read(ref _repairs);
    private long _repairs;

    /// <summary>Agencies forgotten by <see cref="ReleaseMemory"/> since the start; for /health, tests and the benchmark.</summary>
    public long AgenciesReleased => Interlocked.Read(ref _released);
    private long _released;

    /// <summary>When this instance last began writing a page (Stopwatch timestamp; 0: never).</summary>
    private long _lastWrite;

    /// <summary>Time since this instance last began writing a page (<see cref="TimeSpan.MaxValue"/>: never).</summary>
    public TimeSpan SinceLastWrite => Interlocked.Read(ref _lastWrite) is var t and not 0 ? Stopwatch.GetElapsedTime(t) : TimeSpan.MaxValue;

    /// <summary>
    /// Forgets every folded agency (docs/projections.md "Memory"): for a process whose daemon no longer runs this
    /// projection (it lost the leadership), which would otherwise keep them, unused, until it leads again. Safe at any
    /// time between pages: the cache is then untrusted, exactly as after a restart — the next page this process writes
    /// re-folds from the log the agencies it touches (or, if state rows are pending, every agency), and a page whose
    /// commit is still being confirmed no longer marks the cache as trusted. Returns how many agencies were forgotten;
    /// 0 when a page is being written right now (then this process runs the projection: nothing to release).
    /// </summary>
    public int ReleaseMemory()
    {
        if (!_gate.Wait(0)) return 0;
        try
        {
            var released = _agencies.Count;
            ++_generation; // CommittedAsync of a page begun before this no longer trusts the cache
            _cachedThrough = -1;
            _agencies.Clear();
            _agencies.TrimExcess();
            _complete = _pending = false;
            Interlocked.Add(ref _released, released);
            return released;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record Written(long Generation, long Through, bool Complete, bool Pending);

    /// <summary>
    /// In the daemon's transaction, after Marten moved the shard's progression from the batch's floor F to its ceiling
    /// C (Marten queues that update first, and only by compare-and-swap): the cache is trusted if it was left at F.
    /// F is Marten's committed progression, read on another connection: this transaction holds the progression row's
    /// lock until it ends, so the committed value cannot change under us, and it is exactly the floor the update matched.
    /// (Inside the transaction the row already reads C.) A cache left below F is still trusted when the log has no
    /// event in between (a page of skipped sequence numbers moved the progression without calling the projection).
    /// <para>
    /// Rows written once (docs/projections.md): from F = 0 (a rebuild's teardown or a new shard: nothing committed, the
    /// state tables are empty or stale) every row is pending. A pending page that is full (the loader stopped at its
    /// limit) with more events in the log after C writes no state row: it commits the progression and the marker
    /// <c>readmodel.rows_pending</c>. The first pending page that is not (short, or the log's last event) deletes every
    /// state row and writes them all from the states, and deletes the marker, in its transaction. A page that finds the
    /// marker without a trusted cache that knows it (a crash, a failed commit, another node) re-folds every agency from
    /// the log up to F first: the marker says the tables are behind, not by how much.
    /// </para>
    /// </summary>
    internal override Task<object?> WriteAsync(SakipBatch batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct) =>
        WriteAsync(batch, connection, transaction, null, ct);

    /// <summary>
    /// As <see cref="WriteAsync(SakipBatch, NpgsqlConnection, NpgsqlTransaction, CancellationToken)"/>; while the page's
    /// events are folded (memory only, on a thread-pool thread), <paramref name="alongsideFold"/> runs and may use the
    /// connection (projection <c>sakip</c> writes its history part there). The fold touches no connection: the agencies
    /// it needs are loaded from the log before it starts, and the state rows are written after both have finished.
    /// </summary>
    internal async Task<object?> WriteAsync(SakipBatch batch, NpgsqlConnection connection, NpgsqlTransaction transaction,
        Func<Task>? alongsideFold, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var generation = ++_generation;
            Interlocked.Exchange(ref _lastWrite, Stopwatch.GetTimestamp());
            var cached = _cachedThrough;
            _cachedThrough = -1; // untrusted until the transaction this batch writes into has committed

            var t0 = Stopwatch.GetTimestamp();
            var shard = new NpgsqlParameter<string>("name", batch.Shard.Identity);
            var ceiling = await ScalarAsync<long?>(connection, transaction, ReadModelStatements.ShardProgression, ct, shard);
            if (ceiling is not { } through || through < batch.Last)
                throw new InvalidOperationException(
                    $"{batch.Shard.Name}: the shard's progression in this transaction is {ceiling?.ToString() ?? "missing"}, below the batch's last event {batch.Last}: not running in Marten's daemon transaction.");
            var floor = await batch.Database.ProjectionProgressFor(batch.Shard, ct);
            var trusted = cached == floor
                || cached >= 0 && cached < floor && !await ScalarAsync<bool>(connection, transaction, ReadModelStatements.AnyEventBetween, ct,
                    new NpgsqlParameter<long>("after", cached), new NpgsqlParameter<long>("through", floor));
            if (!trusted)
            {
                if (_agencies.Count > 0 || cached >= 0) Interlocked.Increment(ref _reloads);
                _agencies.Clear();
                _complete = _pending = false;
            }
            var marked = await ScalarAsync<bool>(connection, transaction, ReadModelStatements.RowsPending, ct, shard.Clone());
            bool pending;
            if (floor == 0)
            {
                _agencies.Clear(); // nothing committed: the fold starts here (every agency is met), every row pending
                _complete = true;
                pending = WriteRowsOnce;
            }
            else if (marked || _pending)
            {
                pending = true;
                if (!(_pending && _complete))
                {
                    // Rows were deferred by a run whose memory is gone: re-fold everything up to F, write everything.
                    Interlocked.Increment(ref _repairs);
                    _agencies.Clear();
                    await LoadAllAsync(connection, transaction, batch.Serializer, floor, ct);
                    _complete = true;
                }
            }
            else pending = false;
            var checkpoint = Stopwatch.GetTimestamp() - t0;

            // Pending rows are written whole: no need to track what the page touched.
            var dirty = pending ? null : new DirtySet();
            Timings.Mark("checkpoint done");
            var load = await LoadMissingAsync(connection, transaction, batch, floor, ct);
            long fold;
            if (alongsideFold is null) fold = FoldBatch(batch, dirty);
            else
            {
                var folding = Task.Run(() => FoldBatch(batch, dirty), CancellationToken.None);
                // Both finish before anything else runs; a fold failure (a poison event) is the one raised when both fail.
                await Task.WhenAll(folding, alongsideFold());
                fold = folding.Result;
            }
            Timings.Mark("folded");
            var t4 = Stopwatch.GetTimestamp();
            // Past the capacity a catch-up from nothing stops deferring: this page writes every row, so memory can be bounded.
            var defer = pending && _agencies.Count <= _capacity && batch.Events.Count >= batch.PageSize
                && await ScalarAsync<bool>(connection, transaction, ReadModelStatements.AnyEventAfter, ct, new NpgsqlParameter<long>("after", through));
            long compute = 0;
            var writer = new SakipStateWriter(_agencies, mark: Timings.Timeline ? Timings.Mark : null);
            if (defer)
            {
                Interlocked.Increment(ref _deferred);
                if (!marked) await Copy.ExecAsync(connection, transaction, ReadModelStatements.MarkRowsPending, ct, shard.Clone(), new NpgsqlParameter<long>("since", floor));
            }
            else
            {
                if (pending)
                {
                    // Every row, from the states: what a page-by-page run would have left, written once.
                    await Copy.ExecAsync(connection, transaction, ReadModelStatements.DeleteAllState, ct);
                    if (marked) await Copy.ExecAsync(connection, transaction, ReadModelStatements.ClearRowsPending, ct, shard.Clone());
                    dirty = new DirtySet();
                    foreach (var m in _agencies.Values)
                    {
                        dirty.Agencies.Add(m.Code);
                        foreach (var (y, ym) in m.Years) if (ym.Version > 0) dirty.BudgetYears.Add((m.Code, y));
                    }
                }
                compute = await writer.WriteAsync(connection, transaction, dirty!, deletes: !pending, ct);
                // Every agency's rows up to this page are in this transaction or committed before it: any may be dropped.
                Trim();
            }
            var t5 = Stopwatch.GetTimestamp();
            StatePhases.Add(batch.Events.Count, checkpoint + load, fold, compute, t5 - t4 - compute, writer.DeleteTicks, writer.Rows);
            return new Written(generation, through, _complete, defer);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Past <see cref="AgencyCapacity"/>, drops the least recently touched agencies (by their last folded event) down to
    /// three quarters of it; the cache then no longer holds every agency of the log, so one that is touched
    /// again is re-folded from it (<see cref="LoadMissingAsync"/>).
    /// </summary>
    private void Trim()
    {
        if (_agencies.Count <= _capacity) return;
        var keep = Math.Max(1, _capacity * 3 / 4);
        var drop = _agencies.Values.OrderBy(m => m.Touched).Take(_agencies.Count - keep).Select(m => m.Code).ToList();
        foreach (var code in drop) _agencies.Remove(code);
        Interlocked.Add(ref _dropped, drop.Count);
        _complete = false;
    }

    /// <summary>The batch's transaction committed: the cache is the fold of the log up to its ceiling, unless a later batch began meanwhile.</summary>
    internal override async Task CommittedAsync(object? written, CancellationToken ct)
    {
        if (written is not Written w) return;
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (w.Generation != _generation) return;
            _cachedThrough = w.Through;
            _complete = w.Complete;
            _pending = w.Pending;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Default of <see cref="RecomputeAgencies"/>: about 160 MB of folded states at a time.</summary>
    public const int DefaultRecomputeAgencies = 500;

    /// <summary>
    /// How many agencies the verifier's recompute folds at a time (<see cref="RecomputeAsync"/>): its memory, which
    /// otherwise grew with the country (about 0.32 MB per agency).
    /// </summary>
    public int RecomputeAgencies
    {
        get => _recomputeAgencies;
        set => _recomputeAgencies = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one agency.");
    }
    private int _recomputeAgencies = DefaultRecomputeAgencies;

    /// <summary>
    /// The verifier's recompute: what the four tables hold once the log up to <paramref name="upTo"/> is committed, as a
    /// rebuild would write them — every event (read on <paramref name="log"/>, in the verifier's snapshot) folded with the
    /// same <see cref="Fold"/> into fresh states (not this instance's cache), then a <see cref="SakipStateWriter"/> pass
    /// over everything the fold touched, into <paramref name="schema"/> on <paramref name="target"/>, each statement (one
    /// COPY per table) committing on its own. A group of <see cref="RecomputeAgencies"/> agencies at a time, so memory
    /// does not grow with the log: an event counts only for the agency its stream key names (<see cref="StreamKey.Of"/>),
    /// and an agency's rows depend only on its own states, so groups are independent. Within a group each stream is
    /// folded in version order, stream after stream: every state (agency, each Renstra, each year) is a fold of its own
    /// stream alone, so the states and what they touched are those of the log's order.
    /// </summary>
    internal override async Task RecomputeAsync(NpgsqlConnection log, NpgsqlTransaction logTransaction, NpgsqlConnection target,
        Marten.Storage.IMartenDatabase database, ISerializer serializer, long upTo, string schema, CancellationToken ct)
    {
        var streams = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(ReadModelStatements.AgencyStreamIds, log, logTransaction))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var id = r.GetString(0);
                if (StreamKey.AgencyOf(id) is not { } a) continue;
                if (!streams.TryGetValue(a, out var own)) streams[a] = own = [];
                own.Add(id);
            }
        }
        await using (var noJit = new NpgsqlCommand(ReadModelStatements.NoJit, log, logTransaction)) await noJit.ExecuteNonQueryAsync(ct);
        foreach (var group in streams.Chunk(_recomputeAgencies))
        {
            var agencies = new Dictionary<string, AgencyModel>(StringComparer.Ordinal);
            var dirty = new DirtySet();
            await using (var cmd = new NpgsqlCommand(ReadModelStatements.StreamEventsInVersionOrder, log, logTransaction))
            {
                var ids = group.SelectMany(g => g.Value).ToArray();
                cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", ids));
                cmd.Parameters.Add(new NpgsqlParameter<long[]>("after", new long[ids.Length])); // every event: never from a start
                cmd.Parameters.Add(new NpgsqlParameter<long>("upto", upTo));
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) FoldRow(r, serializer, agencies, only: null, dirty);
            }
            await new SakipStateWriter(agencies, schema).WriteAsync(target, null, dirty, deletes: false, ct);
        }
    }

    /// <summary>
    /// Before a batch is folded (<see cref="FoldBatch"/>): what it needs of the agencies it names and the cache does not
    /// hold is re-folded from the log up to <paramref name="loadUpTo"/> (whose rows are written), on the batch's
    /// connection, in one read. An agency not in memory gets its own stream, its Renstras and the year streams its events
    /// need (<see cref="NeededYears"/>), not its whole history: a first touch after a start that corrects one year folds
    /// that year and its neighbours (issue 13, docs/projections.md "The state part's cache check"). An agency held in
    /// part gets the further years its events need. Returns its ticks.
    /// </summary>
    private async Task<long> LoadMissingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SakipBatch batch, long loadUpTo,
        CancellationToken ct)
    {
        var t2 = Stopwatch.GetTimestamp();
        // Agency → the year streams still to fold (null: every one it has).
        var wanted = new Dictionary<string, HashSet<int>?>(StringComparer.Ordinal);
        foreach (var e in batch.Events)
        {
            if (e.Key.Kind == StreamKind.Other || e.Event is null) continue;
            var a = e.Key.Agency;
            var held = _agencies.GetValueOrDefault(a);
            if (held is { YearsLoaded: null }) continue; // whole
            if (held is null && (loadUpTo <= 0 || _complete))
            {
                // The cache holds every agency with an event up to loadUpTo: this one has none before this batch.
                _agencies[a] = new AgencyModel(a);
                continue;
            }
            var known = wanted.TryGetValue(a, out var years);
            if (known && years is null) continue;
            if (NeededYears(e.Key) is not { } need)
            {
                wanted[a] = null;
                continue;
            }
            if (!known) wanted[a] = years = [];
            foreach (var y in need)
                if (held is null || !held.YearsLoaded!.Contains(y)) years!.Add(y);
        }

        var streams = new List<string>();
        var first = 0;
        var further = 0;
        foreach (var (a, years) in wanted)
        {
            var held = _agencies.TryGetValue(a, out var model);
            if (!held)
            {
                _agencies[a] = model = new AgencyModel(a) { YearsLoaded = [] };
                first++;
            }
            else if (years is not { Count: 0 }) further++;
            var loaded = model!.YearsLoaded!;
            streams.AddRange(AgencyStreams(a, own: !held, years ?? AllYears.Where(y => !loaded.Contains(y))));
            if (years is null) model.YearsLoaded = null;
            else loaded.UnionWith(years);
        }
        Interlocked.Add(ref _loaded, first);
        Interlocked.Add(ref _extended, further);
        if (streams.Count > 0)
            await LoadStreamsAsync(connection, transaction, batch.Serializer, streams, wanted.Keys.ToHashSet(StringComparer.Ordinal), loadUpTo, ct);
        return Stopwatch.GetTimestamp() - t2;
    }

    /// <summary>Every year a stream may have (<see cref="StreamYears"/>).</summary>
    private static readonly int[] AllYears = [.. Enumerable.Range(StreamYears.First, StreamYears.Last - StreamYears.First + 1)];

    /// <summary>
    /// The year streams whose states the rows touched by an event of <paramref name="key"/> are computed from
    /// (<see cref="SakipStateWriter"/>, <see cref="DirtySet"/>): for a year event of year n, n itself, n − 1 (the "previous"
    /// columns of n's LKjIP rows) and n + 1 (whose LKjIP rows show n as their previous year). Null for an event of the
    /// agency's own stream or of a Renstra: a rating scale or which plan covers a year may touch every year the agency
    /// has, so every stream is needed.
    /// </summary>
    internal static int[]? NeededYears(StreamKey key) => key.Kind == StreamKind.Year ? [key.Number - 1, key.Number, key.Number + 1] : null;

    /// <summary>
    /// Folds the batch's events into the cached states, marking what they touched (every agency it names is in memory:
    /// <see cref="LoadMissingAsync"/>); memory only, no connection. An event that cannot be folded fails the batch naming
    /// that event (a poison event). Returns its ticks.
    /// </summary>
    private long FoldBatch(SakipBatch batch, DirtySet? dirty)
    {
        var t3 = Stopwatch.GetTimestamp();
        foreach (var e in batch.Events)
        {
            if (e.Key.Kind == StreamKind.Other || e.Event is not { } ev) continue;
            try
            {
                var model = _agencies[e.Key.Agency];
                model.Touched = ++_touches;
                Fold(model, e.Key, e.Version, ev, dirty);
            }
            catch (Exception ex) when (Poison(e, ex) is { } poison)
            {
                throw poison;
            }
        }
        return Stopwatch.GetTimestamp() - t3;
    }

    /// <summary>
    /// Re-folds every agency of the log from it up to the committed progression (rows pending and the memory lost).
    /// </summary>
    private async Task LoadAllAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ISerializer serializer, long upTo, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ReadModelStatements.AllAgencyEvents, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<long>("upto", upTo));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) FoldRow(r, serializer, _agencies, null, null);
    }

    /// <summary>
    /// Folds the named streams of <paramref name="agencies"/> (in memory already) from the log up to the committed
    /// progression (their rows are written); streams that do not exist are skipped.
    /// </summary>
    private async Task LoadStreamsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ISerializer serializer, List<string> names,
        HashSet<string> agencies, long upTo, CancellationToken ct)
    {
        // The streams that exist first: given every possible name, the planner expects hundreds of times the rows
        // and compiles (JIT) and parallelizes a query that reads a few thousand (0.4–1.4 s at 1 M events).
        var streams = new List<string>();
        await using (var find = new NpgsqlCommand(ReadModelStatements.ExistingStreams, conn, tx))
        {
            find.Parameters.Add(new NpgsqlParameter<string[]>("streams", [.. names]));
            await using var found = await find.ExecuteReaderAsync(ct);
            while (await found.ReadAsync(ct)) streams.Add(found.GetString(0));
        }
        if (streams.Count == 0) return;
        // A year stream with a usable start (a snapshot at or below upTo) is folded from it: its state set here, and only
        // its events after the start's version read below.
        var after = new long[streams.Count];
        if (YearStarts is { } starts)
        {
            var years = new List<(string Stream, string Agency, int Year)>();
            var index = new List<int>(); // each year's place in streams
            for (var i = 0; i < streams.Count; i++)
                if (StreamKey.Of(streams[i], StreamKey.AgencyOf(streams[i])) is { Kind: StreamKind.Year } key && agencies.Contains(key.Agency))
                {
                    years.Add((streams[i], key.Agency, key.Number));
                    index.Add(i);
                }
            var found = years.Count == 0 ? new Dictionary<string, YearStart>() : await starts.FindAsync(years, upTo, ct);
            for (var j = 0; j < years.Count; j++)
            {
                if (!found.TryGetValue(years[j].Stream, out var start)) continue;
                var year = _agencies[years[j].Agency].Year(years[j].Year);
                year.State = start.State;
                year.Version = start.Version;
                after[index[j]] = start.Version;
                Interlocked.Increment(ref _fromStarts);
            }
        }
        // So does a Renstra stream (the plan's state set, its events after the start read below).
        if (RenstraStarts is { } plans)
        {
            var renstras = new List<string>();
            var index = new List<int>();
            for (var i = 0; i < streams.Count; i++)
                if (StreamKey.Of(streams[i], StreamKey.AgencyOf(streams[i])) is { Kind: StreamKind.Renstra } key && agencies.Contains(key.Agency))
                {
                    renstras.Add(streams[i]);
                    index.Add(i);
                }
            var found = renstras.Count == 0 ? new Dictionary<string, RenstraStart>() : await plans.FindAsync(renstras, upTo, ct);
            for (var j = 0; j < renstras.Count; j++)
            {
                if (!found.TryGetValue(renstras[j], out var start)) continue;
                var key = StreamKey.Of(renstras[j], StreamKey.AgencyOf(renstras[j]));
                _agencies[key.Agency].Renstras[key.Number] = start.State;
                after[index[j]] = start.Version;
                Interlocked.Increment(ref _renstrasFromStarts);
            }
        }
        await using (var noJit = new NpgsqlCommand(ReadModelStatements.NoJit, conn, tx)) await noJit.ExecuteNonQueryAsync(ct);
        await using var cmd = new NpgsqlCommand(ReadModelStatements.StreamEventsInVersionOrder, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", [.. streams]));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("after", after));
        cmd.Parameters.Add(new NpgsqlParameter<long>("upto", upTo));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) FoldRow(r, serializer, _agencies, agencies, null);
    }

    /// <summary>
    /// Folds one row of <see cref="ReadModelStatements.StreamEventsInVersionOrder"/> or
    /// <see cref="ReadModelStatements.AllAgencyEvents"/> (seq_id, stream_id, version, type, data, agency header) into
    /// its agency's states in <paramref name="into"/> (added when missing, unless <paramref name="only"/> names the
    /// agencies to fold); rows of another kind of stream, of an agency the header contradicts, or of a type the
    /// domain does not know are skipped, as in a batch.
    /// </summary>
    private static void FoldRow(NpgsqlDataReader r, ISerializer serializer, Dictionary<string, AgencyModel> into, HashSet<string>? only, DirtySet? dirty)
    {
        var stream = r.GetString(1);
        var key = StreamKey.Of(stream, r.IsDBNull(5) ? StreamKey.AgencyOf(stream) : r.GetString(5));
        if (key.Kind == StreamKind.Other || DomainEventTypes.TypeOf(r.GetString(3)) is not { } type) return;
        if (only is not null && !only.Contains(key.Agency)) return;
        if (!into.TryGetValue(key.Agency, out var model)) into[key.Agency] = model = new AgencyModel(key.Agency);
        if (serializer.FromJson(type, r, 4) is IDomainEvent ev) Fold(model, key, r.GetInt64(2), ev, dirty);
    }

    /// <summary>
    /// The stream keys of an agency's events to read: with <paramref name="own"/>, <c>agency-{a}</c> and <c>renstra-{a}-{y}</c>
    /// for each year of <see cref="StreamYears"/> (the API refuses others); then <c>year-{a}-{y}</c> for each of
    /// <paramref name="years"/> within them; named through the domain's own stream names.
    /// </summary>
    public static IEnumerable<string> AgencyStreams(string agency, bool own, IEnumerable<int> years)
    {
        if (own)
        {
            yield return Domain.Agencies.Agency.StreamName(agency);
            for (var y = StreamYears.First; y <= StreamYears.Last; y++) yield return Domain.Renstras.Renstra.StreamName(agency, y);
        }
        foreach (var y in years)
            if (y is >= StreamYears.First and <= StreamYears.Last) yield return Domain.PerformanceYears.PerformanceYear.StreamName(agency, y);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params NpgsqlParameter[] ps)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddRange(ps);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)value;
    }

    /// <summary>Folds one event into its agency's states; marks what it touched in <paramref name="dirty"/> unless null.</summary>
    private static void Fold(AgencyModel m, StreamKey key, long version, IDomainEvent ev, DirtySet? dirty)
    {
        var a = m.Code;
        switch (key.Kind)
        {
            case StreamKind.Agency:
                m.Agency = m.Agency.Evolve(ev);
                if (ev is RatingScaleSet) dirty?.Agencies.Add(a);
                break;

            case StreamKind.Renstra:
                var renstra = (m.Renstras.TryGetValue(key.Number, out var r) ? r : Domain.Renstras.RenstraState.Initial).Evolve(ev);
                m.Renstras[key.Number] = renstra;
                if (!renstra.Exists || dirty is null) break;
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
                if (dirty is null) break;
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
