using System.Text;
using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.Renstras;
using Ledger.ReadModels;
using Ledger.Storage;

namespace Ledger.Api.Features.Snapshots;

/// <summary>One stream snapshot row the verifier names: the stream, state type and version (its key), and what is wrong with it.</summary>
public sealed record StreamSnapshotFinding(string Stream, string StateType, long Version, string Problem)
{
    public string Sentence => FormattableString.Invariant($"the snapshot of {Stream} ({StateType}) at version {Version}: {Problem}");
}

/// <summary>Every stream snapshot row against the log: how many, how many were checked, those not checked (and why) and the forged ones.</summary>
public sealed record StreamSnapshotVerification(long Rows, long Checked, long NotCheckedCount, IReadOnlyList<StreamSnapshotFinding> NotChecked, IReadOnlyList<StreamSnapshotFinding> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Issue 11, "derived state is never evidence": stream snapshots (<c>ledger_cache.stream_snapshots</c>) can be written by
/// the service role and by a superuser, so every row is checked against the log, whether or not a read would use it:
/// <list type="number">
/// <item>its MAC under the service's snapshot key (<see cref="StreamSnapshots"/>): a row written without the key, or
///   altered since, is not authentic;</item>
/// <item>its <c>event_hash</c> is the chain hash of the stream's event at its version (<c>ledger_audit.event_hashes</c>),
///   and its <c>recorded_at</c> that event's recorded time: otherwise it was taken of another history;</item>
/// <item>its state equals a replay of the stream's events 1..version, in the codec the reads use
///   (<see cref="ReadLoader.YearCodec"/> for a year stream, <see cref="ReadLoader.RenstraCodec"/> for a Renstra stream),
///   compared as canonical JSON (<see cref="CanonicalJson"/>): catches a row written with the key (a leaked key, or a
///   bug) but a false state.</item>
/// </list>
/// A row of another state type (another version of the code: its type fingerprint differs) is never read, and is
/// listed as not checked without failing verification. Each snapshotted stream is read once, up to its newest row.
/// </summary>
public sealed class StreamSnapshotVerifier(StreamLoader streams, StreamSnapshots snapshots)
{
    public const string Table = "ledger_cache.stream_snapshots";

    /// <summary>Rows not checked that are listed by name (the count is always whole).</summary>
    public const int NotCheckedListed = 20;

    /// <param name="keyKept">
    /// whether the service's snapshot key outlives this process (configured, or the local cluster's secret). When it does
    /// not, rows written by another process cannot be told from forged ones; the problem says so.
    /// </param>
    public async Task<StreamSnapshotVerification> VerifyAsync(bool keyKept, CancellationToken ct = default)
    {
        long rows = 0, checkedRows = 0, notCheckedCount = 0;
        var notChecked = new List<StreamSnapshotFinding>();
        var problems = new List<StreamSnapshotFinding>();
        var stream = new List<SnapshotRow>();

        async Task CheckStreamAsync()
        {
            if (stream.Count == 0) return;
            await CheckAsync(stream, keyKept, problems, ct);
            checkedRows += stream.Count;
            stream.Clear();
        }

        await foreach (var row in snapshots.AllWithTheirEventsAsync(ct))
        {
            rows++;
            var s = row.Snapshot;
            if (s.StateType != ReadLoader.YearCodec.StateType && s.StateType != ReadLoader.RenstraCodec.StateType)
            {
                notCheckedCount++;
                if (notChecked.Count < NotCheckedListed)
                    notChecked.Add(new(s.Stream, s.StateType, s.Version,
                        $"not checked: unknown state type (this code writes and reads only {ReadLoader.YearCodec.StateType} and {ReadLoader.RenstraCodec.StateType}; a read never uses this row)"));
                continue;
            }
            if (stream.Count > 0 && (stream[0].Snapshot.Stream != s.Stream || stream[0].Snapshot.StateType != s.StateType)) await CheckStreamAsync();
            stream.Add(row);
        }
        await CheckStreamAsync();
        return new StreamSnapshotVerification(rows, checkedRows, notCheckedCount, notChecked, problems);
    }

    /// <summary>One stream's rows of one state type (the year's or the Renstra's), in version order.</summary>
    private Task CheckAsync(List<SnapshotRow> rows, bool keyKept, List<StreamSnapshotFinding> problems, CancellationToken ct)
    {
        var key = KeyOf(rows[0].Snapshot.Stream);
        if (rows[0].Snapshot.StateType == ReadLoader.RenstraCodec.StateType)
            return CheckAsync(rows, keyKept, problems, key.Kind == StreamKind.Renstra, RenstraState.Initial, Renstra.Evolve, ReadLoader.RenstraCodec,
                "a Renstra state on a stream that is not a Renstra stream", ct);
        return CheckAsync(rows, keyKept, problems, key.Kind == StreamKind.Year, PerformanceYearState.Initial(key.Agency ?? "", key.Number),
            PerformanceYear.Evolve, ReadLoader.YearCodec, "a performance-year state on a stream that is not a year stream", ct);
    }

    /// <summary>One stream's rows of one state type, in version order: one read of the stream, one fold.</summary>
    private async Task CheckAsync<TState>(List<SnapshotRow> rows, bool keyKept, List<StreamSnapshotFinding> problems, bool ofThisKind,
        TState initial, Func<TState, Ledger.Domain.IDomainEvent, TState> evolve, StateCodec<TState> codec, string wrongStream, CancellationToken ct)
        where TState : class
    {
        var name = rows[0].Snapshot.Stream;
        var events = ofThisKind ? await streams.ReadAsync(name, new StreamBound { UpToVersion = rows[^1].Snapshot.Version }, ct) : [];
        var state = initial;
        var folded = 0;
        foreach (var row in rows)
        {
            var s = row.Snapshot;
            var faults = new List<string>();
            if (!s.Authentic)
                faults.Add("not authentic: its MAC does not verify under the service's snapshot key (written without the key, or altered since)" +
                    (keyKept ? "" : "; this process's key is its own (no Ledger:SnapshotKey configured), so a row another process wrote cannot be told from a forged one"));
            if (row.ChainHash is null)
                faults.Add(FormattableString.Invariant($"taken of another history: the stream has no sealed event at version {s.Version}"));
            else if (!row.ChainHash.AsSpan().SequenceEqual(s.EventHash))
                faults.Add("taken of another history: its event hash is not the chain hash of the stream's event at that version");
            if (row.EventRecordedAt is { } at && at != s.RecordedAt)
                faults.Add(FormattableString.Invariant($"its recorded time {s.RecordedAt:O} is not its event's ({at:O})"));

            if (!ofThisKind)
                faults.Add(wrongStream);
            else
            {
                while (folded < events.Count && events[folded].Version <= s.Version)
                    state = evolve(state, DomainCommands.Decode(events[folded++]));
                var replayed = folded > 0 ? events[folded - 1].Version : 0;
                if (replayed == s.Version)
                {
                    var stored = Canonical(s.Json);
                    if (stored is null) faults.Add("its state is not JSON with a canonical form");
                    else if (stored != Canonical(codec.Serialize(state)))
                        faults.Add(FormattableString.Invariant($"its state is not the replay of the stream's events 1..{s.Version}"));
                }
            }
            if (faults.Count > 0) problems.Add(new(s.Stream, s.StateType, s.Version, string.Join("; ", faults)));
        }
    }

    /// <summary>
    /// The stream's key by the read models' one parser (<see cref="StreamKey"/>: <c>year-{agency}-{year}</c>,
    /// <c>renstra-{agency}-{periodStart}</c>, the agency possibly hyphenated), when the domain writes exactly that name
    /// for its agency and number (<see cref="PerformanceYear.StreamName"/>, <see cref="Renstra.StreamName"/>); else Other.
    /// </summary>
    private static StreamKey KeyOf(string stream) =>
        StreamKey.Of(stream, StreamKey.AgencyOf(stream)) is var key
        && (key.Kind == StreamKind.Year ? PerformanceYear.StreamName(key.Agency, key.Number)
            : key.Kind == StreamKind.Renstra ? Renstra.StreamName(key.Agency, key.Number) : null) == stream
            ? key
            : default;

    private static string? Canonical(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Encoding.UTF8.GetString(CanonicalJson.Encode(doc.RootElement));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }
}
