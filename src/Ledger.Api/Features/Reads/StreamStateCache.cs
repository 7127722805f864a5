using System.Collections.Concurrent;

namespace Ledger.Api.Features.Reads;

/// <summary>A stream's events 1..<see cref="Version"/> folded into a state; <see cref="LastRecorded"/> is the recorded time of event <see cref="Version"/>.</summary>
public sealed record FoldedState<TState>(TState State, long Version, DateTimeOffset LastRecorded) where TState : class;

/// <summary>
/// The newest folded state of each recently read stream, in this process's memory (issue 13: reads replayed their
/// streams on every request). <see cref="ReadLoader"/> asks the log for a stream's current version (one indexed
/// lookup of its events) and uses the entry only when it is that version; when the stream has grown it folds just the
/// new events onto the entry. The states are immutable, so requests share them. Nothing here is evidence and nothing
/// is persisted: a restart starts empty. Bounded: past <c>capacity</c> entries the least recently used quarter goes.
/// Capacity 0 turns it off (configuration <c>Ledger:StreamStateCache</c>; the benchmarks' baseline): every read and
/// command then folds its streams from the log (and the year's stream snapshots) as before issue 13.
/// </summary>
public sealed class StreamStateCache(int capacity)
{
    private sealed class Entry(object folded, long used)
    {
        public object Folded { get; } = folded;
        public long Used = used;
    }

    private readonly ConcurrentDictionary<(string Stream, Type State), Entry> _entries = new();
    private readonly Lock _trim = new();
    private long _clock;

    public int Capacity { get; } = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public bool Enabled => Capacity > 0;

    public int Count => _entries.Count;

    public FoldedState<TState>? Get<TState>(string stream) where TState : class
    {
        if (!Enabled || !_entries.TryGetValue((stream, typeof(TState)), out var entry)) return null;
        Volatile.Write(ref entry.Used, Interlocked.Increment(ref _clock));
        return (FoldedState<TState>)entry.Folded;
    }

    /// <summary>Keeps <paramref name="folded"/> unless the entry already holds a later version of the stream.</summary>
    public void Put<TState>(string stream, FoldedState<TState> folded) where TState : class
    {
        if (!Enabled) return;
        var entry = new Entry(folded, Interlocked.Increment(ref _clock));
        _entries.AddOrUpdate((stream, typeof(TState)), entry,
            (_, old) => ((FoldedState<TState>)old.Folded).Version > folded.Version ? old : entry);
        if (_entries.Count > Capacity) Trim();
    }

    private void Trim()
    {
        lock (_trim)
        {
            if (_entries.Count <= Capacity) return;
            var drop = _entries.Count - Capacity * 3 / 4;
            foreach (var key in _entries.OrderBy(e => Volatile.Read(ref e.Value.Used)).Take(drop).Select(e => e.Key).ToList())
                _entries.TryRemove(key, out _);
        }
    }
}
