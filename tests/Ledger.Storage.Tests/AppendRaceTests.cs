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
