using Ledger.Audit;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// Concurrent appends through the Ledger append path (Marten's <c>Events.Append(stream, expected version, …)</c> as
/// CommandRunner makes it, as the service role, with the audit layer's seal): exactly one writer wins each version, every
/// loser gets an exception that <see cref="AppendRace.IsLost"/> recognises (so the command is decided again, never a
/// 500), and nothing of a lost append is written. Ported from the old store's AppendAndReadTests.
/// </summary>
public sealed class AppendRaceTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    /// <summary>Runs every append at once (all released by one signal) and returns each one's ids or its exception.</summary>
    private static async Task<(Guid[]? Ids, Exception? Error)[]> AllAtOnceAsync(int writers, Func<int, Task<Guid[]>> append)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try { return ((Guid[]?)await append(i), (Exception?)null); }
            catch (Exception e) { return (null, e); }
        })).ToList();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    private static void AssertOneWinnerAndOnlyLostRaces((Guid[]? Ids, Exception? Error)[] results)
    {
        Assert.Single(results, r => r.Ids is not null);
        Assert.All(results.Where(r => r.Error is not null), r =>
            Assert.True(AppendRace.IsLost(r.Error!), $"not recognised as a lost race: {r.Error}"));
    }

    [Fact]
    public async Task ParallelCreatorsOfOneStream_OneCreatesIt_EveryOtherLosesTheRace_NoStreamIsHalfCreated()
    {
        for (var round = 0; round < 8; round++)
        {
            var stream = NewStream();
            // Each creator appends a batch of its own size, so a mixed-up stream would show.
            var results = await AllAtOnceAsync(12, i => fx.AppendAsync(stream, 0, [.. Enumerable.Range(0, 1 + i % 3).Select(k => (object)Spending(k))]));
            AssertOneWinnerAndOnlyLostRaces(results);

            var winner = results.Single(r => r.Ids is not null).Ids!;
            Assert.Equal(winner, (await fx.Loader.ReadAsync(stream)).Select(e => e.Id));
            Assert.Equal(winner.Length, await fx.Loader.VersionAsync(stream));
            Assert.Equal(1L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_streams WHERE id = @s", ("s", stream)));
            Assert.Equal((long)winner.Length, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE stream_id = @s", ("s", stream)));
            Assert.Equal((long)winner.Length, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_audit.event_hashes WHERE stream_id = @s", ("s", stream)));
        }
        var verified = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
    }

    [Fact]
    public async Task ManyWritersAtOneVersionOfAStream_ExactlyOneWinsEachVersion_AndTheStreamHoldsTheWinnersInOrder()
    {
        var stream = NewStream();
        var winners = new List<Guid>(await fx.AppendAsync(stream, 0, Spending(0)));
        for (var round = 0; round < 5; round++)
        {
            var version = await fx.Loader.VersionAsync(stream);
            var results = await AllAtOnceAsync(16, i => fx.AppendAsync(stream, version, Spending(i)));
            AssertOneWinnerAndOnlyLostRaces(results);
            winners.AddRange(results.Single(r => r.Ids is not null).Ids!);
        }

        var events = await fx.Loader.ReadAsync(stream);
        Assert.Equal(Enumerable.Range(1, 6).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(winners, events.Select(e => e.Id));
        var verified = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
    }

    /// <summary>
    /// Two service processes (two document stores on the same database), 24 writers between them, racing on a few streams
    /// (one existing, three created during the race) the way the command pipeline does: read the version, append at it,
    /// and on a lost race read again and retry. Every append lands exactly once, each version is won once, and the
    /// streams hold the winners in version order. Ported from the old store's two group-committing stores test.
    /// </summary>
    [Fact]
    public async Task TwoProcessesRacingOnSharedAndNewStreams_WithRetries_LoseNothing_AndEveryVersionIsWonOnce()
    {
        using var second = Marten.DocumentStore.For(o => LedgerMarten.Configure(o, fx.ServiceConnectionString));
        var loaders = new[] { fx.Loader, new StreamLoader(second, fx.Service) };
        var streams = Enumerable.Range(0, 4).Select(_ => NewStream()).ToArray();
        var existing = await fx.AppendAsync(streams[0], 0, Spending(0));
        var written = new System.Collections.Concurrent.ConcurrentBag<(string Stream, long Version, Guid Id)>();
        var lost = 0;
        const int writers = 24, appends = 15;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var loader = loaders[w % 2];
            for (var i = 0; i < appends; i++)
            {
                var stream = streams[(w + i) % streams.Length];
                while (true)
                {
                    var version = await loader.VersionAsync(stream);
                    try
                    {
                        var ids = w % 2 == 0
                            ? await fx.AppendAsync(stream, version, Spending(w * 100 + i))
                            : await AppendThroughAsync(second, stream, version, Spending(w * 100 + i));
                        written.Add((stream, version + 1, ids.Single()));
                        break;
                    }
                    catch (Exception e) when (AppendRace.IsLost(e))
                    {
                        Interlocked.Increment(ref lost);
                    }
                }
            }
        })));

        Assert.Equal(writers * appends, written.Count);
        Assert.True(lost > 0, "the writers should have lost some races");
        foreach (var stream in streams)
        {
            var events = await fx.Loader.ReadAsync(stream);
            var ours = written.Where(x => x.Stream == stream).OrderBy(x => x.Version).ToList();
            var before = stream == streams[0] ? existing : [];
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
            Assert.Equal(before.Length + ours.Count, events.Count);
            Assert.Equal([.. before, .. ours.Select(x => x.Id)], events.Select(e => e.Id));
            Assert.Equal(ours.Select(x => x.Version), events.Skip(before.Length).Select(e => e.Version));
        }
        var verified = await ChainVerifier.VerifyAsync(fx.Service);
        Assert.True(verified.Ok, string.Join("; ", verified.Problems));
    }

    /// <summary><see cref="StorageFixture.AppendAsync"/> through another document store (another process).</summary>
    private static async Task<Guid[]> AppendThroughAsync(Marten.IDocumentStore store, string stream, long expectedVersion, object e)
    {
        await using var session = store.LightweightSession();
        session.SetHeader(EventHeaders.Reason, "test");
        var built = session.Events.BuildEvent(e);
        built.Id = Guid.CreateVersion7();
        session.Events.Append(stream, expectedVersion + 1, built);
        await session.SaveChangesAsync();
        return [built.Id];
    }

    [Fact]
    public async Task StaleExpectedVersion_IsALostRace_AndWritesNothing()
    {
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1), Spending(2));

        var behind = await Assert.ThrowsAnyAsync<Exception>(() => fx.AppendAsync(stream, 1, Spending(3)));
        Assert.True(AppendRace.IsLost(behind), behind.ToString());
        var asNew = await Assert.ThrowsAnyAsync<Exception>(() => fx.AppendAsync(stream, 0, Spending(3)));
        Assert.True(AppendRace.IsLost(asNew), asNew.ToString());

        Assert.Equal(2, (await fx.Loader.ReadAsync(stream)).Count);
        Assert.Equal(2, await fx.Loader.VersionAsync(stream));
    }

    [Fact]
    public async Task ExpectingAVersionOfAStreamThatDoesNotExist_IsALostRace_AndCreatesNoStream()
    {
        var stream = NewStream();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => fx.AppendAsync(stream, 3, Spending(1)));
        Assert.True(AppendRace.IsLost(e), e.ToString());

        Assert.Equal(0, await fx.Loader.VersionAsync(stream));
        Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_streams WHERE id = @s", ("s", stream)));
        Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events WHERE stream_id = @s", ("s", stream)));
    }
}
