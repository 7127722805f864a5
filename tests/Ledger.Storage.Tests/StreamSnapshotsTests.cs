using JasperFx.Events;
using Npgsql;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// <see cref="StreamSnapshots"/> (<c>ledger_cache.stream_snapshots</c>), used as the service uses it: as the service role,
/// under the service's key. Found by instant and state type, written once per version, never updated by the service,
/// and only authentic rows (their MAC verifies under the key) are ever returned. Ported from the old store's
/// StreamSnapshotTests (plus the MAC, which the old table did not have).
/// </summary>
public sealed class StreamSnapshotsTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    private const string State = "counter/v1";
    private static readonly byte[] Key = StreamSnapshots.NewKey();

    private StreamSnapshots Snapshots => new(fx.Service, Key);

    /// <summary>One event per append, so every version has its own recorded time.</summary>
    private async Task<(string Stream, IReadOnlyList<IEvent> Events)> StreamOfAsync(int count)
    {
        var stream = NewStream();
        await fx.AppendOneByOneAsync(stream, count);
        return (stream, await fx.Loader.ReadAsync(stream));
    }

    private async Task SaveAsync(IEvent at, string json, string stateType = State, StreamSnapshots? snapshots = null) =>
        await (snapshots ?? Snapshots).SaveAsync(at.StreamKey!, at.Version, at.Timestamp, (await Snapshots.ChainHashAsync(at.StreamKey!, at.Version))!, stateType, json);

    [Fact]
    public async Task Latest_AtOrBeforeAnInstant_IsTheNewestSnapshotRecordedByThen()
    {
        var (stream, events) = await StreamOfAsync(6);
        await SaveAsync(events[1], """{"total": 2.00}""");
        await SaveAsync(events[3], """{"total":4.00 }""");

        Assert.Null(await Snapshots.LatestAsync(stream, State, events[0].Timestamp));
        Assert.Null(await Snapshots.LatestAsync(stream, State, events[1].Timestamp.AddTicks(-10)));
        var mid = await Snapshots.LatestAsync(stream, State, events[2].Timestamp);
        Assert.NotNull(mid);
        Assert.Equal(2, mid.Version);
        Assert.Equal(stream, mid.Stream);
        Assert.Equal(State, mid.StateType);
        Assert.Equal(events[1].Timestamp, mid.RecordedAt);
        Assert.Equal(await Snapshots.ChainHashAsync(stream, 2), mid.EventHash);
        Assert.Equal("""{"total": 2.00}""", mid.Json); // text, byte for byte as written (the MAC covers those bytes)
        Assert.True(mid.Authentic);

        Assert.Equal(2, (await Snapshots.LatestAsync(stream, State, events[1].Timestamp))!.Version); // at the instant itself
        Assert.Equal(2, (await Snapshots.LatestAsync(stream, State, events[3].Timestamp.AddTicks(-10)))!.Version);
        Assert.Equal(4, (await Snapshots.LatestAsync(stream, State, events[3].Timestamp))!.Version);
        Assert.Equal(4, (await Snapshots.LatestAsync(stream, State, events[3].Timestamp.ToOffset(TimeSpan.FromHours(8))))!.Version);
        Assert.Equal(4, (await Snapshots.LatestAsync(stream, State, null))!.Version);
        Assert.Null(await Snapshots.LatestAsync(NewStream(), State, null));
    }

    [Fact]
    public async Task LatestWithChainHash_IsLatest_AndTheChainHashOfItsEventNow_EvenWhenTheRowClaimsAnother()
    {
        var (stream, events) = await StreamOfAsync(5);
        await SaveAsync(events[1], """{"total": 2.00}""");
        var claimed = RandomNumberGenerator(); // a row written with the key (a leak, a bug) for an event hash of another history
        await Snapshots.SaveAsync(stream, 4, events[3].Timestamp, claimed, State, """{"total": 4.00}""");

        var newest = await Snapshots.LatestWithChainHashAsync(stream, State, null);
        Assert.NotNull(newest);
        Assert.Equal(4, newest.Snapshot.Version);
        Assert.Equal((await Snapshots.LatestAsync(stream, State, null))!.Json, newest.Snapshot.Json);
        Assert.Equal(claimed, newest.Snapshot.EventHash);
        Assert.Equal(await Snapshots.ChainHashAsync(stream, 4), newest.ChainHash);
        Assert.NotEqual(claimed, newest.ChainHash);

        var earlier = await Snapshots.LatestWithChainHashAsync(stream, State, events[2].Timestamp);
        Assert.Equal(2, earlier!.Snapshot.Version);
        Assert.Equal(await Snapshots.ChainHashAsync(stream, 2), earlier.ChainHash);
        Assert.Equal(earlier.Snapshot.EventHash, earlier.ChainHash);
        Assert.Null(await Snapshots.LatestWithChainHashAsync(stream, State, events[0].Timestamp));
        Assert.Null(await Snapshots.LatestWithChainHashAsync(NewStream(), State, null));

        // A row under another key is skipped, as LatestAsync skips it: the older authentic one answers, with its own hash.
        await SaveAsync(events[4], """{"total": 5.00}""", snapshots: new StreamSnapshots(fx.Service, StreamSnapshots.NewKey()));
        var skipping = await Snapshots.LatestWithChainHashAsync(stream, State, null);
        Assert.Equal(4, skipping!.Snapshot.Version);
        Assert.Equal(await Snapshots.ChainHashAsync(stream, 4), skipping.ChainHash);

        static byte[] RandomNumberGenerator() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    }

    [Fact]
    public async Task Latest_OfOneStateType_NeverReturnsAnotherTypesSnapshot()
    {
        var (stream, events) = await StreamOfAsync(3);
        await SaveAsync(events[0], """{"mine":true}""");
        await SaveAsync(events[2], """{"garbage":true}""", stateType: "counter/v0-old-schema");

        var mine = await Snapshots.LatestAsync(stream, State, null);
        Assert.Equal((1L, """{"mine":true}"""), (mine!.Version, mine.Json));
        Assert.Equal(3, (await Snapshots.LatestAsync(stream, "counter/v0-old-schema", null))!.Version);
        Assert.Null(await Snapshots.LatestAsync(stream, "counter/v2", null));
    }

    [Fact]
    public async Task Save_SameVersionTwice_KeepsTheFirst()
    {
        var (stream, events) = await StreamOfAsync(1);
        await SaveAsync(events[0], """{"total":1}""");
        await SaveAsync(events[0], """{"total":999}""");

        var kept = await Snapshots.LatestAsync(stream, State, null);
        Assert.Equal("""{"total":1}""", kept!.Json);
        Assert.True(kept.Authentic);
        Assert.Single(await AllOfAsync(stream));
    }

    [Fact]
    public async Task ServiceRole_MayInsertReadAndDeleteSnapshots_ButNeverUpdateOrTruncateThem()
    {
        var (stream, events) = await StreamOfAsync(2);
        await SaveAsync(events[0], """{"total":1}""");
        await SaveAsync(events[1], """{"total":2}""");

        foreach (var sql in new[]
        {
            "UPDATE ledger_cache.stream_snapshots SET state = '{\"total\":999}' WHERE stream_id = @s",
            "UPDATE ledger_cache.stream_snapshots SET version = version + 10 WHERE stream_id = @s",
            "TRUNCATE ledger_cache.stream_snapshots",
            "ALTER TABLE ledger_cache.stream_snapshots DROP COLUMN mac",
        })
        {
            await using var cmd = fx.Service.CreateCommand(sql);
            cmd.Parameters.AddWithValue("s", stream);
            var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.True(e.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {e.SqlState} {e.MessageText}");
        }
        Assert.Equal(2, (await Snapshots.LatestAsync(stream, State, null))!.Version);

        // What the grants allow: INSERT (above), SELECT (above) and DELETE, the whole cache of a stream at once.
        var other = await StreamOfAsync(1);
        await SaveAsync(other.Events[0], """{"total":1}""");
        await Snapshots.DeleteAsync(stream);
        Assert.Null(await Snapshots.LatestAsync(stream, State, null));
        Assert.Empty(await AllOfAsync(stream));
        Assert.NotNull(await Snapshots.LatestAsync(other.Stream, State, null)); // only that stream's
    }

    [Fact]
    public async Task LatestUpToSequence_PerStream_TheNewestAuthenticRowWhoseEventIsAtOrBelowTheSequence_WithItsChainHash()
    {
        // What the read models' daemon asks when it re-folds year streams it does not hold: it has folded the log up to a
        // sequence, so a snapshot of a later event is of no use to it, and a forged row never serves.
        var (a, aEvents) = await StreamOfAsync(5);
        var (b, bEvents) = await StreamOfAsync(3);
        var (c, _) = await StreamOfAsync(2); // no snapshot
        await SaveAsync(aEvents[1], """{"total":2}""");
        await SaveAsync(aEvents[3], """{"total":4}""");
        await SaveAsync(bEvents[0], """{"total":1}""");
        await SaveAsync(bEvents[2], """{"total":3000}""", snapshots: new StreamSnapshots(fx.Service, StreamSnapshots.NewKey())); // forged
        await SaveAsync(bEvents[1], """{"total":2}""", stateType: "other/v1");

        var all = await Snapshots.LatestUpToSequenceAsync([a, b, c, NewStream()], State, long.MaxValue);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), all.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(4, all[a].Snapshot.Version);
        Assert.Equal(await Snapshots.ChainHashAsync(a, 4), all[a].ChainHash);
        Assert.Equal(all[a].Snapshot.EventHash, all[a].ChainHash);
        Assert.Equal(1, all[b].Snapshot.Version); // the forged newer row skipped, the older authentic one serves
        Assert.True(all[b].Snapshot.Authentic);

        // Up to the sequence of a's event 3: its snapshot at 4 is beyond it, the one at 2 serves.
        var upTo = aEvents[2].Sequence;
        var bounded = await Snapshots.LatestUpToSequenceAsync([a], State, upTo);
        Assert.Equal(2, Assert.Single(bounded).Value.Snapshot.Version);
        Assert.Empty(await Snapshots.LatestUpToSequenceAsync([a], State, aEvents[1].Sequence - 1));
        Assert.Empty(await Snapshots.LatestUpToSequenceAsync([], State, long.MaxValue));
    }

    [Fact]
    public async Task LatestMany_PerStreamAndItsOwnStateType_TheNewestAuthenticRowAtOrBeforeTheInstant_WithItsChainHash()
    {
        // What an as-of read asks ahead for its year and candidate Renstra streams, in one query.
        var (a, aEvents) = await StreamOfAsync(5);
        var (b, bEvents) = await StreamOfAsync(3);
        var (c, _) = await StreamOfAsync(2); // no snapshot
        await SaveAsync(aEvents[1], """{"total":2}""");
        await SaveAsync(aEvents[3], """{"total":4}""");
        await SaveAsync(bEvents[0], """{"total":1}""", stateType: "other/v1");
        await SaveAsync(bEvents[1], """{"total":2}"""); // of the type a asks, not b's
        await SaveAsync(bEvents[2], """{"total":3000}""", stateType: "other/v1", snapshots: new StreamSnapshots(fx.Service, StreamSnapshots.NewKey())); // forged

        var all = await Snapshots.LatestManyWithChainHashAsync([(a, State), (b, "other/v1"), (c, State), (NewStream(), State)], null);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), all.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(4, all[a].Snapshot.Version);
        Assert.Equal(State, all[a].Snapshot.StateType);
        Assert.Equal(await Snapshots.ChainHashAsync(a, 4), all[a].ChainHash);
        Assert.Equal(all[a].Snapshot.EventHash, all[a].ChainHash);
        Assert.Equal(1, all[b].Snapshot.Version); // the forged newer row skipped, and the row of another type never read
        Assert.Equal("other/v1", all[b].Snapshot.StateType);
        Assert.True(all[b].Snapshot.Authentic);

        // As of a's third event: its row at 4 is later, the one at 2 serves; before its second, none.
        Assert.Equal(2, Assert.Single(await Snapshots.LatestManyWithChainHashAsync([(a, State)], aEvents[2].Timestamp)).Value.Snapshot.Version);
        Assert.Empty(await Snapshots.LatestManyWithChainHashAsync([(a, State)], aEvents[1].Timestamp.AddTicks(-10)));
        Assert.Empty(await Snapshots.LatestManyWithChainHashAsync([], null));
    }

    [Fact]
    public async Task SealedEvent_IsTheChainHashAndRecordedTimeOfTheEvent_OrNullWhenThereIsNone()
    {
        var (stream, events) = await StreamOfAsync(2);
        var sealedEvent = await Snapshots.SealedEventAsync(stream, 2);
        Assert.NotNull(sealedEvent);
        Assert.Equal(await Snapshots.ChainHashAsync(stream, 2), sealedEvent.Value.Hash);
        Assert.Equal(events[1].Timestamp, sealedEvent.Value.RecordedAt);
        Assert.Null(await Snapshots.SealedEventAsync(stream, 3));
    }

    [Fact]
    public async Task Latest_RowWrittenUnderAnotherKey_IsNeverReturned_AnOlderAuthenticOneStillServes()
    {
        var (stream, events) = await StreamOfAsync(3);
        await SaveAsync(events[0], """{"total":1}""");
        // Well-formed, right type, right event hash, newest: but written without the service's key (by whoever can INSERT).
        await SaveAsync(events[2], """{"total":1000000}""", snapshots: new StreamSnapshots(fx.Service, StreamSnapshots.NewKey()));

        var latest = await Snapshots.LatestAsync(stream, State, null);
        Assert.Equal(1, latest!.Version);
        Assert.Equal("""{"total":1}""", latest.Json);
        var forged = Assert.Single(await AllOfAsync(stream), s => s.Version == 3);
        Assert.False(forged.Authentic);
    }

    /// <summary>The MAC covers every column a reader trusts: a superuser's edit of any of them makes the row unusable.</summary>
    [Theory]
    [InlineData("state = '{\"total\":1000000}'")]
    [InlineData("state_type = 'counter/v1 '")]
    [InlineData("stream_id = stream_id || '-moved'")]
    [InlineData("version = version + 100")]
    [InlineData("recorded_at = recorded_at - interval '1 microsecond'")]
    [InlineData("event_hash = sha256(event_hash)")]
    [InlineData("mac = sha256(mac)")]
    public async Task Latest_RowAlteredInTheDatabase_FailsItsMacAndIsNeverReturned(string change)
    {
        var (stream, events) = await StreamOfAsync(1);
        await SaveAsync(events[0], """{"total":1}""");
        Assert.True((await Snapshots.LatestAsync(stream, State, null))!.Authentic);

        await fx.Database.AsSuperuserBypassingTriggersAsync($"UPDATE ledger_cache.stream_snapshots SET {change} WHERE stream_id = @s", ("s", stream));

        var altered = Assert.Single(await AllOfAsync(stream + "%"));
        Assert.False(altered.Authentic);
        Assert.Null(await Snapshots.LatestAsync(altered.Stream, altered.StateType, null));
        Assert.Null(await Snapshots.LatestAsync(stream, State, null));
    }

    /// <summary>Every row of streams whose id is LIKE <paramref name="pattern"/>, as the verifier sees them.</summary>
    private async Task<List<StreamSnapshot>> AllOfAsync(string pattern)
    {
        var rows = new List<StreamSnapshot>();
        await foreach (var row in Snapshots.AllWithTheirEventsAsync())
        {
            var s = row.Snapshot;
            if (s.Stream == pattern || (pattern.EndsWith('%') && s.Stream.StartsWith(pattern[..^1], StringComparison.Ordinal))) rows.Add(s);
        }
        return rows;
    }
}
