using JasperFx.Events;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// <see cref="StreamLoader"/>, the one reader of a stream: the whole stream in version order with its metadata, and the
/// bounds every read uses (as of an instant, up to a version, from a version) give exactly a prefix, a suffix or a range
/// of it, never an approximation. Ported from the old store's AppendAndReadTests and StreamSnapshotTests.
/// </summary>
public sealed class StreamLoaderTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    private static Guid[] Ids(IReadOnlyList<IEvent> events) => [.. events.Select(e => e.Id)];

    /// <summary>Everything an event read carries, as text: its class, metadata, headers and payload as JSON.</summary>
    private static string Fields(IEvent e) => string.Join(" | ",
        e.GetType().FullName, e.Id, e.Version, e.Sequence, e.StreamKey, e.StreamId, e.Timestamp.ToString("O"), e.Timestamp.Offset, e.TenantId,
        e.EventTypeName, e.DotNetTypeName, e.EventType.FullName, e.CorrelationId, e.CausationId, e.IsArchived, e.AggregateTypeName,
        e.Headers is null ? "no headers" : string.Join(",", e.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value?.GetType().Name}:{System.Text.Json.JsonSerializer.Serialize(h.Value, LedgerJson.Options)}")),
        e.Data.GetType().FullName, System.Text.Json.JsonSerializer.Serialize(e.Data, e.Data.GetType(), LedgerJson.Options));

    [Fact]
    public async Task ReadMany_GivesEachNamedStreamExactlyWhatReadGives_NowAndAsOfEveryInstant_InOneCall()
    {
        var (a, b, missing, prefix) = (NewStream(), NewStream(), NewStream(), NewStream());
        await fx.AppendAsync(a, 0, Spending(1m));
        await fx.AppendAsync(b, 0, Spending(2m), Spending(3m));
        await fx.AppendAsync(prefix + "-longer", 0, Spending(4m)); // a longer name is not its prefix
        await fx.AppendAsync(a, 1, Spending(5m));
        await fx.AppendAsync(b, 2, Spending(6m));

        var now = await fx.Loader.ReadManyAsync([a, missing, b, prefix, a], null);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), now.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Ids(await fx.Loader.ReadAsync(a)), Ids(now[a]));
        Assert.Equal(Ids(await fx.Loader.ReadAsync(b)), Ids(now[b]));
        Assert.Equal([1L, 2L, 3L], now[b].Select(e => e.Version));
        Assert.Equal("test", EventHeaderValues.Text(now[b][0], EventHeaders.Reason)); // with its metadata

        // As of each event's recorded time, and just before it: the same prefix as the one-stream read.
        foreach (var at in now.Values.SelectMany(e => e).Select(e => e.Timestamp).SelectMany(t => new[] { t, t.AddTicks(-10) }))
        {
            var then = await fx.Loader.ReadManyAsync([a, b], at);
            foreach (var stream in new[] { a, b })
            {
                var one = await fx.Loader.ReadAsync(stream, StreamBound.At(at));
                Assert.Equal(Ids(one), then.TryGetValue(stream, out var many) ? Ids(many) : []);
            }
        }
        Assert.Empty(await fx.Loader.ReadManyAsync([], null));
        Assert.Empty(await fx.Loader.ReadManyAsync([missing.ToUpperInvariant(), a + " ", a.ToUpperInvariant()], null));
    }

    [Fact]
    public async Task ReadManyBounded_GivesEachStreamExactlyWhatReadGivesWithItsBound_InOneCall()
    {
        var (a, b, c, missing) = (NewStream(), NewStream(), NewStream(), NewStream());
        await fx.AppendAsync(a, 0, Spending(1m), Spending(2m));
        await fx.AppendAsync(b, 0, Spending(3m));
        await fx.AppendAsync(a, 2, Spending(4m));
        await fx.AppendAsync(c, 0, Spending(5m), Spending(6m), Spending(7m));
        await fx.AppendAsync(b, 1, Spending(8m), Spending(9m));
        await fx.AppendAsync(a, 3, Spending(10m));
        await fx.AppendAsync(c, 3, Spending(11m));

        var instants = new List<DateTimeOffset?> { null };
        foreach (var s in new[] { a, b, c })
            foreach (var t in (await fx.Loader.ReadAsync(s)).Select(x => x.Timestamp).Distinct())
                instants.AddRange([t, t.AddTicks(-10), t.ToOffset(TimeSpan.FromHours(7))]);
        var bounds = new List<Func<DateTimeOffset?, StreamBound>>
        {
            at => StreamBound.At(at),
            at => new StreamBound { AsOf = at, FromVersion = 2 },
            at => new StreamBound { AsOf = at, UpToVersion = 2 },
            at => new StreamBound { AsOf = at, FromVersion = 2, UpToVersion = 3 },
            at => new StreamBound { AsOf = at, FromVersion = 4 },
            at => new StreamBound { AsOf = at, FromVersion = 9 },
        };
        var checkedNonEmpty = 0;
        foreach (var at in instants)
            for (var i = 0; i < bounds.Count; i++)
            {
                // Each stream with another bound in the same call.
                (string Stream, StreamBound Bound)[] reads =
                [(a, bounds[i](at)), (b, bounds[(i + 1) % bounds.Count](at)), (c, bounds[(i + 3) % bounds.Count](at)), (missing, bounds[i](at))];
                var many = await fx.Loader.ReadManyAsync(reads);
                Assert.Equal(reads.Length, many.Count);
                for (var k = 0; k < reads.Length; k++)
                {
                    var one = await fx.Loader.ReadAsync(reads[k].Stream, reads[k].Bound);
                    Assert.Equal(Ids(one), Ids(many[k]));
                    Assert.Equal(one.Select(x => x.Version), many[k].Select(x => x.Version));
                    // Marten's read of the stream and the hand-written statement give the same events, field by field.
                    Assert.Equal(one.Select(Fields), many[k].Select(Fields));
                    checkedNonEmpty += one.Count > 0 ? 1 : 0;
                }
            }
        Assert.True(checkedNonEmpty > 50, $"{checkedNonEmpty} non-empty reads compared");
        Assert.Empty(await fx.Loader.ReadManyAsync(Array.Empty<(string, StreamBound)>()));
        await Assert.ThrowsAsync<ArgumentException>(() => fx.Loader.ReadManyAsync([(a, StreamBound.Whole), (a, new StreamBound { FromVersion = 2 })]));
    }

    [Fact]
    public async Task Read_WholeStream_EveryEventInVersionOrderWithItsMetadataAndExactPayload()
    {
        var stream = NewStream();
        var first = await fx.AppendAsync(stream, 0, Spending(1.50m), new SpendingRecorded("5.03.\"02\" ✓", 0.80m, "Q2", 0.80m, 1_000_000m, true));
        var second = await fx.AppendAsync(stream, 2, Spending(3m));

        var read = await fx.Loader.ReadAsync(stream);
        Assert.Equal([.. first, .. second], Ids(read));
        Assert.Equal([1L, 2L, 3L], read.Select(e => e.Version));
        Assert.True(read[0].Sequence < read[1].Sequence && read[1].Sequence < read[2].Sequence, "sequences rise with the version");
        Assert.All(read, e => Assert.Equal(stream, e.StreamKey));
        Assert.Equal(read[0].Timestamp, read[1].Timestamp); // one append, one transaction, one recorded time
        Assert.True(read[2].Timestamp > read[1].Timestamp);

        // Metadata as the command wrote it.
        Assert.Equal("test", EventHeaderValues.Text(read[0], EventHeaders.Reason));
        Assert.Equal("bkpsdm-test", EventHeaderValues.Text(read[0], EventHeaders.Agency));
        Assert.Contains("\"nip\":\"198004122000031003\"", EventHeaderValues.ActorJson(read[0])!.Replace(" ", ""));
        Assert.Equal("corr-" + stream, read[0].CorrelationId);

        // The payload decodes to the domain event, decimals with their scale, text with its quotes and non-ASCII.
        var decoded = (SpendingRecorded)StreamLoader.Decode(read[1]);
        Assert.Equal("5.03.\"02\" ✓", decoded.Code);
        Assert.Equal("0.80", decoded.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3, (await fx.Loader.ReadDomainAsync(stream)).Count);
        var stored = await fx.Loader.StoredJsonAsync(read[0].Sequence);
        Assert.Contains("1.50", stored); // jsonb keeps a decimal's scale: 1.50 stays 1.50

        Assert.Equal(3, await fx.Loader.VersionAsync(stream));
        Assert.Equal(0, await fx.Loader.VersionAsync(NewStream()));
        Assert.Empty(await fx.Loader.ReadAsync(NewStream()));
    }

    [Fact]
    public async Task Read_AsOfEachRecordedInstant_ReturnsExactlyThePrefixRecordedByThen()
    {
        var stream = NewStream();
        var appends = new List<Guid[]>();
        for (var i = 0; i < 4; i++)
        {
            // One or two events per append; each append is its own transaction, so its own recorded time.
            appends.Add(i % 2 == 0
                ? await fx.AppendAsync(stream, appends.Sum(a => a.Length), Spending(i))
                : await fx.AppendAsync(stream, appends.Sum(a => a.Length), Spending(i), Spending(i + 0.5m)));
        }
        var all = await fx.Loader.ReadAsync(stream);
        var instants = all.Select(e => e.Timestamp).Distinct().ToList();
        Assert.Equal(appends.Count, instants.Count);

        Assert.Empty(await fx.Loader.ReadAsync(stream, StreamBound.At(instants[0].AddTicks(-10))));
        for (var i = 0; i < appends.Count; i++)
        {
            var prefix = appends.Take(i + 1).SelectMany(a => a).ToArray();
            Assert.Equal(prefix, Ids(await fx.Loader.ReadAsync(stream, StreamBound.At(instants[i]))));
            // One microsecond (PostgreSQL's resolution) before the next append: still exactly this prefix.
            if (i + 1 < appends.Count)
                Assert.Equal(prefix, Ids(await fx.Loader.ReadAsync(stream, StreamBound.At(instants[i + 1].AddTicks(-10)))));
        }
        // The bound is an instant, whatever its offset.
        Assert.Equal(appends[0], Ids(await fx.Loader.ReadAsync(stream, StreamBound.At(instants[0].ToOffset(TimeSpan.FromHours(7))))));
        Assert.Equal(Ids(all), Ids(await fx.Loader.ReadAsync(stream, StreamBound.At(null))));
        Assert.Equal(appends[0].Length, (await fx.Loader.ReadDomainAsync(stream, StreamBound.At(instants[0]))).Count);
    }

    [Fact]
    public async Task Read_UpToVersion_ReturnsExactlyThatPrefix()
    {
        var stream = NewStream();
        var ids = await fx.AppendAsync(stream, 0, Spending(1), Spending(2), Spending(3), Spending(4), Spending(5));

        for (var v = 1; v <= ids.Length; v++)
            Assert.Equal(ids.Take(v), Ids(await fx.Loader.ReadAsync(stream, new StreamBound { UpToVersion = v })));
        Assert.Equal(ids, Ids(await fx.Loader.ReadAsync(stream, new StreamBound { UpToVersion = 99 })));
    }

    [Fact]
    public async Task Read_FromVersion_ReturnsExactlyTheSuffix_AlsoWithinAnUpToVersionOrAnAsOfBound()
    {
        var stream = NewStream();
        var ids = await fx.AppendOneByOneAsync(stream, 6);
        var all = await fx.Loader.ReadAsync(stream);

        for (var from = 1; from <= ids.Length; from++)
            Assert.Equal(ids.Skip(from - 1), Ids(await fx.Loader.ReadAsync(stream, new StreamBound { FromVersion = from })));
        Assert.Empty(await fx.Loader.ReadAsync(stream, new StreamBound { FromVersion = ids.Length + 1 }));

        // A version range, as the snapshot reader asks for one interval: from 2 up to 4 inclusive.
        Assert.Equal(ids[1..4], Ids(await fx.Loader.ReadAsync(stream, new StreamBound { FromVersion = 2, UpToVersion = 4 })));
        // A suffix cut by an instant: from 2 as of version 4's recorded time.
        Assert.Equal(ids[1..4], Ids(await fx.Loader.ReadAsync(stream, new StreamBound { FromVersion = 2, AsOf = all[3].Timestamp })));
        Assert.Empty(await fx.Loader.ReadAsync(stream, new StreamBound { FromVersion = 5, AsOf = all[3].Timestamp }));
    }

    [Fact]
    public async Task Versions_RunPrepared_OnTheirOwnConnection_NeverInsideAPinnedTransaction_AndStayRightAfterARollback()
    {
        // One connection in the pool, so the statement's connection is the one inspected afterwards.
        await using var one = Npgsql.NpgsqlDataSource.Create(fx.ServiceConnectionString + ";Maximum Pool Size=1");
        var loader = new StreamLoader(fx.Store, one);
        var (a, b, missing) = (NewStream(), NewStream(), NewStream());
        await fx.AppendAsync(a, 0, Spending(1m), Spending(2m));
        await fx.AppendAsync(b, 0, Spending(3m));

        async Task<long> PreparedHeadsStatements(Npgsql.NpgsqlConnection c)
        {
            await using var cmd = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%unnest((SELECT $1::text[])) AS s(id)%'", c);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        // Inside a pinned transaction (a close, a read in one snapshot): answered, never prepared there.
        await using (var c = await one.OpenConnectionAsync())
        {
            await using var tx = await c.BeginTransactionAsync();
            Assert.Equal(new Dictionary<string, long> { [a] = 2, [b] = 1 }, await loader.On(tx).VersionsAsync([a, b, missing]));
            Assert.Equal(0, await PreparedHeadsStatements(c));
            await tx.RollbackAsync();
        }

        // On its own: prepared on the pooled connection, once however often it is asked.
        Assert.Equal(new Dictionary<string, long> { [a] = 2, [b] = 1 }, await loader.VersionsAsync([a, b, missing]));
        await fx.AppendAsync(a, 2, Spending(4m));
        Assert.Equal(new Dictionary<string, long> { [a] = 3, [b] = 1 }, await loader.VersionsAsync([missing, b, a]));
        await using (var c = await one.OpenConnectionAsync())
        {
            Assert.Equal(1, await PreparedHeadsStatements(c));
            // A transaction that fails and rolls back on that connection (as a refused append does) ...
            await using var tx = await c.BeginTransactionAsync();
            await using var bad = new Npgsql.NpgsqlCommand("SELECT 1/0", c, tx);
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => bad.ExecuteScalarAsync());
            await tx.RollbackAsync();
        }
        // ... leaves the prepared statement answering right.
        await fx.AppendAsync(b, 1, Spending(5m));
        Assert.Equal(new Dictionary<string, long> { [a] = 3, [b] = 2 }, await loader.VersionsAsync([a, b]));
        Assert.Empty(await loader.VersionsAsync([missing]));
    }

    [Fact]
    public async Task PreparedStatements_ArePlannedOncePerConnection_NotForEveryArray()
    {
        // One connection in the pool, so both statements are prepared on the connection inspected afterwards.
        await using var one = Npgsql.NpgsqlDataSource.Create(fx.ServiceConnectionString + ";Maximum Pool Size=1");
        var loader = new StreamLoader(fx.Store, one);
        var streams = Enumerable.Range(0, 12).Select(_ => NewStream()).ToList();
        for (var i = 0; i < streams.Count; i++) await fx.AppendAsync(streams[i], 0, Spending(i));

        // Arrays of 1 to 12 streams, as requests ask (a read's heads: 2–9; an as-of read's bounds: 3–10).
        for (var n = 1; n <= streams.Count; n++)
        {
            var some = streams.Take(n).ToList();
            Assert.Equal(n, (await loader.VersionsAsync(some)).Count);
            Assert.Equal(n, (await loader.ReadManyAsync(some.Select(s => (s, new StreamBound { AsOf = DateTimeOffset.UtcNow })).ToList())).Count(e => e.Count == 1));
        }

        await using var c = await one.OpenConnectionAsync();
        async Task<(long Generic, long Custom)> Plans(string like)
        {
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1", c);
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = like });
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), $"no prepared statement like {like}");
            return (r.GetInt64(0), r.GetInt64(1));
        }
        // The heads: PostgreSQL tries custom plans for the first five calls, then keeps the generic one (7 of the 12 calls).
        var heads = await Plans("%unnest((SELECT $1::text[])) AS s(id)%");
        Assert.True(heads.Custom <= 5 && heads.Generic >= 7, $"heads: {heads.Generic} generic and {heads.Custom} custom plans");
        // The bounded read likewise.
        var bounded = await Plans("%CROSS JOIN LATERAL%");
        Assert.True(bounded.Custom <= 5 && bounded.Generic >= 7, $"bounded read: {bounded.Generic} generic and {bounded.Custom} custom plans");
    }
}
