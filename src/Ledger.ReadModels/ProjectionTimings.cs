using System.Diagnostics;

namespace Ledger.ReadModels;

/// <summary>
/// Cumulative time per phase of one projection's pages since it was created (the rebuild benchmark prints the
/// difference of two <see cref="Snapshot"/>s). Cheap: a few <see cref="Stopwatch.GetTimestamp"/> per page. What is not
/// in here is Marten's: loading and deserializing pages, its own statements, waiting for the next page.
/// </summary>
public sealed class ProjectionTimings
{
    private long _pages, _events, _convert, _write, _commit;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string What, long At)> _marks = new();

    /// <summary>Keep a timeline of each page's phases (<see cref="Marks"/>; the rebuild benchmark's --timeline).</summary>
    public bool Timeline { get; set; }

    /// <summary>The timeline's marks since the last call (what happened, <see cref="Stopwatch.GetTimestamp"/>), oldest first.</summary>
    public IReadOnlyList<(string What, long At)> Marks()
    {
        var list = new List<(string, long)>();
        while (_marks.TryDequeue(out var m)) list.Add(m);
        return list;
    }

    internal void Mark(string what)
    {
        if (Timeline) _marks.Enqueue((what, Stopwatch.GetTimestamp()));
    }

    /// <summary>Converting Marten's events of a page (<c>SakipEvent.From</c>) in <c>ApplyAsync</c>.</summary>
    internal void Converted(int events, long ticks)
    {
        Interlocked.Increment(ref _pages);
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _convert, ticks);
    }

    /// <summary>Our writes in the daemon's transaction (<c>BeforeCommitAsync</c>: fold, rows, SQL).</summary>
    internal void Wrote(long ticks) => Interlocked.Add(ref _write, ticks);

    /// <summary>From the end of our writes to <c>AfterCommitAsync</c>: Marten's COMMIT (and anything it does in between).</summary>
    internal void Committed(long ticks) => Interlocked.Add(ref _commit, ticks);

    public Phases Snapshot() => new(Interlocked.Read(ref _pages), Interlocked.Read(ref _events), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _convert)),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _write)), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _commit)));

    public readonly record struct Phases(long Pages, long Events, TimeSpan Convert, TimeSpan Write, TimeSpan Commit)
    {
        public static Phases operator -(Phases a, Phases b) =>
            new(a.Pages - b.Pages, a.Events - b.Events, a.Convert - b.Convert, a.Write - b.Write, a.Commit - b.Commit);

        public override string ToString() =>
            $"{Pages} pages, {Events:N0} events: convert {Convert.TotalSeconds:F2} s, writes in the transaction {Write.TotalSeconds:F2} s, commit {Commit.TotalSeconds:F2} s";
    }
}
