using Ledger.EventStore;
using static Ledger.EventStore.Tests.Events;

namespace Ledger.EventStore.Tests;

public sealed class AppendAndReadTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task Append_NewStream_ReadsBackEveryFieldInOrder()
    {
        var stream = NewStream();
        var e1 = Counter(1);
        var e2 = Json("counter.noted.v1", """{"note":"ṡpecial \"chars\" ✓","value":0.80}""");
        var result = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, e1, e2));

        Assert.Equal(2, result.Version);
        Assert.Equal(2, result.Sequences.Count);
        Assert.True(result.Sequences[1] > result.Sequences[0]);

        var read = await fx.Store.ReadStreamAsync(new StreamName(stream));
        Assert.Equal([e1.Id, e2.Id], read.Select(e => e.Id));
        Assert.Equal([1L, 2L], read.Select(e => e.Version));
        Assert.Equal(result.Sequences, read.Select(e => e.Sequence));
        Assert.Equal("counter.noted.v1", read[1].Type);
        Assert.Contains("ṡpecial \\\"chars\\\" ✓", read[1].Json);
        Assert.Contains("0.80", read[1].Json); // jsonb keeps a decimal's scale: 0.80 stays 0.80
        Assert.Equal("agency-a", read[0].Tenant);
        Assert.Equal("test", read[0].Reason);
        Assert.Equal("corr-1", read[0].CorrelationId);
        Assert.Contains("\"nip\": \"198004122000031003\"", read[0].ActorJson);
        Assert.Equal(result.RecordedAt, read[0].RecordedAt);
        Assert.Equal(32, read[0].Hash.Length);
        Assert.Equal(2, await fx.Store.StreamVersionAsync(new StreamName(stream)));
    }

    [Fact]
    public async Task Append_ExactVersion_AdvancesTheStream()
    {
        var stream = NewStream();
        await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1)));
        var second = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(1), Counter(2), Counter(3)));
        var any = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Any, Counter(4)));

        Assert.Equal(3, second.Version);
        Assert.Equal(4, any.Version);
        Assert.Equal([1L, 2L, 3L, 4L], (await fx.Store.ReadStreamAsync(new StreamName(stream))).Select(e => e.Version));
    }

    [Fact]
    public async Task Append_WrongExpectedVersion_ThrowsTypedErrorWithBothVersionsAndWritesNothing()
    {
        var stream = NewStream();
        await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2)));

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(1), Counter(3))));
        Assert.Equal(stream, stale.Stream.Value);
        Assert.Equal(1, stale.Expected.Value);
        Assert.Equal(2, stale.ActualVersion);

        var exists = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(3))));
        Assert.Equal(2, exists.ActualVersion);

        Assert.Equal(2, (await fx.Store.ReadStreamAsync(new StreamName(stream))).Count);
    }

    [Fact]
    public async Task Append_ExpectingAVersionOfAMissingStream_FailsAndCreatesNoStream()
    {
        var stream = NewStream();
        var e = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(3), Counter(1))));
        Assert.Equal(0, e.ActualVersion);
        Assert.Equal(0, await fx.Store.StreamVersionAsync(new StreamName(stream)));
        await using var cmd = fx.Database.Owner.CreateCommand("SELECT count(*) FROM eventstore.streams WHERE id = @s");
        cmd.Parameters.AddWithValue("s", stream);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ReadStream_UpToVersionAndAsOf_ReturnPrefixes()
    {
        var stream = NewStream();
        var first = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2)));
        await Task.Delay(20);
        var second = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(2), Counter(3)));
        Assert.True(second.RecordedAt > first.RecordedAt);

        var name = new StreamName(stream);
        Assert.Equal(2, (await fx.Store.ReadStreamAsync(name, new StreamReadOptions { UpToVersion = 2 })).Count);
        Assert.Equal(2, (await fx.Store.ReadStreamAsync(name, new StreamReadOptions { AsOf = first.RecordedAt })).Count);
        Assert.Equal(2, (await fx.Store.ReadStreamAsync(name, new StreamReadOptions { AsOf = second.RecordedAt.AddTicks(-10) })).Count);
        Assert.Equal(3, (await fx.Store.ReadStreamAsync(name, new StreamReadOptions { AsOf = second.RecordedAt })).Count);
        Assert.Empty(await fx.Store.ReadStreamAsync(name, new StreamReadOptions { AsOf = first.RecordedAt.AddTicks(-10) }));
        Assert.Empty(await fx.Store.ReadStreamAsync(new StreamName(NewStream())));
    }

    [Fact]
    public async Task Append_ManyParallelWritersOnOneStream_ExactlyOneWinsEachVersion()
    {
        var stream = NewStream();
        await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(0)));
        const int writers = 24;
        const int rounds = 5;
        var winners = new List<Guid>();

        for (var round = 0; round < rounds; round++)
        {
            var version = await fx.Store.StreamVersionAsync(new StreamName(stream));
            using var start = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
            {
                var e = Counter(i);
                start.Wait();
                try
                {
                    await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(version), e));
                    return (Won: true, e.Id, Actual: version + 1);
                }
                catch (WrongExpectedVersionException ex)
                {
                    return (Won: false, e.Id, Actual: ex.ActualVersion);
                }
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(tasks);

            Assert.Single(results, r => r.Won);
            Assert.All(results.Where(r => !r.Won), r => Assert.Equal(version + 1, r.Actual));
            winners.Add(results.Single(r => r.Won).Id);
        }

        var events = await fx.Store.ReadStreamAsync(new StreamName(stream));
        Assert.Equal(Enumerable.Range(1, rounds + 1).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(winners, events.Skip(1).Select(e => e.Id));
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task Append_ParallelCreatorsOfOneStream_OneCreatesTheRestConflict()
    {
        var stream = NewStream();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try { await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(i))); return true; }
            catch (WrongExpectedVersionException) { return false; }
        })));
        Assert.Equal(1, results.Count(r => r));
        Assert.Single(await fx.Store.ReadStreamAsync(new StreamName(stream)));
    }
}
