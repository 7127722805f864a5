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

/// <summary>How the loader uses stream snapshots (issue 4). Null snapshots or <c>SnapshotEvery</c> = 0: always a full replay.</summary>
public sealed record ReadLoaderOptions
{
    /// <summary>A year stream's state is snapshotted at every multiple of this version, lazily, by a read that replayed more events than this.</summary>
    public int SnapshotEvery { get; init; } = 250;

    /// <summary>Whether reads leave snapshots (false: only use existing ones).</summary>
    public bool SaveSnapshots { get; init; } = true;
}

/// <summary>
/// Replays the aggregates a read needs straight from the log (through the one <see cref="StreamLoader"/>). Every read
/// passes <c>AsOf</c>, so the answer is the record as it stood at that recorded instant (null = now): a read is a pure
/// function of the events recorded up to the instant. Year streams (the long ones: every realization and correction)
/// start from the newest stream snapshot at or before the instant and replay only the events after it; a snapshot is
/// derived data, used only when it is authentic (its MAC under this service's key), its state type matches this code
/// and its event hash is still the chain hash of the stream's event at its version (docs/snapshots.md).
/// </summary>
public sealed class ReadLoader(
    StreamLoader store, StreamSnapshots? snapshots = null, ReadLoaderOptions? options = null, ILogger<ReadLoader>? logger = null)
{
    /// <summary>The year state's snapshot form; bump the version when PerformanceYearState.Evolve changes meaning.</summary>
    public static StateCodec<PerformanceYearState> YearCodec { get; } = new("performance-year", evolveVersion: 1);

    private readonly int _every = options?.SnapshotEvery ?? new ReadLoaderOptions().SnapshotEvery;


    /// <summary>
    /// The agency as of the instant (<see cref="Agencies.AgencyRecord"/>: a code no agency can have is an unknown agency).
    /// Every read checks the agency first, so the other loads only ever see a registered agency's code.
    /// </summary>
    public async Task<Loaded<AgencyState>> AgencyAsync(string agency, DateTimeOffset? asOf, CancellationToken ct)
    {
        var (state, version) = await Agencies.AgencyRecord.LoadAsync(store, agency, asOf, ct);
        return new(state, version);
    }

    /// <summary>The Renstra in force for <paramref name="year"/> as of the instant (<see cref="Renstra.InForceAsync{TPlan}"/>), with its version.</summary>
    public Task<Loaded<RenstraState>?> RenstraCoveringAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct) =>
        Renstras.RenstraInForce.FindAsync(store, agency, year, async stream =>
        {
            var (events, version) = await ReadAsync(stream, asOf, ct);
            return version == 0 ? null : new Loaded<RenstraState>(Renstra.Replay(events), version);
        }, l => l.State, ct);

    /// <summary>One Renstra stream by its period start (proposal reads).</summary>
    public async Task<Loaded<RenstraState>> RenstraAsync(string agency, int periodStart, DateTimeOffset? asOf, CancellationToken ct)
    {
        var (events, version) = await ReadAsync(Renstra.StreamName(agency, periodStart), asOf, ct);
        return new(Renstra.Replay(events), version);
    }

    public async Task<Loaded<Ledger.Domain.Evaluations.EvaluationState>> EvaluationAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct)
    {
        var (events, version) = await ReadAsync(Ledger.Domain.Evaluations.Evaluation.StreamName(agency, year), asOf, ct);
        return new(Ledger.Domain.Evaluations.Evaluation.Replay(events), version);
    }

    public async Task<Loaded<PerformanceYearState>> YearAsync(string agency, int year, DateTimeOffset? asOf, CancellationToken ct)
    {
        if (snapshots is null || _every <= 0)
        {
            var (events, version) = await ReadAsync(PerformanceYear.StreamName(agency, year), asOf, ct);
            return new(PerformanceYear.Replay(agency, year, events), version);
        }
        return await YearFromSnapshotAsync(PerformanceYear.StreamName(agency, year), agency, year, asOf, snapshots, ct);
    }

    private async Task<Loaded<PerformanceYearState>> YearFromSnapshotAsync(
        string stream, string agency, int year, DateTimeOffset? asOf, StreamSnapshots snapshots, CancellationToken ct)
    {
        var state = PerformanceYearState.Initial(agency, year);
        long version = 0;
        IReadOnlyList<IEvent>? recorded = null;
        var snapshot = await snapshots.LatestAsync(stream, YearCodec.StateType, asOf, ct);
        if (snapshot is not null && YearCodec.TryDeserialize(snapshot.Json) is { } restored
            && restored.AgencyCode == agency && restored.Year == year)
        {
            // Its event must still be there, with the chain hash the snapshot was taken at.
            var hash = await snapshots.ChainHashAsync(stream, snapshot.Version, ct);
            if (hash is not null && hash.AsSpan().SequenceEqual(snapshot.EventHash))
            {
                state = restored;
                version = snapshot.Version;
                recorded = await SuffixAsync(stream, snapshot.Version + 1, asOf, ct);
            }
            else
            {
                logger?.LogWarning("Ignoring the snapshot of {Stream} at version {Version}: its event hash does not match the stream.", stream, snapshot.Version);
            }
        }
        recorded ??= await store.ReadAsync(stream, StreamBound.At(asOf), ct);

        // Lazily: a read that replayed more than N events leaves a snapshot at every multiple of N it passed.
        var take = recorded.Count > _every ? new List<(IEvent At, string Json)>() : null;
        foreach (var e in recorded)
        {
            state = PerformanceYear.Evolve(state, DomainCommands.Decode(e));
            version = e.Version;
            if (take is not null && e.Version % _every == 0) take.Add((e, YearCodec.Serialize(state)));
        }
        if (take is { Count: > 0 } && options?.SaveSnapshots != false) await SaveAsync(snapshots, stream, take, ct);
        return new(state, version);
    }

    /// <summary>
    /// The events from <paramref name="from"/> on, as of the instant: first at most one snapshot interval of them by
    /// version range, then (only if that range was all recorded by the instant) the rest. Same events as one read with
    /// <c>FromVersion</c> alone, because an as-of read of one stream is a prefix of it (the seal refuses recorded time
    /// going backwards within a stream); the explicit range keeps PostgreSQL on the (stream_id, version) index.
    /// </summary>
    private async Task<IReadOnlyList<IEvent>> SuffixAsync(string stream, long from, DateTimeOffset? asOf, CancellationToken ct)
    {
        var upTo = from + _every - 1;
        var head = await store.ReadAsync(stream, new StreamBound { AsOf = asOf, FromVersion = from, UpToVersion = upTo }, ct);
        if (head.Count == 0 || head[^1].Version < upTo) return head; // cut by the instant or the stream's end: complete
        var rest = await store.ReadAsync(stream, new StreamBound { AsOf = asOf, FromVersion = upTo + 1 }, ct);
        return rest.Count == 0 ? head : [.. head, .. rest];
    }

    private async Task SaveAsync(StreamSnapshots snapshots, string stream, List<(IEvent At, string Json)> take, CancellationToken ct)
    {
        try
        {
            foreach (var (at, json) in take)
            {
                if (await snapshots.ChainHashAsync(stream, at.Version, ct) is not { } hash) continue; // not sealed yet: no snapshot
                await snapshots.SaveAsync(stream, at.Version, at.Timestamp, hash, YearCodec.StateType, json, ct);
            }
        }
        catch (NpgsqlException e)
        {
            // Derived data: failing to save one costs speed on a later read, never an answer.
            logger?.LogWarning(e, "Could not save a stream snapshot of {Stream}.", stream);
        }
    }

    private async Task<(IReadOnlyList<IDomainEvent> Events, long Version)> ReadAsync(string stream, DateTimeOffset? asOf, CancellationToken ct)
    {
        var recorded = await store.ReadAsync(stream, StreamBound.At(asOf), ct);
        var events = recorded.Select(DomainCommands.Decode).ToList();
        return (events, recorded.Count == 0 ? 0 : recorded[^1].Version);
    }
}
