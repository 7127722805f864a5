using JasperFx.Events;
using Ledger.Api.Features.Snapshots;
using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.Storage;
using Npgsql;

namespace Ledger.Api.Features.Reads;

/// <summary>A replayed state and the version of the stream it came from (0 when the stream did not exist).</summary>
public sealed record Loaded<TState>(TState State, long Version);

/// <summary>
/// The current versions of the streams one read asked for in one query (<see cref="ReadLoader.HeadsAsync"/>); for an
/// as-of read, instead, its streams' events read ahead (<see cref="Ahead"/>).
/// </summary>
public sealed record StreamHeads(IReadOnlySet<string> Asked, IReadOnlyDictionary<string, long> Versions)
{
    /// <summary>The stream's current version (0: it does not exist), or null when it was not asked for.</summary>
    public long? Of(string stream) => Asked.Contains(stream) ? Versions.GetValueOrDefault(stream) : null;

    /// <summary>An as-of read's events, read ahead in one query; null for a read at the head.</summary>
    public ReadAhead? Ahead { get; init; }
}

/// <summary>
/// What an as-of read's loads will ask the log for, asked ahead in one query (<see cref="ReadLoader.HeadsAsync"/>): for
/// each stream, the events within the very bound its load reads (from a cached state or a year's snapshot, up to the
/// instant), and for each year and Renstra stream the snapshot it starts from (already checked: authentic, this stream's
/// state, its event hash the chain's). A load whose bound differs (the cache moved in between) reads for itself; the events of
/// a bound are exactly what its own read would have given, so an answer never depends on whether they were read ahead.
/// </summary>
public sealed class ReadAhead(
    IReadOnlySet<string> streams,
    IReadOnlyDictionary<string, (StreamBound Bound, IReadOnlyList<IEvent> Events)> read,
    IReadOnlyDictionary<string, object?> starts)
{
    /// <summary>The streams read ahead (a stream with no events within its bound is among them).</summary>
    public IReadOnlySet<string> Streams => streams;

    /// <summary>The events of <paramref name="stream"/> within <paramref name="bound"/>, when exactly that was read ahead.</summary>
    public IReadOnlyList<IEvent>? Events(string stream, StreamBound bound) =>
        read.TryGetValue(stream, out var r) && r.Bound == bound ? r.Events : null;

    /// <summary>Whether the stream's snapshot was looked up ahead; <paramref name="start"/> is the usable one or null.</summary>
    public bool Start<TState>(string stream, out FoldedState<TState>? start) where TState : class
    {
        start = null;
        if (!starts.TryGetValue(stream, out var found)) return false;
        start = found as FoldedState<TState>;
        return true;
    }
}

/// <summary>How the loader uses stream snapshots (issue 4). Null snapshots or <c>SnapshotEvery</c> = 0: always a full replay.</summary>
public sealed record ReadLoaderOptions
{
    /// <summary>
    /// A year stream's state is snapshotted at every multiple of this version: by the command whose append crosses it
    /// (written ahead), and lazily by a read that replayed more events than this. A first fold then reads at most this
    /// many events of the stream, half of it on average. 50 since the twenty-fourth session (100 from the twenty-second,
    /// 250 before; docs/performance.md "The close's inputs as commands load them, and a snapshot every 100 versions" and
    /// "A year snapshot every 50 versions").
    /// </summary>
    public int SnapshotEvery { get; init; } = DefaultSnapshotEvery;

    /// <summary>The service's interval (<see cref="SnapshotEvery"/>).</summary>
    public const int DefaultSnapshotEvery = 50;

    /// <summary>
    /// A Renstra stream's state is snapshotted at every multiple of this version, the same two ways (twenty-third session):
    /// a plan is written once, indicator by indicator (the benchmark's: 61 events), and every year's reads, commands and
    /// close need it, so a first touch read it whole. 0: never.
    /// </summary>
    public int RenstraSnapshotEvery { get; init; } = DefaultRenstraSnapshotEvery;

    /// <summary>The service's interval (<see cref="RenstraSnapshotEvery"/>).</summary>
    public const int DefaultRenstraSnapshotEvery = 20;

    /// <summary>Whether reads and commands leave snapshots (false: only use existing ones).</summary>
    public bool SaveSnapshots { get; init; } = true;

    /// <summary>How many streams' folded states the service keeps in memory (<see cref="StreamStateCache"/>).</summary>
    public const int CachedStreams = 5_000;
}

/// <summary>
/// Replays the aggregates a read needs straight from the log (through the one <see cref="StreamLoader"/>). Every read
/// passes <c>AsOf</c>, so the answer is the record as it stood at that recorded instant (null = now): a read is a pure
/// function of the events recorded up to the instant. Year streams (the long ones: every realization and correction)
/// start from the newest stream snapshot at or before the instant and replay only the events after it; a snapshot is
/// derived data, used only when it is authentic (its MAC under this service's key), its state type matches this code
/// and its event hash is still the chain hash of the stream's event at its version (docs/snapshots.md).
/// With a <see cref="StreamStateCache"/> (the service has one), a read of the head asks only for the stream's current
/// version and folds just the events the cached state lacks; an as-of read at or after the cached state's last recorded
/// time folds the events after it up to the instant; earlier instants take the path above.
/// </summary>
public sealed class ReadLoader(
    StreamLoader store, StreamSnapshots? snapshots = null, ReadLoaderOptions? options = null, ILogger<ReadLoader>? logger = null,
    StreamStateCache? cache = null)
{
    /// <summary>The year state's snapshot form; bump the version when PerformanceYearState.Evolve changes meaning.</summary>
    public static StateCodec<PerformanceYearState> YearCodec { get; } = new("performance-year", evolveVersion: 1);

    /// <summary>The Renstra state's snapshot form; bump the version when Renstra.Evolve changes meaning.</summary>
    public static StateCodec<RenstraState> RenstraCodec { get; } = new("renstra", evolveVersion: 1);

    private readonly int _every = options?.SnapshotEvery ?? new ReadLoaderOptions().SnapshotEvery;
    private readonly int _renstraEvery = options?.RenstraSnapshotEvery ?? new ReadLoaderOptions().RenstraSnapshotEvery;

    /// <summary>The one stream loader underneath, for callers that need the events themselves.</summary>
    public StreamLoader Streams => store;

    /// <summary>
    /// Where this request's loads read: the standby snapshot of a standby read (<see cref="StandbyReads.Current"/>), else
    /// the primary. A standby read uses no stream snapshots (their reads and lazy writes go to the primary) and uses a
    /// cached state only when it is not newer than the standby's version of its stream (<see cref="LoadAsync{TState}"/>).
    /// </summary>
    private StreamLoader Store => StandbyReads.Current ?? store;

    private StreamSnapshots? Snapshots => StandbyReads.Current is null ? snapshots : null;


    /// <summary>
    /// The current versions of the streams a read of <paramref name="agency"/>'s <paramref name="years"/> needs (the
    /// agency, each year, the Renstra plans that could cover each year), asked in one query, so that the loads below
    /// (given these heads) need no query of their own when the cache holds their streams. Null without a cache: the
    /// loads then ask for themselves. For an as-of read on the primary, the events those loads will read, read ahead
    /// (<see cref="ReadAhead"/>): the year streams' snapshot lookup, then one query for every stream.
    /// </summary>
    public async Task<StreamHeads?> HeadsAsync(string agency, IReadOnlyCollection<int> years, DateTimeOffset? asOf, CancellationToken ct)
    {
        if (asOf is { } instant)
            return StandbyReads.Current is null && await ReadAheadAsync(agency, years, instant, ct) is { } ahead
                ? new StreamHeads(new HashSet<string>(), new Dictionary<string, long>()) { Ahead = ahead }
                : null;
        if (HeadStreams(agency, years) is not { } streams) return null;
        // Asked already, in the query that authenticated this request (UseBearerTokens, HeadsPrefetch): a read of the
        // primary takes them; a standby read asks its own snapshot.
        if (StandbyReads.Current is null && PrefetchedHeads.Value is { } prefetched && streams.IsSubsetOf(prefetched.Asked)) return prefetched;
        return new StreamHeads(streams, await Store.VersionsAsync(streams, ct));
    }

    /// <summary>The current versions of <paramref name="streams"/> on the primary, in one query (a command's heads).</summary>
    public async Task<StreamHeads> CurrentHeadsAsync(IReadOnlySet<string> streams, CancellationToken ct) =>
        new(streams, await store.VersionsAsync(streams, ct));

    /// <summary>
    /// The streams whose current versions <see cref="HeadsAsync"/> asks for a read of <paramref name="agency"/>'s
    /// <paramref name="years"/> at the head of the log; null when it asks for none (no cache, or a code no agency can have).
    /// </summary>
    public HashSet<string>? HeadStreams(string agency, IReadOnlyCollection<int> years) =>
        cache is not { Enabled: true } || !Agencies.AgencyRecord.IsPossibleCode(agency) ? null : StreamsOf(agency, years);

    /// <summary>
    /// Every stream the state of <paramref name="agency"/>'s <paramref name="years"/> depends on: the agency, each year,
    /// and every Renstra stream that could cover each year (<see cref="Renstra.CandidatePeriodStarts"/>).
    /// </summary>
    public static HashSet<string> StreamsOf(string agency, IEnumerable<int> years)
    {
        var streams = new HashSet<string>(StringComparer.Ordinal) { Agency.StreamName(agency) };
        foreach (var year in years)
        {
            streams.Add(PerformanceYear.StreamName(agency, year));
            foreach (var start in Renstra.CandidatePeriodStarts(year)) streams.Add(Renstra.StreamName(agency, start));
        }
        return streams;
    }

    /// <summary>
    /// The as-of read ahead (<see cref="HeadsAsync"/>): for each stream the bound its load (<see cref="LoadAsync{TState}"/>)
    /// will read, decided as the load decides it (a cached state recorded by the instant: the events after it; a year or
    /// Renstra stream: after its usable snapshot, every stream's looked up in one query; otherwise from the start), all
    /// read in one query.
    /// </summary>
    private async Task<ReadAhead?> ReadAheadAsync(string agency, IReadOnlyCollection<int> years, DateTimeOffset asOf, CancellationToken ct)
    {
        if (!Agencies.AgencyRecord.IsPossibleCode(agency)) return null;
        var reads = new List<(string Stream, StreamBound Bound)>();
        var starts = new Dictionary<string, object?>(StringComparer.Ordinal);
        var streams = new HashSet<string>(StringComparer.Ordinal);
        var agencyStream = Agency.StreamName(agency);
        streams.Add(agencyStream);
        reads.Add((agencyStream, CachedBound<AgencyState>(agencyStream, asOf) ?? StreamBound.At(asOf)));
        // Every candidate Renstra stream and year stream: a cached state's suffix, else (with snapshots) the events after
        // the stream's usable snapshot, all looked up in one query, else every event up to the instant.
        var plans = new List<string>();
        var yearStreams = new List<(string Stream, int Year)>();
        foreach (var year in years)
            foreach (var start in Renstra.CandidatePeriodStarts(year))
            {
                var stream = Renstra.StreamName(agency, start);
                if (!streams.Add(stream)) continue;
                if (CachedBound<RenstraState>(stream, asOf) is { } cached) reads.Add((stream, cached));
                else plans.Add(stream);
            }
        foreach (var year in years)
        {
            var stream = PerformanceYear.StreamName(agency, year);
            if (!streams.Add(stream)) continue;
            if (CachedBound<PerformanceYearState>(stream, asOf) is { } cached) reads.Add((stream, cached));
            else yearStreams.Add((stream, year));
        }
        var kept = Snapshots;
        var plansFromSnapshots = kept is not null && _renstraEvery > 0;
        var yearsFromSnapshots = kept is not null && _every > 0;
        var lookups = new List<(string Stream, string StateType)>();
        if (plansFromSnapshots) lookups.AddRange(plans.Select(p => (p, RenstraCodec.StateType)));
        if (yearsFromSnapshots) lookups.AddRange(yearStreams.Select(y => (y.Stream, YearCodec.StateType)));
        var latest = lookups.Count > 0 ? await kept!.LatestManyWithChainHashAsync(lookups, asOf, ct) : new Dictionary<string, LatestSnapshot>();
        foreach (var stream in plans)
        {
            var start = plansFromSnapshots ? UsableRenstraStart(latest.GetValueOrDefault(stream), stream, logger) : null;
            if (plansFromSnapshots) starts[stream] = start;
            reads.Add((stream, plansFromSnapshots ? SuffixBound((start?.Version ?? 0) + 1, asOf, _renstraEvery) : StreamBound.At(asOf)));
        }
        foreach (var (stream, year) in yearStreams)
        {
            var start = yearsFromSnapshots ? SnapshotStart(latest.GetValueOrDefault(stream), stream, agency, year) : null;
            if (yearsFromSnapshots) starts[stream] = start;
            reads.Add((stream, yearsFromSnapshots ? SuffixBound((start?.Version ?? 0) + 1, asOf, _every) : StreamBound.At(asOf)));
        }
        var events = await Store.ReadManyAsync(reads, ct);
        var read = new Dictionary<string, (StreamBound, IReadOnlyList<IEvent>)>(StringComparer.Ordinal);
        for (var i = 0; i < reads.Count; i++) read[reads[i].Stream] = (reads[i].Bound, events[i]);
        return new ReadAhead(streams, read, starts);
    }

    /// <summary>The bound <see cref="LoadAsync{TState}"/> reads after a cached state recorded by the instant, or null.</summary>
    private StreamBound? CachedBound<TState>(string stream, DateTimeOffset asOf) where TState : class =>
        cache is { Enabled: true } && cache.Get<TState>(stream) is { } known && known.LastRecorded <= asOf
            ? new StreamBound { FromVersion = known.Version + 1, AsOf = asOf }
            : null;

    private static readonly AsyncLocal<StreamHeads?> PrefetchedHeads = new();

    /// <summary>
    /// Hands this request's reads the heads asked together with the caller's authentication (one query instead of two):
    /// until the scope is disposed, <see cref="HeadsAsync"/> of a read on the primary answers them when they cover the
    /// streams it needs. They are the current versions at one instant before the read, as the read's own query would be.
    /// </summary>
    public static IDisposable UsePrefetchedHeads(StreamHeads heads)
    {
        PrefetchedHeads.Value = heads;
        return new PrefetchScope();
    }

    private sealed class PrefetchScope : IDisposable
    {
        public void Dispose() => PrefetchedHeads.Value = null;
    }

    /// <summary>
    /// The agency as of the instant (<see cref="Agencies.AgencyRecord"/>: a code no agency can have is an unknown agency).
    /// Every read checks the agency first, so the other loads only ever see a registered agency's code.
    /// </summary>
    public Task<Loaded<AgencyState>> AgencyAsync(string agency, DateTimeOffset? asOf, CancellationToken ct) => AgencyAsync(agency, asOf, null, ct);

    public Task<Loaded<AgencyState>> AgencyAsync(string agency, DateTimeOffset? asOf, StreamHeads? heads, CancellationToken ct)
    {
        if (!Agencies.AgencyRecord.IsPossibleCode(agency)) return Task.FromResult(new Loaded<AgencyState>(AgencyState.Initial, 0));
        var stream = Agency.StreamName(agency);
        return LoadAsync(stream, heads?.Of(stream), asOf, AgencyState.Initial, Agency.Evolve, null, ct, heads?.Ahead);
    }

    /// <summary>The Renstra in force for <paramref name="year"/> as of the instant (<see cref="Renstra.InForceAsync{TPlan}"/>), with its version.</summary>
    public Task<Loaded<RenstraState>?> RenstraCoveringAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        RenstraCoveringAsync(agency, year, asOf, null, ct);

    public async Task<Loaded<RenstraState>?> RenstraCoveringAsync(string agency, int year, DateTimeOffset? asOf, StreamHeads? heads, CancellationToken ct)
    {
        var candidates = Renstra.CandidatePeriodStarts(year).Select(s => Renstra.StreamName(agency, s)).ToList();
        // Read ahead as of the instant: every candidate's events are in hand, so no query asks which exist now (one that
        // does not exist now had no events then either; its load gives version 0).
        var ahead = heads?.Ahead is { } a && candidates.All(a.Streams.Contains) ? a : null;
        var existing = ahead is not null ? candidates.ToDictionary(c => c, _ => 0L, StringComparer.Ordinal)
            : heads is not null && candidates.All(heads.Asked.Contains) ? heads.Versions
            : await Store.VersionsAsync(candidates, ct);
        return await Renstras.RenstraInForce.FindAsync(existing, agency, year, async (stream, head) =>
        {
            var loaded = await LoadAsync(stream, ahead is null ? head : null, asOf, RenstraState.Initial, Renstra.Evolve,
                RenstraReplay(stream, asOf, ahead, ahead is null ? head : null, ct), ct, ahead);
            return loaded.Version == 0 ? null : loaded;
        }, l => l.State);
    }

    /// <summary>One Renstra stream by its period start (proposal reads).</summary>
    public Task<Loaded<RenstraState>> RenstraAsync(string agency, int periodStart, DateTimeOffset? asOf, CancellationToken ct)
    {
        var stream = Renstra.StreamName(agency, periodStart);
        return LoadAsync(stream, null, asOf, RenstraState.Initial, Renstra.Evolve, RenstraReplay(stream, asOf, null, null, ct), ct);
    }

    /// <summary>
    /// A Renstra stream's fold without the cache: from its newest usable snapshot (when snapshots are kept), else null
    /// (from the start). A stream whose current version (<paramref name="head"/>, when known) is below the interval can
    /// have no row written by this code, so it is folded from the start without asking.
    /// </summary>
    private Func<Task<FoldedState<RenstraState>>>? RenstraReplay(string stream, DateTimeOffset? asOf, ReadAhead? ahead, long? head, CancellationToken ct) =>
        Snapshots is not { } kept || _renstraEvery <= 0 || head < _renstraEvery ? null
            : () => FromSnapshotAsync(stream, RenstraKind(stream), asOf, kept, ahead, ct);

    private Snapshotted<RenstraState> RenstraKind(string stream) =>
        new(RenstraCodec, _renstraEvery, RenstraState.Initial, Renstra.Evolve, latest => UsableRenstraStart(latest, stream, logger));

    private Snapshotted<PerformanceYearState> YearKind(string stream, string agency, int year) =>
        new(YearCodec, _every, PerformanceYearState.Initial(agency, year), PerformanceYear.Evolve, latest => SnapshotStart(latest, stream, agency, year));

    /// <summary>How one kind of stream is snapshotted: its codec and interval, its first state and fold, and which row may start it.</summary>
    private sealed record Snapshotted<TState>(StateCodec<TState> Codec, int Every, TState Initial, Func<TState, IDomainEvent, TState> Evolve,
        Func<LatestSnapshot?, FoldedState<TState>?> Usable) where TState : class;

    public Task<Loaded<Ledger.Domain.Evaluations.EvaluationState>> EvaluationAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        LoadAsync(Ledger.Domain.Evaluations.Evaluation.StreamName(agency, year), null, asOf,
            Ledger.Domain.Evaluations.EvaluationState.Initial, Ledger.Domain.Evaluations.Evaluation.Evolve, null, ct);

    public Task<Loaded<PerformanceYearState>> YearAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        YearAsync(agency, year, asOf, null, ct);

    public Task<Loaded<PerformanceYearState>> YearAsync(string agency, int year, DateTimeOffset? asOf, StreamHeads? heads, CancellationToken ct)
    {
        var stream = PerformanceYear.StreamName(agency, year);
        var initial = PerformanceYearState.Initial(agency, year);
        var ahead = heads?.Ahead;
        return LoadAsync(stream, heads?.Of(stream), asOf, initial, PerformanceYear.Evolve,
            Snapshots is not { } kept || _every <= 0 ? null : () => FromSnapshotAsync(stream, YearKind(stream, agency, year), asOf, kept, ahead, ct), ct, ahead);
    }

    /// <summary>
    /// One stream's state as of the instant. <paramref name="head"/>: its current version if the caller already asked;
    /// <paramref name="replay"/>: how to load it without the cache (default: fold every event up to the instant);
    /// <paramref name="ahead"/>: an as-of read's events read ahead (<see cref="ReadAheadAsync"/>).
    /// </summary>
    private async Task<Loaded<TState>> LoadAsync<TState>(string stream, long? head, DateTimeOffset? asOf, TState initial,
        Func<TState, IDomainEvent, TState> evolve, Func<Task<FoldedState<TState>>>? replay, CancellationToken ct, ReadAhead? ahead = null)
        where TState : class
    {
        replay ??= () => FoldAsync(stream, new FoldedState<TState>(initial, 0, DateTimeOffset.MinValue), evolve, StreamBound.At(asOf), ct, ahead);
        if (cache is not { Enabled: true })
        {
            var folded = await replay();
            return new(folded.State, folded.Version);
        }

        var known = cache.Get<TState>(stream);
        if (StandbyReads.Current is not null && known is not null)
        {
            // A standby read: a state cached from the primary may be newer than this snapshot; then it is not used (the
            // answer would mix two points in time) and the stream is folded from the snapshot instead.
            head ??= await Store.VersionAsync(stream, ct);
            if (known.Version > head) known = null;
        }
        if (asOf is null)
        {
            var version = head ?? await Store.VersionAsync(stream, ct);
            if (version == 0) return new(initial, 0);
            if (known is not null && known.Version >= version) return new(known.State, known.Version);
            var folded = known is null
                ? await replay()
                : await FoldAsync(stream, known, evolve, new StreamBound { FromVersion = known.Version + 1 }, ct);
            if (folded.Version > 0) cache.Put(stream, folded);
            return new(folded.State, folded.Version);
        }
        if (known is not null && known.LastRecorded <= asOf)
        {
            // Recorded time never goes backwards within a stream: events 1..known.Version were all recorded by the
            // instant, so the state then is the cached one plus the later events recorded by the instant.
            var folded = await FoldAsync(stream, known, evolve, new StreamBound { FromVersion = known.Version + 1, AsOf = asOf }, ct, ahead);
            return new(folded.State, folded.Version);
        }
        var replayed = await replay();
        return new(replayed.State, replayed.Version);
    }

    private async Task<FoldedState<TState>> FoldAsync<TState>(string stream, FoldedState<TState> from,
        Func<TState, IDomainEvent, TState> evolve, StreamBound bound, CancellationToken ct, ReadAhead? ahead = null) where TState : class
    {
        var recorded = await ReadAsync(stream, bound, ahead, ct);
        if (recorded.Count == 0) return from;
        var state = from.State;
        foreach (var e in recorded) state = evolve(state, DomainCommands.Decode(e));
        return new(state, recorded[^1].Version, recorded[^1].Timestamp);
    }

    /// <summary>The events of one bound: read ahead when exactly that bound was, else from the log.</summary>
    private async Task<IReadOnlyList<IEvent>> ReadAsync(string stream, StreamBound bound, ReadAhead? ahead, CancellationToken ct) =>
        ahead?.Events(stream, bound) ?? await Store.ReadAsync(stream, bound, ct);

    /// <summary>
    /// Where a year stream's replay may start: the newest authentic snapshot (<paramref name="latest"/>, looked up with the
    /// chain hash of its event now), if its state reads back for this agency and year and its event hash is still the
    /// chain's; otherwise null (replay from the first event).
    /// </summary>
    private FoldedState<PerformanceYearState>? SnapshotStart(LatestSnapshot? latest, string stream, string agency, int year) =>
        UsableYearStart(latest, stream, agency, year, logger);

    /// <summary>
    /// The one rule for whether a year stream's snapshot row may start a fold (reads, commands and the read models' daemon
    /// all ask it): it is authentic (the caller found only authentic rows), its state reads back as this code's
    /// <see cref="YearCodec"/> for this agency and year, and its event hash is still the chain hash of the stream's event
    /// at its version. A row that reads back but whose event hash no longer matches is logged (a warning) and not used.
    /// </summary>
    public static FoldedState<PerformanceYearState>? UsableYearStart(LatestSnapshot? latest, string stream, string agency, int year, ILogger? logger)
    {
        if (latest?.Snapshot is not { Authentic: true } snapshot || YearCodec.TryDeserialize(snapshot.Json) is not { } restored
            || restored.AgencyCode != agency || restored.Year != year)
            return null;
        return StillChained(latest, restored, stream, logger);
    }

    /// <summary>
    /// The same rule for a Renstra stream's row: authentic, its state reads back as this code's <see cref="RenstraCodec"/>
    /// of an existing plan whose agency and period start name this very stream, and its event hash still the chain's.
    /// </summary>
    public static FoldedState<RenstraState>? UsableRenstraStart(LatestSnapshot? latest, string stream, ILogger? logger)
    {
        if (latest?.Snapshot is not { Authentic: true } snapshot || RenstraCodec.TryDeserialize(snapshot.Json) is not { Exists: true } restored
            || Renstra.StreamName(restored.AgencyCode, restored.PeriodStart) != stream)
            return null;
        return StillChained(latest, restored, stream, logger);
    }

    /// <summary>The row's state when its event is still there with the chain hash the snapshot was taken at; else null (logged).</summary>
    private static FoldedState<TState>? StillChained<TState>(LatestSnapshot latest, TState restored, string stream, ILogger? logger) where TState : class
    {
        var snapshot = latest.Snapshot;
        if (latest.ChainHash is { } hash && hash.AsSpan().SequenceEqual(snapshot.EventHash)) return new(restored, snapshot.Version, snapshot.RecordedAt);
        logger?.LogWarning("Ignoring the snapshot of {Stream} at version {Version}: its event hash does not match the stream.", stream, snapshot.Version);
        return null;
    }

    /// <summary>Every how many versions a year stream is snapshotted (0: never).</summary>
    public int SnapshotEvery => Snapshots is null ? 0 : _every;

    /// <summary>Every how many versions a Renstra stream is snapshotted (0: never).</summary>
    public int RenstraSnapshotEvery => Snapshots is null ? 0 : _renstraEvery;

    /// <summary>
    /// Where a command's first fold of a year stream may start (no fold of it in this process): the newest usable
    /// snapshot of it at the head of the log (<see cref="UsableYearStart"/>), or null (fold from the first event). On the
    /// primary only; null without snapshots.
    /// </summary>
    public async Task<FoldedState<PerformanceYearState>?> YearStartAsync(string stream, string agency, int year, CancellationToken ct) =>
        Snapshots is { } kept && _every > 0
            ? SnapshotStart(await kept.LatestWithChainHashAsync(stream, YearCodec.StateType, null, ct), stream, agency, year)
            : null;

    /// <summary>
    /// The same for a command's first fold of a Renstra stream: its newest usable snapshot at the head of the log
    /// (<see cref="UsableRenstraStart"/>), or null. On the primary only; null without snapshots.
    /// </summary>
    public async Task<FoldedState<RenstraState>?> RenstraStartAsync(string stream, CancellationToken ct) =>
        Snapshots is { } kept && _renstraEvery > 0
            ? UsableRenstraStart(await kept.LatestWithChainHashAsync(stream, RenstraCodec.StateType, null, ct), stream, logger)
            : null;

    /// <summary>
    /// Writes a snapshot of a year stream ahead of any read (issue 13: a first touch after a start then folds at most one
    /// interval of events, whatever the table's layout): called once a command's append has committed and taken the
    /// stream's version across a multiple of <see cref="SnapshotEvery"/>, with the state after it. The event at
    /// <paramref name="version"/> must be sealed (it is, once its append committed). Failing costs speed, never an answer.
    /// </summary>
    public Task SaveYearSnapshotAsync(string stream, string agency, int year, long version, PerformanceYearState state, CancellationToken ct) =>
        _every <= 0 ? Task.CompletedTask : SaveAheadAsync(stream, version, YearCodec, state with { AgencyCode = agency, Year = year }, ct);

    /// <summary>The same for a Renstra stream whose append crossed a multiple of <see cref="RenstraSnapshotEvery"/>.</summary>
    public Task SaveRenstraSnapshotAsync(string stream, long version, RenstraState state, CancellationToken ct) =>
        _renstraEvery <= 0 ? Task.CompletedTask : SaveAheadAsync(stream, version, RenstraCodec, state, ct);

    private async Task SaveAheadAsync<TState>(string stream, long version, StateCodec<TState> codec, TState state, CancellationToken ct) where TState : class
    {
        if (Snapshots is not { } kept || options?.SaveSnapshots == false) return;
        try
        {
            if (await kept.SealedEventAsync(stream, version, ct) is not { } sealedEvent) return;
            await kept.SaveAsync(stream, version, sealedEvent.RecordedAt, sealedEvent.Hash, codec.StateType, codec.Serialize(state), ct);
        }
        catch (Exception e)
        {
            // After the command's commit: whatever fails here (the database, a timeout, the request aborted) must not
            // turn a committed command into an error. The next crossing, or a long read, writes one again.
            logger?.LogWarning(e, "Could not save a stream snapshot of {Stream}.", stream);
        }
    }

    private async Task<FoldedState<TState>> FromSnapshotAsync<TState>(
        string stream, Snapshotted<TState> kind, DateTimeOffset? asOf, StreamSnapshots snapshots, ReadAhead? ahead, CancellationToken ct)
        where TState : class
    {
        // The newest authentic row and, in the same query, the chain hash of the stream's event at its version now
        // (or as the read ahead found it).
        var start = ahead is not null && ahead.Start<TState>(stream, out var found)
            ? found
            : kind.Usable(await snapshots.LatestWithChainHashAsync(stream, kind.Codec.StateType, asOf, ct));
        var state = start?.State ?? kind.Initial;
        var version = start?.Version ?? 0;
        var lastRecorded = start?.LastRecorded ?? DateTimeOffset.MinValue;
        // As of an instant, also without a row: the stream's first interval by version range, and the rest only if that was
        // all recorded by the instant (a stream with no row by the instant usually has its instant in its first interval;
        // a filter on the recorded time alone would read every event of the stream to keep a few).
        var recorded = start is not null || asOf is not null
            ? await SuffixAsync(stream, (start?.Version ?? 0) + 1, asOf, kind.Every, ahead, ct)
            : await ReadAsync(stream, StreamBound.At(asOf), ahead, ct);

        // Lazily: a read that replayed more than N events leaves a snapshot at every multiple of N it passed.
        var take = recorded.Count > kind.Every ? new List<(IEvent At, string Json)>() : null;
        foreach (var e in recorded)
        {
            state = kind.Evolve(state, DomainCommands.Decode(e));
            version = e.Version;
            lastRecorded = e.Timestamp;
            if (take is not null && e.Version % kind.Every == 0) take.Add((e, kind.Codec.Serialize(state)));
        }
        if (take is { Count: > 0 } && options?.SaveSnapshots != false) await SaveAsync(snapshots, stream, kind.Codec.StateType, take, ct);
        return new(state, version, lastRecorded);
    }

    /// <summary>
    /// The events from <paramref name="from"/> on, as of the instant: first at most one snapshot interval of them by
    /// version range, then (only if that range was all recorded by the instant) the rest. Same events as one read with
    /// <c>FromVersion</c> alone, because an as-of read of one stream is a prefix of it (the seal refuses recorded time
    /// going backwards within a stream); the explicit range keeps PostgreSQL on the (stream_id, version) index.
    /// </summary>
    private async Task<IReadOnlyList<IEvent>> SuffixAsync(string stream, long from, DateTimeOffset? asOf, int every, ReadAhead? ahead, CancellationToken ct)
    {
        var first = SuffixBound(from, asOf, every);
        var upTo = first.UpToVersion!.Value;
        var head = await ReadAsync(stream, first, ahead, ct);
        if (head.Count == 0 || head[^1].Version < upTo) return head; // cut by the instant or the stream's end: complete
        // Where this request reads (Store), as the first part was: a suffix is only read beside snapshots, which a standby
        // read does not use, so today this is the primary either way.
        var rest = await Store.ReadAsync(stream, new StreamBound { AsOf = asOf, FromVersion = upTo + 1 }, ct);
        return rest.Count == 0 ? head : [.. head, .. rest];
    }

    /// <summary>The first read of <see cref="SuffixAsync"/>: one snapshot interval from <paramref name="from"/>, as of the instant.</summary>
    private static StreamBound SuffixBound(long from, DateTimeOffset? asOf, int every) => new() { AsOf = asOf, FromVersion = from, UpToVersion = from + every - 1 };

    private async Task SaveAsync(StreamSnapshots snapshots, string stream, string stateType, List<(IEvent At, string Json)> take, CancellationToken ct)
    {
        try
        {
            foreach (var (at, json) in take)
            {
                if (await snapshots.ChainHashAsync(stream, at.Version, ct) is not { } hash) continue; // not sealed yet: no snapshot
                await snapshots.SaveAsync(stream, at.Version, at.Timestamp, hash, stateType, json, ct);
            }
        }
        catch (NpgsqlException e)
        {
            // Derived data: failing to save one costs speed on a later read, never an answer.
            logger?.LogWarning(e, "Could not save a stream snapshot of {Stream}.", stream);
        }
    }
}
