using System.Collections.Concurrent;
using JasperFx.Events;

namespace Ledger.Storage;

/// <summary>
/// A run of each recently read stream's events (consecutive versions), as <see cref="StreamLoader"/> read them from the
/// log, kept in this process's memory so that a later read of the stream asks the log only for what lies beyond the run
/// (docs/performance.md "A stream's events kept between reads"). Without it, the history of an indicator read its year
/// streams whole on every request, and a year stream grows by every realization and correction of the year.
/// <para>
/// Why a run is safe to reuse: events are never updated or deleted (PostgreSQL refuses it to the service role), a
/// stream's versions are consecutive, and a version is only ever written after the one before it committed; so once the
/// loader has seen versions a..b of a stream they stay exactly those events, and every read of a bound that includes
/// them would return them again. What the run cannot say is whether the stream has more: every read still asks the log
/// for the versions after it, except an as-of read whose instant falls inside the run (recorded time never goes backwards
/// within a stream: an event after one recorded later than the instant was recorded later still).
/// </para>
/// <para>
/// Nothing here is evidence. A superuser who alters a stored event after it was cached is caught by the verifier (which
/// reads the table), not by this cache; the service's reads then keep what the log said when they read it, as the
/// stream-state cache does. A pinned loader (a standby's snapshot) never uses it: its server may not have replayed a run
/// the primary gave. Bounded by events: past <c>capacity</c> events the least recently used streams go until a quarter
/// is free. Capacity 0 turns it off (configuration <c>Ledger:StreamEventCache</c>).
/// </para>
/// </summary>
public sealed class StreamEventCache(int capacity)
{
    /// <summary>The service's default: about 60–100 MB of decoded events.</summary>
    public const int DefaultCapacity = 100_000;

    /// <summary>Events of one stream with versions <see cref="First"/>..<see cref="Last"/>, in version order.</summary>
    private sealed class Run(IEvent[] events, long used)
    {
        public IEvent[] Events { get; } = events;
        public long First => Events[0].Version;
        public long Last => Events[^1].Version;
        public long Used = used;
    }

    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly Lock _trim = new();
    private long _clock;
    private long _count;

    public int Capacity { get; } = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public bool Enabled => Capacity > 0;

    /// <summary>How many events are kept now.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>
    /// What the cache knows of <paramref name="bound"/>'s events of <paramref name="stream"/>: <paramref name="known"/>,
    /// the bound's events within the cached run (in version order), and <paramref name="rest"/>, the bound still to
    /// read from the log (null when the known events are all of them). False (nothing known, read the bound as it is)
    /// when the stream has no run or the bound starts before it.
    /// </summary>
    public bool TrySplit(string stream, StreamBound bound, out IReadOnlyList<IEvent> known, out StreamBound? rest)
    {
        known = [];
        rest = bound;
        if (!Enabled || !_runs.TryGetValue(stream, out var run)) return false;
        var from = Math.Max(1, bound.FromVersion ?? 0);
        var upTo = bound.UpToVersion is > 0 and var u ? u : long.MaxValue;
        if (from < run.First || from > run.Last + 1) return false;
        Volatile.Write(ref run.Used, Interlocked.Increment(ref _clock));
        var list = new List<IEvent>();
        var at = bound.AsOf?.ToUniversalTime();
        for (var i = (int)(from - run.First); i < run.Events.Length; i++)
        {
            var e = run.Events[i];
            if (e.Version > upTo) break;
            // Recorded time never goes backwards within a stream: nothing after an event recorded after the instant qualifies.
            if (at is { } instant && e.Timestamp > instant)
            {
                known = list;
                rest = null;
                return true;
            }
            list.Add(e);
        }
        known = list;
        rest = run.Last >= upTo ? null : bound with { FromVersion = run.Last + 1 };
        return true;
    }

    /// <summary>
    /// Keeps <paramref name="events"/> (a bound's events as the log gave them, in version order) as the stream's run,
    /// joined to the run already kept when the two touch or overlap; a read that is not one run of consecutive versions is
    /// not kept. A run that does not touch the kept one replaces it when it ends later.
    /// </summary>
    public void Put(string stream, IReadOnlyList<IEvent> events)
    {
        if (!Enabled || events.Count == 0 || events.Count > Capacity) return;
        for (var i = 1; i < events.Count; i++)
            if (events[i].Version != events[i - 1].Version + 1) return;
        var used = Interlocked.Increment(ref _clock);
        long delta = 0;
        _runs.AddOrUpdate(stream,
            _ =>
            {
                delta = events.Count;
                return new Run([.. events], used);
            },
            (_, old) =>
            {
                var joined = Join(old, events, used);
                delta = joined.Events.Length - old.Events.Length;
                return joined;
            });
        // AddOrUpdate may run a factory more than once; the last run's delta is the one that was stored.
        if (Interlocked.Add(ref _count, delta) > Capacity) Trim();
    }

    private static Run Join(Run old, IReadOnlyList<IEvent> events, long used)
    {
        var (first, last) = (events[0].Version, events[^1].Version);
        if (first >= old.First && last <= old.Last) return old; // nothing new
        if (last + 1 < old.First || first > old.Last + 1) return last > old.Last ? new Run([.. events], used) : old;
        // Touching or overlapping: the union, the kept events first where both have them.
        var lo = Math.Min(first, old.First);
        var hi = Math.Max(last, old.Last);
        var merged = new IEvent[hi - lo + 1];
        foreach (var e in events) merged[e.Version - lo] = e;
        foreach (var e in old.Events) merged[e.Version - lo] = e;
        return new Run(merged, used);
    }

    private void Trim()
    {
        lock (_trim)
        {
            if (Count <= Capacity) return;
            var target = Capacity * 3L / 4;
            foreach (var (stream, run) in _runs.OrderBy(r => Volatile.Read(ref r.Value.Used)).ToList())
            {
                if (Count <= target) break;
                if (_runs.TryRemove(new KeyValuePair<string, Run>(stream, run))) Interlocked.Add(ref _count, -run.Events.Length);
            }
        }
    }
}
