using System.Text.Json;
using Ledger.Api.Features.Reads;
using Ledger.Api.Tests.ReadModels;
using Ledger.Api.Tests.Writes;
using Ledger.Domain.PerformanceYears;
using Ledger.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Audit;

/// <summary>
/// Issue 11, "derived state is never evidence": every stream snapshot row is checked by GET /api/audit/verify (and the
/// <c>verify</c> verb) against the log: its MAC under the service's key, its event hash and recorded time against the
/// stream's event at its version, its state against a replay. A superuser or the service role forging a row without the
/// key, and someone holding the key (a leak) writing a false one, are each named by stream, state type and version.
/// Every test leaves the database as it found it (the forged rows deleted: the cache may always be emptied), so the
/// class's tests can share one service.
/// </summary>
public sealed class VerifySnapshotsTests(DerivedStateApiFactory f) : IClassFixture<DerivedStateApiFactory>
{
    private const string Table = "ledger_cache.stream_snapshots";

    /// <summary>The story of ReadModelStory.WriteAsync (9 events on the year stream), read once: snapshots at 3, 6 and 9 under the service's key.</summary>
    private async Task<(Surakarta S, IReadOnlyList<JasperFx.Events.IEvent> Events)> StoryWithSnapshotsAsync()
    {
        var s = await ReadModelStory.WriteAsync(f);
        await DerivedState.GetAsync(f, $"/api/agencies/{s.Agency}/performance/2023", s.Staff);
        var events = await f.EventsAsync(s.YearStream);
        Assert.Equal(9, events.Count);
        Assert.Equal(3, await f.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_cache.stream_snapshots WHERE stream_id = @s", ("s", s.YearStream)));
        await ReadModelStory.CatchUpAsync(f);
        return (s, events);
    }

    private static string Lie(Surakarta s) =>
        ReadLoader.YearCodec.Serialize(PerformanceYearState.Initial(s.Agency, 2023) with { Closed = true, SnapshotHash = "forged" });

    private static string Truth(Surakarta s, IReadOnlyList<JasperFx.Events.IEvent> events, long version) =>
        ReadLoader.YearCodec.Serialize(PerformanceYear.Replay(s.Agency, 2023, events.Take((int)version).Select(StreamLoader.Decode)));

    private async Task DeleteAsync(string stream, params long[] versions)
    {
        await using var cmd = f.Database.Owner.CreateCommand("DELETE FROM ledger_cache.stream_snapshots WHERE stream_id = @s AND version = ANY(@v)");
        cmd.Parameters.AddWithValue("s", stream);
        cmd.Parameters.AddWithValue("v", versions);
        await cmd.ExecuteNonQueryAsync();
    }

    private static JsonElement Named(JsonElement verify, string stream, long version, string stateType)
    {
        var rows = verify.GetProperty("snapshots").GetProperty("problems").EnumerateArray()
            .Where(p => p.GetProperty("stream").GetString() == stream && p.GetProperty("version").GetInt64() == version).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(stateType, row.GetProperty("stateType").GetString());
        // The same row is a problem of the whole verification, naming stream, state type and version.
        Assert.Contains(verify.Problems(Table), p => p.GetProperty("problem").GetString()!.Contains($"the snapshot of {stream} ({stateType}) at version {version}:")
            && p.GetProperty("sequence").ValueKind == JsonValueKind.Null);
        return row;
    }

    [Fact]
    public async Task Verify_UntouchedServiceWithSnapshots_IsOkAndChecksEveryRow()
    {
        var (s, _) = await StoryWithSnapshotsAsync();
        var v = await DerivedState.VerifyAsync(f);
        Assert.True(v.GetProperty("ok").GetBoolean(), v.GetRawText());
        Assert.Empty(v.GetProperty("problems").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, v.GetProperty("derivedStateSkipped").ValueKind);
        var snapshots = v.GetProperty("snapshots");
        Assert.True(snapshots.GetProperty("checked").GetInt64() >= 3);
        Assert.Equal(snapshots.GetProperty("rows").GetInt64(), snapshots.GetProperty("checked").GetInt64() + snapshots.GetProperty("notChecked").GetInt64());
        Assert.Equal(6, v.GetProperty("readModels").GetArrayLength());
        Assert.All(v.GetProperty("readModels").EnumerateArray(), t => Assert.True(t.GetProperty("rowsChecked").GetInt64() > 0, t.GetRawText()));
        Assert.True(v.GetProperty("timings").GetProperty("readModelsMs").GetInt64() >= 0);
        Assert.True(await f.Database.ScalarAsync<long>("SELECT count(*) FROM ledger_cache.stream_snapshots WHERE stream_id = @s", ("s", s.YearStream)) == 3);
    }

    public static TheoryData<string> Forgers => new() { "superuser", "service role" };

    /// <summary>
    /// A row forged without the service's key (a superuser; or the service role, which may INSERT snapshots) with the right
    /// state type, the right event hash and recorded time and a false state: reads already ignore it; verify names it as
    /// not authentic and false, until it is deleted.
    /// </summary>
    [Theory]
    [MemberData(nameof(Forgers))]
    public async Task Verify_SnapshotForgedWithoutTheKey_IsNamedUntilDeleted(string forger)
    {
        var (s, events) = await StoryWithSnapshotsAsync();
        var version = forger == "superuser" ? 4 : 5;
        var at = events[version - 1];
        await using var dataSource = forger == "superuser" ? null : f.ServiceRoleDataSource();
        var forged = new StreamSnapshots(dataSource ?? f.Database.Owner, StreamSnapshots.NewKey()); // not the service's key
        var hash = (await forged.ChainHashAsync(s.YearStream, version))!;
        await forged.SaveAsync(s.YearStream, version, at.Timestamp, hash, ReadLoader.YearCodec.StateType, Lie(s));
        try
        {
            var v = await DerivedState.VerifyAsync(f);
            Assert.False(v.GetProperty("ok").GetBoolean());
            Assert.Equal(JsonValueKind.Null, v.GetProperty("firstBrokenSequence").ValueKind); // the log itself is intact
            var problem = Named(v, s.YearStream, version, ReadLoader.YearCodec.StateType).GetProperty("problem").GetString()!;
            Assert.Contains("not authentic", problem);
            Assert.Contains($"its state is not the replay of the stream's events 1..{version}", problem);
            Assert.DoesNotContain("another history", problem);
            Assert.Single(v.Problems(Table));
        }
        finally
        {
            await DeleteAsync(s.YearStream, version);
        }
        Assert.True((await DerivedState.VerifyAsync(f)).GetProperty("ok").GetBoolean());
    }

    /// <summary>
    /// With the key (leaked, or a bug in the service), a row passes the MAC: its content is what is checked. A false state,
    /// an event hash of another history and a recorded time not its event's are each named; a row with the key and the
    /// true content is not.
    /// </summary>
    [Fact]
    public async Task Verify_SnapshotsWrittenWithTheServicesKey_FalseStateOtherHistoryOrTime_AreEachNamed()
    {
        var (s, events) = await StoryWithSnapshotsAsync();
        var leaked = f.Services.GetRequiredService<StreamSnapshots>(); // the service's own instance: its key
        async Task<byte[]> HashAsync(long version) => (await leaked.ChainHashAsync(s.YearStream, version))!;
        var type = ReadLoader.YearCodec.StateType;
        await leaked.SaveAsync(s.YearStream, 7, events[6].Timestamp, await HashAsync(7), type, Lie(s));
        await leaked.SaveAsync(s.YearStream, 8, events[7].Timestamp, new byte[32], type, Truth(s, events, 8));
        await leaked.SaveAsync(s.YearStream, 2, events[0].Timestamp, await HashAsync(2), type, Truth(s, events, 2));
        await leaked.SaveAsync(s.YearStream, 4, events[3].Timestamp, await HashAsync(4), type, Truth(s, events, 4)); // true in every way
        try
        {
            var v = await DerivedState.VerifyAsync(f);
            Assert.False(v.GetProperty("ok").GetBoolean());
            var falseState = Named(v, s.YearStream, 7, type).GetProperty("problem").GetString()!;
            Assert.Equal("its state is not the replay of the stream's events 1..7", falseState);
            var otherHistory = Named(v, s.YearStream, 8, type).GetProperty("problem").GetString()!;
            Assert.Equal("taken of another history: its event hash is not the chain hash of the stream's event at that version", otherHistory);
            var wrongTime = Named(v, s.YearStream, 2, type).GetProperty("problem").GetString()!;
            Assert.StartsWith("its recorded time ", wrongTime);
            Assert.Contains("is not its event's", wrongTime);
            Assert.Equal(3, v.Problems(Table).Count);
            Assert.Equal(3, v.GetProperty("snapshots").GetProperty("problems").GetArrayLength());
        }
        finally
        {
            await DeleteAsync(s.YearStream, 2, 4, 7, 8);
        }
        Assert.True((await DerivedState.VerifyAsync(f)).GetProperty("ok").GetBoolean());
    }

    /// <summary>
    /// A row written with the key whose state type is not its stream's kind (a Renstra state on a year stream, a year state
    /// on a Renstra stream) is named, by the one stream-key parser the read models use.
    /// </summary>
    [Fact]
    public async Task Verify_SnapshotsOfTheWrongKindForTheirStream_AreEachNamed()
    {
        var (s, events) = await StoryWithSnapshotsAsync();
        var leaked = f.Services.GetRequiredService<StreamSnapshots>();
        var plan = Ledger.Domain.Renstras.Renstra.StreamName(s.Agency, 2021);
        var planEvents = await f.EventsAsync(plan);
        await leaked.SaveAsync(s.YearStream, 5, events[4].Timestamp, (await leaked.ChainHashAsync(s.YearStream, 5))!,
            ReadLoader.RenstraCodec.StateType, ReadLoader.RenstraCodec.Serialize(Ledger.Domain.Renstras.RenstraState.Initial));
        await leaked.SaveAsync(plan, 1, planEvents[0].Timestamp, (await leaked.ChainHashAsync(plan, 1))!, ReadLoader.YearCodec.StateType, Lie(s));
        try
        {
            var v = await DerivedState.VerifyAsync(f);
            Assert.False(v.GetProperty("ok").GetBoolean());
            Assert.Equal("a Renstra state on a stream that is not a Renstra stream",
                Named(v, s.YearStream, 5, ReadLoader.RenstraCodec.StateType).GetProperty("problem").GetString());
            Assert.Equal("a performance-year state on a stream that is not a year stream",
                Named(v, plan, 1, ReadLoader.YearCodec.StateType).GetProperty("problem").GetString());
            Assert.Equal(2, v.GetProperty("snapshots").GetProperty("problems").GetArrayLength());
        }
        finally
        {
            await DeleteAsync(s.YearStream, 5);
            await DeleteAsync(plan, 1);
        }
        Assert.True((await DerivedState.VerifyAsync(f)).GetProperty("ok").GetBoolean());
    }

    /// <summary>A row of another state type (older code: another fingerprint) is never read: listed as not checked, verify stays ok.</summary>
    [Fact]
    public async Task Verify_SnapshotOfAnUnknownStateType_IsListedAsNotCheckedAndVerifyStaysOk()
    {
        var (s, events) = await StoryWithSnapshotsAsync();
        const string older = "performance-year/v0+0123456789abcdef";
        var snapshots = f.Services.GetRequiredService<StreamSnapshots>();
        await snapshots.SaveAsync(s.YearStream, 9, events[8].Timestamp, (await snapshots.ChainHashAsync(s.YearStream, 9))!, older, """{"anything":1}""");
        try
        {
            var v = await DerivedState.VerifyAsync(f);
            Assert.True(v.GetProperty("ok").GetBoolean(), v.GetRawText());
            var snapshotsBody = v.GetProperty("snapshots");
            Assert.Equal(1, snapshotsBody.GetProperty("notChecked").GetInt64());
            var row = Assert.Single(snapshotsBody.GetProperty("notCheckedRows").EnumerateArray());
            Assert.Equal((s.YearStream, older, 9L), (row.GetProperty("stream").GetString(), row.GetProperty("stateType").GetString(), row.GetProperty("version").GetInt64()));
            Assert.StartsWith("not checked: unknown state type", row.GetProperty("problem").GetString());
        }
        finally
        {
            await DeleteAsync(s.YearStream, 9); // the service's own row at 9 goes too: a cache
        }
    }

    /// <summary>The <c>verify</c> verb (another process, the service role, the configured key) shows the same and exits 1.</summary>
    [Fact]
    public async Task VerifyCommand_ForgedSnapshotAndReadModelRow_PrintsBothAndExitsOneThenZeroOnceRemoved()
    {
        var (s, events) = await StoryWithSnapshotsAsync();
        var ok = await DerivedState.VerifyCommandAsync(f);
        Assert.True(ok.Code == 0, ok.Out);
        Assert.StartsWith("ok:", ok.Out);
        Assert.Contains("  snapshots: ", ok.Out);
        Assert.Contains("readmodel.indicator_state: ", ok.Out);
        Assert.Contains("equal to the recompute", ok.Out);
        Assert.Contains(", 0 forged", ok.Out); // the service's rows are authentic under the configured key in this process too

        var forged = new StreamSnapshots(f.Database.Owner, StreamSnapshots.NewKey());
        await forged.SaveAsync(s.YearStream, 5, events[4].Timestamp, (await forged.ChainHashAsync(s.YearStream, 5))!, ReadLoader.YearCodec.StateType, Lie(s));
        await using (var cmd = f.Database.Owner.CreateCommand("""
            INSERT INTO readmodel.pk_versions SELECT agency, year, 9, kind, signed_on, signer, reason, ground, targets, changes, actor, recorded_at, event_id, seq
              FROM readmodel.pk_versions WHERE agency = @a AND number = 0
            """))
        {
            cmd.Parameters.AddWithValue("a", s.Agency);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        try
        {
            var broken = await DerivedState.VerifyCommandAsync(f);
            Assert.True(broken.Code == 1, broken.Out);
            Assert.StartsWith("BROKEN: derived state differs from the log", broken.Out);
            Assert.Contains($"seq - {Table}: the snapshot of {s.YearStream} ({ReadLoader.YearCodec.StateType}) at version 5: not authentic", broken.Out);
            Assert.Contains($"seq - readmodel.pk_versions: readmodel.pk_versions differs from what sakip computes", broken.Out);
            Assert.Contains($"extra (agency={s.Agency}, year=2023, number=9)", broken.Out);
        }
        finally
        {
            await DeleteAsync(s.YearStream, 5);
            await using var cmd = f.Database.Owner.CreateCommand("DELETE FROM readmodel.pk_versions WHERE agency = @a AND number = 9");
            cmd.Parameters.AddWithValue("a", s.Agency);
            await cmd.ExecuteNonQueryAsync();
        }
        Assert.Equal(0, (await DerivedState.VerifyCommandAsync(f)).Code);
    }
}
