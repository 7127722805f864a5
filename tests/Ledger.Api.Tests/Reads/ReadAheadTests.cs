using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Storage;

namespace Ledger.Api.Tests.Reads;

/// <summary>
/// Issue 13: an as-of read's loads are read ahead (<see cref="ReadLoader.HeadsAsync"/> with an instant): the year's
/// snapshot lookup, then one query for the agency, the candidate Renstra plans and the year. What the loads fold must be
/// exactly what they fold on their own, at every instant, from a cached state or a snapshot, and a snapshot row that is
/// not the service's (no key) or not of this history (another event hash) must still never change an answer.
/// </summary>
public sealed class ReadAheadTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private const int Every = 7;
    private static readonly byte[] Key = StreamSnapshots.NewKey();

    private SeedEvents Seed => new(f);
    private StreamLoader Streams => new(f.Store, f.Database.Owner);
    private StreamSnapshots Snapshots => new(f.Database.Owner, Key);

    [Fact]
    public async Task AsOfLoadsReadAhead_EqualAFullReplay_AtEveryInstant_WithCacheSnapshotsAndForgedRows()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        var stream = PerformanceYear.StreamName(agency, SurakartaSeed.Year);
        var instants = new List<DateTimeOffset>();
        for (var i = 0; i < 30; i++)
        {
            var appended = await Seed.AppendAsync(stream, agency,
                [new RealizationCorrected(i % 2 == 0 ? "I1" : "I2", "Y", 0.70m + i / 100m, 0.71m + i / 100m, $"Koreksi ke-{i}", false)]);
            instants.Add(appended.RecordedAt);
        }
        var events = await f.EventsAsync(stream);
        instants.AddRange(events.Select(e => e.Timestamp));
        instants.AddRange(instants.Select(t => t.AddTicks(-10)).ToList());
        instants.Add(events[0].Timestamp.AddDays(-1));
        instants.Add(DateTimeOffset.UtcNow.AddDays(1));

        var cache = new StreamStateCache(100);
        var ahead = new ReadLoader(Streams, Snapshots, new ReadLoaderOptions { SnapshotEvery = Every }, cache: cache);
        var replay = new ReadLoader(Streams);

        // No snapshot yet and nothing cached: the first as-of read replays the year from its first event and leaves snapshots.
        await SameAsync(agency, events[^1].Timestamp, ahead, replay);
        Assert.Equal(events.Count / Every * Every, (await Snapshots.LatestAsync(stream, ReadLoader.YearCodec.StateType, null))!.Version);
        foreach (var at in instants) await SameAsync(agency, at, ahead, replay);

        // The cache holds the head now: later instants fold from it, earlier ones from a snapshot.
        await ahead.YearAsync(agency, SurakartaSeed.Year, null, default);
        await ahead.AgencyAsync(agency, null, default);
        foreach (var at in instants) await SameAsync(agency, at, ahead, replay);

        // Rows that must not change an answer: without the key (a false state), and with the key but of another history.
        var lie = ReadLoader.YearCodec.Serialize(PerformanceYearState.Initial(agency, SurakartaSeed.Year) with { Closed = true, SnapshotHash = "forged" });
        var last = events[^1];
        var hash = (await Snapshots.ChainHashAsync(stream, last.Version))!;
        await new StreamSnapshots(f.Database.Owner, StreamSnapshots.NewKey()).SaveAsync(stream, last.Version, last.Timestamp, hash, ReadLoader.YearCodec.StateType, lie);
        var middle = events[events.Count / 2];
        await Snapshots.SaveAsync(stream, middle.Version, middle.Timestamp, new byte[32], ReadLoader.YearCodec.StateType, lie);
        foreach (var at in instants)
        {
            var state = await SameAsync(agency, at, ahead, replay);
            Assert.False(state.Closed);
        }
    }

    /// <summary>The three loads of an as-of read, given the heads read ahead, against a full replay of each stream.</summary>
    private static async Task<PerformanceYearState> SameAsync(string agency, DateTimeOffset at, ReadLoader ahead, ReadLoader replay)
    {
        var heads = await ahead.HeadsAsync(agency, [SurakartaSeed.Year], at, default);
        Assert.NotNull(heads?.Ahead);
        var agencyA = await ahead.AgencyAsync(agency, at, heads, default);
        var agencyB = await replay.AgencyAsync(agency, at, default);
        Assert.Equal(agencyB.Version, agencyA.Version);
        Assert.Equal(Json(agencyB.State), Json(agencyA.State));
        var renstraA = await ahead.RenstraCoveringAsync(agency, SurakartaSeed.Year, at, heads, default);
        var renstraB = await replay.RenstraCoveringAsync(agency, SurakartaSeed.Year, at, default);
        Assert.Equal(renstraB?.Version, renstraA?.Version);
        Assert.Equal(renstraB is null ? null : Json(renstraB.State), renstraA is null ? null : Json(renstraA.State));
        var yearA = await ahead.YearAsync(agency, SurakartaSeed.Year, at, heads, default);
        var yearB = await replay.YearAsync(agency, SurakartaSeed.Year, at, default);
        Assert.Equal(yearB.Version, yearA.Version);
        Assert.Equal(ReadLoader.YearCodec.Serialize(yearB.State), ReadLoader.YearCodec.Serialize(yearA.State));
        return yearA.State;
    }

    private static string Json<T>(T state) => JsonSerializer.Serialize(state, DomainCommands.Json);
}
