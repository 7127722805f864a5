using Ledger.EventStore;
using Npgsql;
using static Ledger.EventStore.Tests.Events;

namespace Ledger.EventStore.Tests;

/// <summary>eventstore.stream_snapshots (issue 4): saved and found by instant, version and state type, as the service role.</summary>
public sealed class StreamSnapshotTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    private PostgresStreamSnapshots Snapshots => new(fx.Service);

    /// <summary>Appends one event per call so that every version has its own recorded time.</summary>
    private async Task<IReadOnlyList<RecordedEvent>> StreamOf(string stream, int count)
    {
        for (var i = 1; i <= count; i++) await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(i - 1), Counter(i)));
        return await fx.Store.ReadStreamAsync(new StreamName(stream));
    }

    private Task Save(RecordedEvent at, string type, string json) =>
        Snapshots.SaveAsync(at.Stream, at.Version, at.RecordedAt, at.Hash, type, json);

    [Fact]
    public async Task LatestAtOrBefore_InstantBetweenSnapshots_ReturnsTheNewestNotAfterIt()
    {
        var stream = NewStream();
        var events = await StreamOf(stream, 6);
        await Save(events[1], "counter/v1", """{"total":2.00}""");
        await Save(events[3], "counter/v1", """{"total":4.00}""");

        var s = new StreamName(stream);
        Assert.Null(await Snapshots.LatestAtOrBeforeAsync(s, "counter/v1", new SnapshotBound(AsOf: events[0].RecordedAt)));
        var mid = await Snapshots.LatestAtOrBeforeAsync(s, "counter/v1", new SnapshotBound(AsOf: events[2].RecordedAt));
        Assert.Equal(2, mid!.Version);
        Assert.Equal(events[1].Hash, mid.EventHash);
        Assert.Equal(events[1].RecordedAt, mid.RecordedAt);
        Assert.Contains("2.00", mid.Json); // jsonb keeps the scale
        Assert.Equal(4, (await Snapshots.LatestAtOrBeforeAsync(s, "counter/v1", SnapshotBound.Latest))!.Version);
        Assert.Equal(2, (await Snapshots.LatestAtOrBeforeAsync(s, "counter/v1", new SnapshotBound(UpToVersion: 3)))!.Version);
    }

    [Fact]
    public async Task LatestAtOrBefore_OtherStateType_IsNeverReturned()
    {
        var stream = NewStream();
        var events = await StreamOf(stream, 3);
        await Save(events[2], "counter/v0-old-schema", """{"garbage":true}""");

        Assert.Null(await Snapshots.LatestAtOrBeforeAsync(new StreamName(stream), "counter/v1", SnapshotBound.Latest));
    }

    [Fact]
    public async Task Save_SameVersionTwice_KeepsTheFirst()
    {
        var stream = NewStream();
        var events = await StreamOf(stream, 1);
        await Save(events[0], "counter/v1", """{"total":1}""");
        await Save(events[0], "counter/v1", """{"total":999}""");

        Assert.Equal("""{"total": 1}""", (await Snapshots.LatestAtOrBeforeAsync(new StreamName(stream), "counter/v1", SnapshotBound.Latest))!.Json);
    }

    [Fact]
    public async Task ReadStream_FromVersion_ReturnsTheSuffixWithinTheAsOfBound()
    {
        var stream = NewStream();
        var events = await StreamOf(stream, 5);
        var suffix = await fx.Store.ReadStreamAsync(new StreamName(stream), new StreamReadOptions { FromVersion = 2, AsOf = events[3].RecordedAt });
        Assert.Equal([2L, 3L, 4L], suffix.Select(e => e.Version));
    }

    [Fact]
    public async Task ServiceRole_CannotUpdateASnapshot_ButMayDeleteThem()
    {
        var stream = NewStream();
        var events = await StreamOf(stream, 1);
        await Save(events[0], "counter/v1", """{"total":1}""");

        await using var cmd = fx.Service.CreateCommand("UPDATE eventstore.stream_snapshots SET state = '{}' WHERE stream_id = @s");
        cmd.Parameters.AddWithValue("s", stream);
        var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);

        await Snapshots.DeleteAsync(new StreamName(stream));
        Assert.Null(await Snapshots.LatestAtOrBeforeAsync(new StreamName(stream), "counter/v1", SnapshotBound.Latest));
    }
}
