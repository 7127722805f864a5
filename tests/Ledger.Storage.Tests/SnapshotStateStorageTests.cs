using Npgsql;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// storage/0002 (twenty-fourth session): a snapshot's state is kept compressed in its row, so that looking up a stream's
/// newest row reads one heap page, not the row's page and its out-of-line chunks. A state the size of a year's (a few KB
/// compressed, which PostgreSQL moved out of line above about 2 KB before) leaves the table's TOAST relation as it was;
/// one that would not fit a page even compressed still goes out of line, as before, and reads back the same.
/// </summary>
public sealed class SnapshotStateStorageTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    private const string State = "storage-probe/v1";
    private static readonly byte[] Key = StreamSnapshots.NewKey();

    private StreamSnapshots Snapshots => new(fx.Service, Key);

    /// <summary>Indicator-like objects: their keys repeat (pglz compresses them), their numbers and codes do not.</summary>
    private static string YearLikeState(int objects, Random rnd) =>
        "{\"indicators\":[" + string.Join(",", Enumerable.Range(0, objects).Select(i =>
            $"{{\"code\":\"IK{rnd.Next(100_000):D5}\",\"target\":{rnd.Next(100_000) / 100m},\"realizations\":[{rnd.Next(100_000) / 100m},{rnd.Next(100_000) / 100m},{rnd.Next(100_000) / 100m},{rnd.Next(100_000) / 100m}]}}")) + "]}";

    private async Task<T> ScalarAsync<T>(string sql, string? stream = null)
    {
        await using var cmd = fx.Service.CreateCommand(sql);
        if (stream is not null) cmd.Parameters.Add(new NpgsqlParameter<string>("s", stream));
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private Task<long> ToastBytesAsync() => ScalarAsync<long>(
        "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'ledger_cache.stream_snapshots'::regclass");

    private async Task SaveAsync(string stream, string json)
    {
        await fx.AppendOneByOneAsync(stream, 1);
        var sealedEvent = (await Snapshots.SealedEventAsync(stream, 1))!.Value;
        await Snapshots.SaveAsync(stream, 1, sealedEvent.RecordedAt, sealedEvent.Hash, State, json);
    }

    [Fact]
    public async Task AYearSizedState_StaysInItsRow_AndOneTooLargeForAPage_StillGoesOutOfLine_BothReadBack()
    {
        var rnd = new Random(24);
        var yearSized = YearLikeState(150, rnd);
        var stream = NewStream();
        Assert.Equal(["toast_tuple_target=8160"], await ScalarAsync<string[]>(
            "SELECT reloptions FROM pg_class WHERE oid = 'ledger_cache.stream_snapshots'::regclass"));
        var toastBefore = await ToastBytesAsync();
        await SaveAsync(stream, yearSized);

        // The precondition: stored compressed, at a size PostgreSQL's default would have moved out of line (over ~2 KB),
        // under a page.
        var stored = await ScalarAsync<int>("SELECT pg_column_size(state) FROM ledger_cache.stream_snapshots WHERE stream_id = @s", stream);
        Assert.InRange(stored, 2_500, 7_000);
        Assert.True(stored < System.Text.Encoding.UTF8.GetByteCount(yearSized), $"compressed: {stored} bytes");
        Assert.Equal(toastBefore, await ToastBytesAsync());
        Assert.Equal(yearSized, (await Snapshots.LatestAsync(stream, State, null))!.Json);

        // Too large for a page even compressed: out of line, as before, and read back whole.
        var large = YearLikeState(1_500, rnd);
        var other = NewStream();
        await SaveAsync(other, large);
        Assert.True(await ToastBytesAsync() > toastBefore);
        Assert.Equal(large, (await Snapshots.LatestAsync(other, State, null))!.Json);
    }
}
