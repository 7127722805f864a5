using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Api.Tests.Reads;
using Ledger.Domain;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Ledger.Domain.PerformanceYears.RevisingBudget;
using Ledger.Domain.PerformanceYears.SigningPk;
using JasperFx.Events;
using Ledger.Storage;

namespace Ledger.Api.Tests.Snapshots;

/// <summary>Issue 4: reading a year stream from a stream snapshot gives exactly the state of a full replay, or the snapshot is not used.</summary>
public sealed class StreamSnapshotReplayTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private const int Every = 50;

    /// <summary>The key this test's "service" authenticates its snapshots with.</summary>
    private static readonly byte[] Key = StreamSnapshots.NewKey();

    private StreamLoader Store => new(f.Store, f.Database.Owner);
    private StreamSnapshots Snapshots => new(f.Database.Owner, Key);
    private ReadLoader Full => new(Store);
    private ReadLoader WithSnapshots => new(Store, Snapshots, new ReadLoaderOptions { SnapshotEvery = Every });

    /// <summary>Computed properties included: two states are equal when every public property serialises the same.</summary>
    private static string Json(PerformanceYearState s) => JsonSerializer.Serialize(s, DomainCommands.Json);

    /// <summary>A year stream of PK, budget, realizations (four indicators × seven periods), corrections and spending, in many appends.</summary>
    private static async Task<IReadOnlyList<IEvent>> LongYearAsync(LedgerApiFactory f, string agency, int events, int seed)
    {
        var rng = new Random(seed);
        var seeder = new SeedEvents(f);
        var stream = PerformanceYear.StreamName(agency, 2023);
        var periods = new[] { "Q1", "Q2", "Q3", "Q4", "S1", "S2", "Y" };
        var indicators = new[] { "I1", "I2", "I6", "I9" };
        var recorded = new HashSet<(string, string)>();
        var values = new Dictionary<(string, string), decimal>();
        decimal Value() => Math.Round((decimal)rng.NextDouble() * 100m, rng.Next(0, 4)); // scales 0..3

        var first = new List<IDomainEvent>
        {
            new PkSigned(0, new DateOnly(2023, 1, 2), new Signer("Kepala", "19800412 200003 1 003", "Kepala Badan"), 2021,
                [.. indicators.Select(i => new PkTargetSigned(i, 90.50m, 90m))]),
            new BudgetEnacted([new BudgetLineEnacted("P1", "Program 1", null, 1_000_000.00m), new BudgetLineEnacted("K1", "Kegiatan 1", "P1", 1_000_000.00m)],
                [new DeclaredTotal("P1", 1_000_000m)], 1_000_000.00m),
        };
        await seeder.AppendAsync(stream, agency, first);
        var count = first.Count;
        var revisions = 0;
        while (count < events)
        {
            var batch = new List<IDomainEvent>();
            var size = Math.Min(rng.Next(1, 12), events - count);
            for (var i = 0; i < size; i++)
            {
                var key = (indicators[rng.Next(indicators.Length)], periods[rng.Next(periods.Length)]);
                var roll = rng.Next(10);
                if (roll == 0)
                    batch.Add(new SpendingRecorded("K1", Value(), "Y", 0m, 1_000_000m, false));
                else if (roll == 1)
                    batch.Add(new BudgetRevised(++revisions, "APBD-P", [new BudgetLineRevised("K1", "Kegiatan 1", "P1", null, 900_000m + Value())], 0m, 0m));
                else if (!recorded.Contains(key))
                {
                    var v = Value();
                    batch.Add(new RealizationRecorded(key.Item1, key.Item2, v, null, null, "bukti", null, null));
                    recorded.Add(key);
                    values[key] = v;
                }
                else
                {
                    var v = Value();
                    batch.Add(new RealizationCorrected(key.Item1, key.Item2, values[key], v, "koreksi " + count, rng.Next(2) == 0));
                    values[key] = v;
                }
            }
            await seeder.AppendAsync(stream, agency, batch);
            count += batch.Count;
        }
        return await f.EventsAsync(stream);
    }

    [Fact]
    public async Task YearRead_FromSnapshotAtRandomCutPoints_EqualsFullReplay()
    {
        var agency = ApiClient.NewAgencyCode();
        var events = await LongYearAsync(f, agency, 1200, seed: 4);
        var stream = PerformanceYear.StreamName(agency, 2023);

        // The first read (now) replays everything and leaves snapshots at every multiple of 50.
        var now = await WithSnapshots.YearAsync(agency, 2023, null, default);
        Assert.Equal(Json((await Full.YearAsync(agency, 2023, null, default)).State), Json(now.State));
        var latest = await Snapshots.LatestAsync(stream, ReadLoader.YearCodec.StateType, null);
        Assert.Equal(1200 / Every * Every, latest!.Version);

        var rng = new Random(11);
        for (var i = 0; i < 40; i++)
        {
            var cut = events[rng.Next(events.Count)];
            var fromSnapshot = await WithSnapshots.YearAsync(agency, 2023, cut.Timestamp, default);
            var full = await Full.YearAsync(agency, 2023, cut.Timestamp, default);
            Assert.Equal(full.Version, fromSnapshot.Version);
            Assert.Equal(Json(full.State), Json(fromSnapshot.State));
        }
        // Before the first event: nothing, from either.
        var before = await WithSnapshots.YearAsync(agency, 2023, events[0].Timestamp.AddTicks(-10), default);
        Assert.Equal(0, before.Version);
    }

    /// <summary>
    /// The loader reads one snapshot interval by version range and the rest only when that range was all recorded by the
    /// instant. With the later snapshots gone, reads run past the range: instants on both sides of its last version
    /// (shared recorded times of one append included) and far beyond must still equal a full replay.
    /// </summary>
    [Fact]
    public async Task YearRead_SuffixLongerThanTheSnapshotInterval_EqualsFullReplayAtTheRangeBoundary()
    {
        var agency = ApiClient.NewAgencyCode();
        var events = await LongYearAsync(f, agency, 600, seed: 5);
        var stream = PerformanceYear.StreamName(agency, 2023);
        await WithSnapshots.YearAsync(agency, 2023, null, default); // snapshots at 50, 100, …, 600
        await using (var cmd = f.Database.Owner.CreateCommand("DELETE FROM ledger_cache.stream_snapshots WHERE stream_id = @s AND version > 100"))
        {
            cmd.Parameters.AddWithValue("s", stream);
            await cmd.ExecuteNonQueryAsync();
        }

        // A read that leaves snapshots again would hide the long suffix from the next one: a loader that never saves
        // (its interval is too long to pass) but reads with the same range.
        var reader = new ReadLoader(Store, Snapshots, new ReadLoaderOptions { SnapshotEvery = Every, SaveSnapshots = false });
        var boundary = 100 + Every;
        var cuts = events.Where(e => e.Version >= boundary - 2 && e.Version <= boundary + 2).Select(e => e.Timestamp)
            .Concat(events.Where(e => e.Version is 101 or 420 or 599 or 600).Select(e => e.Timestamp))
            .Append(events[^1].Timestamp.AddSeconds(1));
        foreach (var at in cuts)
        {
            var fromSnapshot = await reader.YearAsync(agency, 2023, at, default);
            var full = await Full.YearAsync(agency, 2023, at, default);
            Assert.Equal(full.Version, fromSnapshot.Version);
            Assert.Equal(Json(full.State), Json(fromSnapshot.State));
        }
    }

    [Fact]
    public async Task YearState_SerialisedForASnapshot_RoundTripsExactly()
    {
        var agency = ApiClient.NewAgencyCode();
        await LongYearAsync(f, agency, 300, seed: 9);
        var state = (await Full.YearAsync(agency, 2023, null, default)).State;

        var back = ReadLoader.YearCodec.TryDeserialize(ReadLoader.YearCodec.Serialize(state))!;
        Assert.Equal(Json(state), Json(back));
        Assert.Contains(state.Realizations, r => r.Value.Scale > 0); // scales survive, e.g. 12.340 stays 12.340
    }

    [Fact]
    public async Task YearRead_ForeignOrStaleStateTypeSnapshot_IsIgnored()
    {
        var agency = ApiClient.NewAgencyCode();
        var events = await LongYearAsync(f, agency, 120, seed: 5);
        var stream = PerformanceYear.StreamName(agency, 2023);
        var at = events[^1];
        var lie = ReadLoader.YearCodec.Serialize(PerformanceYearState.Initial(agency, 2023) with { Closed = true, SnapshotHash = "forged" });

        // A snapshot of another schema (an older code's type fingerprint) at the head: never read.
        var stale = "performance-year/v1+0000000000000000";
        await Snapshots.SaveAsync(stream, at.Version, at.Timestamp, await HashAsync(stream, at.Version), stale, lie);
        var state = (await WithSnapshots.YearAsync(agency, 2023, null, default)).State;
        Assert.False(state.Closed);
        Assert.Equal(Json((await Full.YearAsync(agency, 2023, null, default)).State), Json(state));
    }

    [Fact]
    public async Task YearRead_SnapshotWhoseEventHashDiffers_IsIgnored()
    {
        var agency = ApiClient.NewAgencyCode();
        var events = await LongYearAsync(f, agency, 120, seed: 6);
        var stream = PerformanceYear.StreamName(agency, 2023);
        var at = events[^1];
        var lie = ReadLoader.YearCodec.Serialize(PerformanceYearState.Initial(agency, 2023) with { Closed = true });

        // The right state type, but taken of a history that is not this stream's (its event hash differs).
        await Snapshots.SaveAsync(stream, at.Version, at.Timestamp, new byte[32], ReadLoader.YearCodec.StateType, lie);
        var state = (await WithSnapshots.YearAsync(agency, 2023, null, default)).State;
        Assert.False(state.Closed);
        Assert.Equal(Json((await Full.YearAsync(agency, 2023, null, default)).State), Json(state));
    }

    [Fact]
    public async Task YearRead_SnapshotThatDoesNotReadBack_IsIgnored()
    {
        var agency = ApiClient.NewAgencyCode();
        var events = await LongYearAsync(f, agency, 60, seed: 7);
        var stream = PerformanceYear.StreamName(agency, 2023);
        var at = events[^1];
        await Snapshots.SaveAsync(stream, at.Version, at.Timestamp, await HashAsync(stream, at.Version), ReadLoader.YearCodec.StateType, """{"pkVersions":"not a list"}""");

        var state = (await WithSnapshots.YearAsync(agency, 2023, null, default)).State;
        Assert.Equal(Json((await Full.YearAsync(agency, 2023, null, default)).State), Json(state));
    }

    /// <summary>
    /// Issue 11: a snapshot row forged in the database (the right state type, the right event hash, a false state) by
    /// someone without the service's key (a superuser, or the service role's credentials) never changes a read.
    /// </summary>
    [Fact]
    public async Task YearRead_SnapshotForgedWithoutTheServicesKey_IsIgnored()
    {
        var agency = ApiClient.NewAgencyCode();
        var events = await LongYearAsync(f, agency, 120, seed: 8);
        var stream = PerformanceYear.StreamName(agency, 2023);
        var at = events[^1];
        var lie = ReadLoader.YearCodec.Serialize(PerformanceYearState.Initial(agency, 2023) with { Closed = true, SnapshotHash = "forged" });

        var forger = new StreamSnapshots(f.Database.Owner, StreamSnapshots.NewKey());
        await forger.SaveAsync(stream, at.Version, at.Timestamp, await HashAsync(stream, at.Version), ReadLoader.YearCodec.StateType, lie);
        Assert.False((await Snapshots.LatestAsync(stream, ReadLoader.YearCodec.StateType, null)) is { } s && s.Version == at.Version);

        var state = (await WithSnapshots.YearAsync(agency, 2023, null, default)).State;
        Assert.False(state.Closed);
        Assert.Equal(Json((await Full.YearAsync(agency, 2023, null, default)).State), Json(state));
    }

    private async Task<byte[]> HashAsync(string stream, long version) => (await Snapshots.ChainHashAsync(stream, version))!;
}
