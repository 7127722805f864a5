using System.Collections.Concurrent;
using Ledger.EventStore;
using Npgsql;
using static Ledger.EventStore.Tests.Events;

namespace Ledger.EventStore.Tests;

/// <summary>Reading the whole log: in sequence order, never skipping a late commit, never delivering twice.</summary>
public sealed class GlobalLogTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    /// <summary>Starts an append in an open transaction (it holds a sequence number) and leaves it uncommitted.</summary>
    private async Task<(NpgsqlConnection Conn, NpgsqlTransaction Tx, Guid Id)> BeginUncommittedAppend(string stream)
    {
        var conn = await fx.Database.Owner.OpenConnectionAsync();
        var tx = await conn.BeginTransactionAsync();
        var id = Guid.NewGuid();
        await using var cmd = new NpgsqlCommand(
            "SELECT conflict FROM eventstore.append(@s, 'counter', 'agency-a', NULL, @ids, @types, @data, NULL, NULL, NULL, NULL, NULL, NULL)", conn, tx);
        cmd.Parameters.AddWithValue("s", stream);
        cmd.Parameters.AddWithValue("ids", new[] { id });
        cmd.Parameters.AddWithValue("types", new[] { "counter.incremented.v1" });
        cmd.Parameters.Add(new NpgsqlParameter("data", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = new[] { """{"n":0}""" } });
        Assert.Equal(false, await cmd.ExecuteScalarAsync());
        return (conn, tx, id);
    }

    private static async Task<List<RecordedEvent>> DrainAsync(AllStreamReader reader, GlobalPosition from, int expected, TimeSpan timeout)
    {
        var all = new List<RecordedEvent>();
        var position = from;
        var deadline = DateTime.UtcNow + timeout;
        while (all.Count < expected && DateTime.UtcNow < deadline)
        {
            var page = await reader.ReadNextAsync(position, 500);
            if (page.Count == 0) { await Task.Delay(5); continue; }
            all.AddRange(page);
            position = new GlobalPosition(page[^1].Sequence);
        }
        return all;
    }

    private async Task<GlobalPosition> HeadAsync()
    {
        await using var cmd = fx.Database.Owner.CreateCommand("SELECT coalesce(max(seq), 0) FROM eventstore.events");
        return new GlobalPosition((long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ReadAll_LaterSequenceCommitsFirst_WaitsForTheEarlierOneAndDeliversBothInOrder()
    {
        var start = await HeadAsync();
        var (conn, tx, slowId) = await BeginUncommittedAppend(NewStream());   // takes seq N, not committed
        var fast = await fx.Store.AppendAsync(Request(NewStream(), ExpectedVersion.Any, Counter(1))); // takes N+1, committed

        var reader = fx.Store.CreateAllStreamReader();
        var early = await reader.ReadNextAsync(start, 100);
        Assert.DoesNotContain(early, e => e.Sequence >= fast.Sequences[0] - 1); // neither N nor N+1 yet: N+1 must wait for N
        Assert.True(reader.SafePosition < fast.Sequences[0]);
        Assert.NotNull(reader.PendingSince);

        await tx.CommitAsync();
        await conn.DisposeAsync();

        var after = await DrainAsync(reader, start, 2, TimeSpan.FromSeconds(10));
        Assert.Equal([slowId, fast.Stream.Value == "" ? Guid.Empty : (await fx.Store.ReadStreamAsync(fast.Stream))[0].Id], after.Select(e => e.Id));
        Assert.True(after[0].Sequence < after[1].Sequence);
    }

    [Fact]
    public async Task ReadAll_RolledBackSequenceNumber_IsPassedOverWithoutLosingLaterEvents()
    {
        var start = await HeadAsync();
        var (conn, tx, _) = await BeginUncommittedAppend(NewStream());
        var committed = await fx.Store.AppendAsync(Request(NewStream(), ExpectedVersion.Any, Counter(1)));
        await tx.RollbackAsync();
        await conn.DisposeAsync();

        var reader = fx.Store.CreateAllStreamReader();
        var events = await DrainAsync(reader, start, 1, TimeSpan.FromSeconds(10));
        Assert.Single(events);
        Assert.Equal(committed.Sequences[0], events[0].Sequence);
    }

    [Fact]
    public async Task ReadAll_WhileConcurrentWritersAppend_DeliversEveryCommittedEventExactlyOnceInOrder()
    {
        var start = await HeadAsync();
        const int writers = 8, perWriter = 150;
        var written = new ConcurrentBag<Guid>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var stream = NewStream();
            for (var i = 0; i < perWriter; i++)
            {
                // A mix of single events and small batches, some in transactions that roll back.
                var batch = Enumerable.Range(0, 1 + i % 3).Select(k => Counter(k)).ToArray();
                if (i % 10 == 7)
                {
                    var (conn, tx, _) = await BeginUncommittedAppend(NewStream());
                    await tx.RollbackAsync();
                    await conn.DisposeAsync();
                }
                await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Any, batch), cts.Token);
                foreach (var e in batch) written.Add(e.Id);
            }
        })).ToList();

        var reader = fx.Store.CreateAllStreamReader();
        var delivered = new List<RecordedEvent>();
        var position = start;
        var allWritten = Task.WhenAll(writing);
        while (!cts.IsCancellationRequested)
        {
            var page = await reader.ReadNextAsync(position, 200, cts.Token);
            delivered.AddRange(page);
            if (page.Count > 0) position = new GlobalPosition(page[^1].Sequence);
            else if (allWritten.IsCompleted && delivered.Count >= written.Count) break;
            else await Task.Delay(2);
        }
        await allWritten;

        var missing = written.Except(delivered.Select(e => e.Id)).ToList();
        if (missing.Count > 0)
        {
            await using var q = fx.Database.Owner.CreateCommand("SELECT string_agg(seq::text || ':' || stream_id || ':' || version, ',') FROM eventstore.events WHERE id = ANY(@ids)");
            q.Parameters.AddWithValue("ids", missing.ToArray());
            var info = await q.ExecuteScalarAsync();
            Assert.Fail($"missing {missing.Count}: {info}; safe={reader.SafePosition}, position={position}, pendingSince={reader.PendingSince}, lastDelivered={delivered[^1].Sequence}");
        }
        Assert.Equal(written.Count, delivered.Count);
        Assert.Equal(delivered.Count, delivered.Select(e => e.Id).Distinct().Count());
        Assert.True(delivered.Zip(delivered.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "not in sequence order");
        Assert.Equal(written.OrderBy(g => g), delivered.Select(e => e.Id).OrderBy(g => g));
    }
}
