using System.Text.Json;
using Ledger.Api.Features.PerformanceYears;
using Ledger.Api.Infrastructure;
using Ledger.Api.Commands;
using Ledger.Api.Features.Reads;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using JasperFx.Events;
using Ledger.Storage;

namespace Ledger.Api.Features.Snapshots;

/// <summary>The outcome of recompute-and-compare (GET …/snapshot/verify).</summary>
public sealed record SnapshotVerification(bool Ok, string StoredHash, string RecomputedHash, string DocumentHash, string Canonicalization);

/// <summary>
/// Reading the frozen year-end snapshot's inputs (issue 4): at close, and later exactly as the close saw them, to recompute
/// it. What the table is and how it is hashed is the domain's rule (<see cref="Domain.PerformanceYears.ClosingYear.YearSnapshot"/>).
/// </summary>
public static class YearSnapshotReader
{
    /// <summary>
    /// The inputs as they are now, and the version every stream they depend on was loaded at (<see cref="LoadCurrentAsync"/>).
    /// </summary>
    public sealed record CurrentInputs(SnapshotInputs Inputs, IReadOnlyDictionary<string, long> Versions);

    /// <summary>
    /// The inputs as they are now (at close), loaded as the service's reads and commands load a stream
    /// (<see cref="ReadLoader"/>: one query for the current versions of every stream they depend on, then the fold cache,
    /// the events after a cached state, and a year stream's usable snapshot with the events after it; 2026-12-07, issue
    /// 13: before, the close read the year before and both years' Renstra plans whole, straight from the log, at every
    /// close). <see cref="CurrentInputs.Versions"/>: every stream the inputs depend on (the agency, the year before, every
    /// candidate Renstra plan of both years, loaded or not) at the version its state was loaded at, 0 when it had no
    /// event; a stream loaded twice at different versions is recorded as -1, which no log head matches. Each state is the
    /// fold of its stream's events up to that version, as a replay of the log gives it (what
    /// <see cref="VerifyAsync"/> recomputes later from the events themselves, <see cref="LoadPinnedAsync"/>).
    /// </summary>
    public static async Task<CurrentInputs> LoadCurrentAsync(ReadLoader reads, string agency, int year, CancellationToken ct)
    {
        var previousStream = PerformanceYear.StreamName(agency, year - 1);
        // The year's own stream is the close's command stream, covered by its append's expected version.
        var streams = ReadLoader.StreamsOf(agency, [year, year - 1]);
        streams.Remove(PerformanceYear.StreamName(agency, year));
        var heads = await reads.CurrentHeadsAsync(streams, ct);
        var loaded = new Dictionary<string, long>(StringComparer.Ordinal);
        void Loaded(string stream, long version) =>
            loaded[stream] = loaded.TryGetValue(stream, out var earlier) && earlier != version ? -1 : version;

        var sources = new List<SnapshotSource>();
        var agencyState = await reads.AgencyAsync(agency, null, heads, ct);
        Loaded(Agency.StreamName(agency), agencyState.Version);
        if (agencyState.Version > 0) sources.Add(new SnapshotSource(Agency.StreamName(agency), agencyState.Version));
        async Task<RenstraState?> CoveringAsync(int y)
        {
            if (await reads.RenstraCoveringAsync(agency, y, null, heads, ct) is not { } plan) return null;
            var stream = Renstra.StreamName(agency, plan.State.PeriodStart);
            Loaded(stream, plan.Version);
            sources.Add(new SnapshotSource(stream, plan.Version));
            return plan.State;
        }
        var renstra = await CoveringAsync(year);
        var previous = await reads.YearAsync(agency, year - 1, null, heads, ct);
        Loaded(previousStream, previous.Version);
        if (previous.Version > 0) sources.Add(new SnapshotSource(previousStream, previous.Version));
        var previousRenstra = await CoveringAsync(year - 1);

        var versions = streams.ToDictionary(s => s, s => loaded.TryGetValue(s, out var v) ? v : heads.Of(s) ?? 0, StringComparer.Ordinal);
        return new CurrentInputs(
            new SnapshotInputs(agencyState.State.Exists, agencyState.State, renstra, previous.Version == 0 ? null : previous.State, previousRenstra,
                sources.DistinctBy(s => s.Stream).ToList()),
            versions);
    }

    /// <summary>
    /// The inputs exactly as the close saw them: only the streams it recorded, each up to its recorded version. A stream
    /// the close did not use (a Renstra created later, say) is not read at all.
    /// </summary>
    public static Task<SnapshotInputs> LoadPinnedAsync(StreamLoader reader, string agency, int year, IReadOnlyList<SnapshotSource> sources, CancellationToken ct)
    {
        var pinned = sources.ToDictionary(s => s.Stream, s => s.Version, StringComparer.Ordinal);
        return LoadAsync(async s => pinned.TryGetValue(s, out var v)
            ? await reader.ReadAsync(s, new StreamBound { UpToVersion = v }, ct)
            : [], agency, year);
    }

    private static async Task<SnapshotInputs> LoadAsync(Func<string, Task<IReadOnlyList<IEvent>>> read, string agency, int year)
    {
        var sources = new List<SnapshotSource>();
        async Task<IReadOnlyList<IDomainEvent>> Read(string stream)
        {
            var recorded = await read(stream);
            if (recorded.Count > 0) sources.Add(new SnapshotSource(stream, recorded[^1].Version));
            return recorded.Select(e => DomainCommands.Decode(e)).ToList();
        }

        var agencyEvents = await Read(Agency.StreamName(agency));
        var renstra = await CoveringAsync(agency, year, read, sources);
        var previousEvents = await Read(PerformanceYear.StreamName(agency, year - 1));
        var previousRenstra = await CoveringAsync(agency, year - 1, read, sources);
        var agencyState = Agency.Replay(agencyEvents); // exists: the one rule of AgencyRecord, on the events the snapshot read
        return new SnapshotInputs(agencyState.Exists, agencyState, renstra,
            previousEvents.Count == 0 ? null : PerformanceYear.Replay(agency, year - 1, previousEvents), previousRenstra,
            sources.DistinctBy(s => s.Stream).ToList());
    }

    /// <summary>The Renstra in force for the year (<see cref="Renstra.InForceAsync{TPlan}"/>); records only the winner as a source.</summary>
    private static async Task<RenstraState?> CoveringAsync(
        string agency, int year, Func<string, Task<IReadOnlyList<IEvent>>> read, List<SnapshotSource> sources)
    {
        var found = await Renstra.InForceAsync(year, async start =>
        {
            var stream = Renstra.StreamName(agency, start);
            var recorded = await read(stream);
            return recorded.Count == 0
                ? null
                : new CandidatePlan(new SnapshotSource(stream, recorded[^1].Version), Renstra.Replay(recorded.Select(e => DomainCommands.Decode(e))));
        }, p => p.State);
        if (found is null) return null;
        sources.Add(found.Source);
        return found.State;
    }

    private sealed record CandidatePlan(SnapshotSource Source, RenstraState State);

    /// <summary>The close of a year as recorded in its stream (null when not closed as of the read).</summary>
    public sealed record Closed(IEvent ClosedEvent, YearClosed Close, IEvent? FrozenEvent, JsonElement? Document, YearSnapshotFrozen? Frozen);

    /// <summary>
    /// The close in a year's events. <see cref="Closed.Document"/> is the frozen snapshot as stored (the JSON of the event
    /// row, not a re-serialisation of the decoded record), so its hash checks the stored bytes' content.
    /// </summary>
    public static async Task<Closed?> FindCloseAsync(IReadOnlyList<IEvent> yearEvents, StreamLoader reader, CancellationToken ct)
    {
        var closed = yearEvents.FirstOrDefault(e => e.Data is YearClosed);
        if (closed is null) return null;
        var frozen = yearEvents.FirstOrDefault(e => e.Data is YearSnapshotFrozen);
        JsonElement? document = null;
        if (frozen is not null)
        {
            using var doc = JsonDocument.Parse(await reader.StoredJsonAsync(frozen.Sequence, ct));
            document = doc.RootElement.GetProperty("snapshot").Clone();
        }
        return new Closed(closed, (YearClosed)closed.Data, frozen, document, (YearSnapshotFrozen?)frozen?.Data);
    }

    /// <summary>
    /// Recompute-and-compare: rebuild the table from the year's stream up to just before the close and the other streams at
    /// the versions the close recorded, hash it, and compare with the stored hash. The stored document's own hash is
    /// checked too (the document in the log must still be what was hashed).
    /// </summary>
    public static async Task<SnapshotVerification?> VerifyAsync(StreamLoader reader, string agency, int year, Closed closed, CancellationToken ct)
    {
        if (closed.Frozen is not { } frozen || closed.Document is not { } document) return null;
        var yearEvents = await reader.ReadAsync(PerformanceYear.StreamName(agency, year),
            new StreamBound { UpToVersion = closed.ClosedEvent.Version - 1 }, ct);
        var state = PerformanceYear.Replay(agency, year, yearEvents.Select(e => DomainCommands.Decode(e)));
        var inputs = await LoadPinnedAsync(reader, agency, year, frozen.Sources, ct);
        var recomputed = YearSnapshot.Hash(YearSnapshot.Build(state, inputs));
        var documentHash = CanonicalJson.Hash(document);
        var stored = closed.Close.SnapshotHash;
        return new SnapshotVerification(recomputed == stored && documentHash == stored, stored, recomputed, documentHash, frozen.Canonicalization);
    }
}
