using JasperFx.Events;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Marten;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// <see cref="StreamEventCache"/> under <see cref="StreamLoader"/>: a loader that keeps the runs of events it read gives
/// exactly the events a loader without it gives, for every bound (whole, as of an instant, from and up to a version),
/// while the streams keep growing between reads; a read it can answer from its runs asks the log nothing; past its
/// capacity it forgets, and still answers right.
/// </summary>
public sealed class StreamEventCacheTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    private static (Guid Id, long Version, DateTimeOffset At)[] Rows(IReadOnlyList<IEvent> events) =>
        [.. events.Select(e => (e.Id, e.Version, e.Timestamp))];

    private static IEnumerable<StreamBound> Bounds(IReadOnlyList<DateTimeOffset?> instants)
    {
        foreach (var at in instants)
        {
            yield return StreamBound.At(at);
            foreach (var from in new long[] { 1, 2, 4, 6, 9, 12 })
            {
                yield return new StreamBound { AsOf = at, FromVersion = from };
                yield return new StreamBound { AsOf = at, FromVersion = from, UpToVersion = from + 2 };
            }
            yield return new StreamBound { AsOf = at, UpToVersion = 3 };
        }
    }

    [Fact]
    public async Task KeptRuns_GiveExactlyWhatTheLogGives_ForEveryBound_WhileTheStreamsGrow()
    {
        var cache = new StreamEventCache(1_000);
        var cached = new StreamLoader(fx.Store, fx.Service, cache);
        Assert.True(cached.KeepsEvents);
        var (a, b, missing) = (NewStream(), NewStream(), NewStream());
        var compared = 0;
        var nonEmpty = 0;
        for (var round = 0; round < 4; round++)
        {
            // Each round appends (one event, then two in one transaction) and reads every bound of every stream, one at a
            // time and all together, in an order that differs between rounds, so runs are made, joined and extended.
            await fx.AppendAsync(a, round * 3, Spending(round));
            await fx.AppendAsync(a, round * 3 + 1, Spending(round + 0.1m), Spending(round + 0.2m));
            if (round % 2 == 0) await fx.AppendAsync(b, round, Spending(10 + round), Spending(11 + round));

            var instants = new List<DateTimeOffset?> { null };
            foreach (var s in new[] { a, b })
                foreach (var t in (await fx.Loader.ReadAsync(s)).Select(x => x.Timestamp).Distinct())
                    instants.AddRange([t, t.AddTicks(-10)]);
            var bounds = Bounds(instants).ToList();
            if (round % 2 == 1) bounds.Reverse();
            foreach (var bound in bounds)
                foreach (var stream in new[] { a, b, missing })
                {
                    var expected = Rows(await fx.Loader.ReadAsync(stream, bound));
                    Assert.Equal(expected, Rows(await cached.ReadAsync(stream, bound)));
                    compared++;
                    nonEmpty += expected.Length > 0 ? 1 : 0;
                }
            for (var i = 0; i + 2 < bounds.Count; i += 3)
            {
                (string, StreamBound)[] reads = [(a, bounds[i]), (b, bounds[i + 1]), (missing, bounds[i + 2])];
                var many = await cached.ReadManyAsync(reads);
                for (var k = 0; k < reads.Length; k++)
                    Assert.Equal(Rows(await fx.Loader.ReadAsync(reads[k].Item1, reads[k].Item2)), Rows(many[k]));
            }
        }
        Assert.True(nonEmpty > 200, $"{nonEmpty} of {compared} reads had events");
        Assert.Equal(12 + 4, cache.Count); // a's 12 events and b's 4, each once
    }

    [Fact]
    public async Task AReadWithinAKeptRun_AsksTheLogNothing_AndAReadBeyondIt_OnlyForTheNewEvents()
    {
        var stream = NewStream();
        await fx.AppendOneByOneAsync(stream, 5);
        var all = (await fx.Loader.ReadAsync(stream)).ToArray();

        // A loader on its own Marten store, read once to keep the run, then its store disposed: any query now fails.
        var store = DocumentStore.For(o => LedgerMarten.Configure(o, fx.ServiceConnectionString));
        var cache = new StreamEventCache(100);
        var cached = new StreamLoader(store, fx.Service, cache);
        Assert.Equal(Rows(all), Rows(await cached.ReadAsync(stream)));
        store.Dispose();

        // As of an instant before the run's last event, up to a version within it, a range within it: from the run alone.
        Assert.Equal(Rows(all[..3]), Rows(await cached.ReadAsync(stream, StreamBound.At(all[3].Timestamp.AddTicks(-10)))));
        Assert.Equal(Rows(all[..4]), Rows(await cached.ReadAsync(stream, new StreamBound { UpToVersion = 4 })));
        Assert.Equal(Rows(all[1..4]), Rows(await cached.ReadAsync(stream, new StreamBound { FromVersion = 2, UpToVersion = 4 })));
        Assert.Equal(Rows(all[2..4]), (await cached.ReadManyAsync([(stream, new StreamBound { FromVersion = 3, UpToVersion = 4 })])).Select(Rows).Single());
        // The head (the stream may have grown) and as of an instant after the run's last event ask the log.
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => cached.ReadAsync(stream));
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => cached.ReadAsync(stream, StreamBound.At(all[^1].Timestamp)));

        // With a live store, the head read asks only for what follows the run (the run's events are the kept objects).
        var live = new StreamLoader(fx.Store, fx.Service, cache);
        var first = await live.ReadAsync(stream, new StreamBound { UpToVersion = 2 });
        await fx.AppendAsync(stream, 5, Spending(6m));
        var head = await live.ReadAsync(stream);
        Assert.Equal(Rows(await fx.Loader.ReadAsync(stream)), Rows(head));
        Assert.Same(first[0], head[0]);
        Assert.Equal(6, cache.Count);
    }

    [Fact]
    public async Task PastItsCapacity_ItForgetsTheLeastRecentlyRead_AndStillAnswersRight_AndAPinnedLoaderKeepsNothing()
    {
        var cache = new StreamEventCache(8);
        var cached = new StreamLoader(fx.Store, fx.Service, cache);
        var streams = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            streams.Add(NewStream());
            await fx.AppendAsync(streams[^1], 0, Spending(1m), Spending(2m), Spending(3m));
        }
        var big = NewStream();
        await fx.AppendOneByOneAsync(big, 9); // more than the whole capacity: never kept
        foreach (var s in streams.Append(big))
        {
            Assert.Equal(Rows(await fx.Loader.ReadAsync(s)), Rows(await cached.ReadAsync(s)));
            Assert.True(cache.Count <= cache.Capacity, $"{cache.Count} events kept");
        }
        foreach (var s in streams.Append(big).Reverse())
            Assert.Equal(Rows(await fx.Loader.ReadAsync(s)), Rows(await cached.ReadAsync(s)));
        Assert.InRange(cache.Count, 3, 8);

        await using var connection = await fx.Service.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        Assert.False(cached.On(tx).KeepsEvents);
        Assert.False(new StreamLoader(fx.Store, fx.Service, new StreamEventCache(0)).KeepsEvents);
        Assert.False(new StreamLoader(fx.Store, fx.Service).KeepsEvents);
    }

    [Fact]
    public async Task TheVerifiersLoader_ReadsTheTableAsItIsNow_NotTheKeptEvents()
    {
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1m), Spending(2m));
        var cached = new StreamLoader(fx.Store, fx.Service, new StreamEventCache(100));
        Assert.Equal(2m, ((SpendingRecorded)StreamLoader.Decode((await cached.ReadAsync(stream))[1])).Amount);

        // A superuser alters the stored event behind the service's back (the chain verifier's case).
        await fx.Database.AsSuperuserBypassingTriggersAsync(
            "UPDATE ledger.mt_events SET data = jsonb_set(data, '{amount}', '99') WHERE stream_id = @s AND version = 2", ("s", stream));

        // The service's reads keep what the log said when they read it; the verifier's loader reads the table.
        Assert.Equal(2m, ((SpendingRecorded)StreamLoader.Decode((await cached.ReadAsync(stream))[1])).Amount);
        var table = cached.FromTheTable();
        Assert.False(table.KeepsEvents);
        Assert.Equal(99m, ((SpendingRecorded)StreamLoader.Decode((await table.ReadAsync(stream))[1])).Amount);
        Assert.Same(fx.Loader, fx.Loader.FromTheTable());
    }

    [Fact]
    public void AReadThatIsNotOneRunOfVersions_IsNotKept()
    {
        var cache = new StreamEventCache(100);
        IEvent E(long v) => new Event<SpendingRecorded>(Spending(v)) { Version = v, Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(v) };
        cache.Put("s", [E(1), E(2), E(4)]);
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TrySplit("s", StreamBound.Whole, out _, out _));
        cache.Put("s", [E(3), E(4)]);
        cache.Put("s", [E(1), E(2)]); // touches the run 3..4: joined
        Assert.True(cache.TrySplit("s", StreamBound.Whole, out var known, out var rest));
        Assert.Equal([1L, 2L, 3L, 4L], known.Select(e => e.Version));
        Assert.Equal(5, rest!.FromVersion);
        cache.Put("s", [E(7), E(8)]); // a gap: the later run replaces the kept one
        Assert.False(cache.TrySplit("s", new StreamBound { FromVersion = 2 }, out _, out _));
        Assert.True(cache.TrySplit("s", new StreamBound { FromVersion = 8 }, out known, out rest));
        Assert.Equal([8L], known.Select(e => e.Version));
        Assert.Equal(2, cache.Count);
    }
}
