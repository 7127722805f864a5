using Ledger.Domain.Reading;

namespace Ledger.Domain.PerformanceYears.ClosingYear;

/// <summary>A stream the frozen snapshot was computed from, and the version it was read at.</summary>
public sealed record SnapshotSource(string Stream, long Version);

/// <summary>
/// What a close freezes (issue 4, docs/snapshots.md): the year's LKjIP table as computed at the close, the name of the
/// canonical JSON form its hash is taken over, the streams (and versions) it was computed from, so that it can be
/// recomputed exactly, and the head of the whole log the close publishes (sequence, digest and the digest's format name:
/// null for closes before issue 5's <c>ledger-log-digest/2</c>, whose rolling digest is no longer recomputed).
/// </summary>
public sealed record FrozenSnapshot(
    string Canonicalization, PerformanceTable Table, IReadOnlyList<SnapshotSource> Sources, long? LogHeadSequence, string? LogDigest,
    string? LogDigestFormat = null);

/// <summary>
/// Appended with <see cref="YearClosed"/>, in the same append: the snapshot document itself lives in the log (a table
/// is only a cache), so it survives every rebuild. <see cref="Snapshot"/> holds only the year's content; the close's own
/// time and actor are the event's metadata, outside the document and outside its hash.
/// </summary>
public sealed record YearSnapshotFrozen(
    string SnapshotHash, string Canonicalization, PerformanceTable Snapshot, IReadOnlyList<SnapshotSource> Sources,
    long? LogHeadSequence, string? LogDigest, string? LogDigestFormat = null) : IDomainEvent;
