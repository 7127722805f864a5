using Ledger.EventStore;
using Npgsql;
using static Ledger.EventStore.Tests.Events;

namespace Ledger.EventStore.Tests;

/// <summary>
/// Group commit (<see cref="EventStoreOptions.CoalesceAppends"/>, <c>eventstore.append_many</c>): appends that queue up
/// while another is on its way share one round trip and one commit, and each still gets exactly the answer it would
/// have had alone. To make a group deterministic, a test holds the only flusher on a stream row another transaction has
/// locked, queues the appends behind it, then lets go.
/// </summary>
public sealed class GroupCommitTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    private static readonly EventStoreOptions OneFlusher = new() { MaxConcurrentRoundTrips = 1 };

    /// <summary>A store whose single flusher is stuck on a locked stream row until <see cref="Gate.ReleaseAsync"/>.</summary>
    private sealed class Gate(PostgresEventStore store, NpgsqlConnection conn, NpgsqlTransaction tx, Task<AppendResult> blocked) : IAsyncDisposable
    {
        public PostgresEventStore Store => store;

        public async Task ReleaseAsync()
        {
            await tx.CommitAsync();
            await blocked;
        }

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }

    private Task<Gate> HoldFlusherAsync(EventStoreOptions? options = null) => HoldFlusherAsync(fx.Database, fx.Service, options);

    private static async Task<Gate> HoldFlusherAsync(Ledger.Testing.Postgres.TestDatabase db, NpgsqlDataSource service, EventStoreOptions? options = null)
    {
        var store = new PostgresEventStore(service, options: options ?? OneFlusher);
        var blocker = NewStream();
        await store.AppendAsync(Request(blocker, ExpectedVersion.NoStream, Counter(0)));

        var conn = await db.Owner.OpenConnectionAsync();
        var tx = await conn.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM eventstore.streams WHERE id = @s FOR UPDATE", conn, tx))
        {
            lockRow.Parameters.AddWithValue("s", blocker);
            await lockRow.ExecuteScalarAsync();
        }
        var blocked = store.AppendAsync(Request(blocker, ExpectedVersion.Any, Counter(1)));
        await WaitUntilAnAppendWaitsOnALockAsync(db);
        return new Gate(store, conn, tx, blocked);
    }

    private static async Task WaitUntilAnAppendWaitsOnALockAsync(Ledger.Testing.Postgres.TestDatabase db)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var waiting = await db.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%eventstore.append%'");
            if (waiting > 0) return;
            await Task.Delay(10);
        }
        throw new TimeoutException("The blocking append never waited on the locked stream row.");
    }

    [Fact]
    public async Task AppendsQueuedBehindAnother_GoInOneRoundTrip_AndEachGetsItsOwnResult()
    {
        await using var gate = await HoldFlusherAsync();
        var streams = Enumerable.Range(0, 20).Select(_ => NewStream()).ToList();
        var appends = streams.Select((s, i) => gate.Store.AppendAsync(
            Request(s, ExpectedVersion.NoStream, Enumerable.Range(0, 1 + i % 3).Select(Counter).ToArray()))).ToList();
        Assert.All(appends, a => Assert.False(a.IsCompleted));

        await gate.ReleaseAsync();
        var results = await Task.WhenAll(appends);

        // 1 setup append + the blocked one + ONE round trip for the 20 queued ones.
        Assert.Equal((22L, 3L), gate.Store.GroupCommitCounts);
        for (var i = 0; i < streams.Count; i++)
        {
            var events = await fx.Store.ReadStreamAsync(new StreamName(streams[i]));
            Assert.Equal(1 + i % 3, results[i].Version);
            Assert.Equal(events.Select(e => e.Sequence), results[i].Sequences);
            Assert.Equal(events.Select(e => Convert.ToHexString(e.Hash)), results[i].Hashes.Select(Convert.ToHexString));
            Assert.All(events, e => Assert.Equal(results[i].RecordedAt, e.RecordedAt));
            Assert.Equal(Enumerable.Range(1, 1 + i % 3).Select(v => (long)v), events.Select(e => e.Version));
            Assert.All(events, e => Assert.Equal("test", e.Reason));
            Assert.All(events, e => Assert.Equal("agency-a", e.Tenant));
        }
        // Global positions follow the order the appends arrived in.
        var firsts = results.Select(r => r.Sequences[0]).ToList();
        Assert.Equal(firsts.Order(), firsts);

        var verification = await ChainVerifier.VerifyAsync(fx.Database.Owner);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems.Select(p => $"{p.Stream}@{p.Sequence}: {p.Problem}")));
    }

    [Fact]
    public async Task AWrongExpectationInAGroup_FailsOnlyThatAppend_WithBothVersions()
    {
        var existing = NewStream();
        await fx.Store.AppendAsync(Request(existing, ExpectedVersion.NoStream, Counter(1), Counter(2)));
        await using var gate = await HoldFlusherAsync();

        var stale = gate.Store.AppendAsync(Request(existing, ExpectedVersion.Exactly(1), Counter(3)));
        var missing = gate.Store.AppendAsync(Request(NewStream(), ExpectedVersion.Exactly(4), Counter(1)));
        var good = NewStream();
        var fine = gate.Store.AppendAsync(Request(good, ExpectedVersion.NoStream, Counter(1)));
        var notNew = gate.Store.AppendAsync(Request(existing, ExpectedVersion.NoStream, Counter(9)));
        await gate.ReleaseAsync();

        var e1 = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => stale);
        Assert.Equal((existing, 1L, 2L), (e1.Stream.Value, e1.Expected.Value!.Value, e1.ActualVersion));
        var e2 = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => missing);
        Assert.Equal(0, e2.ActualVersion);
        var e3 = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => notNew);
        Assert.Equal(2, e3.ActualVersion);
        Assert.Equal(1, (await fine).Version);

        Assert.Equal(2, (await fx.Store.ReadStreamAsync(new StreamName(existing))).Count);
        Assert.Single(await fx.Store.ReadStreamAsync(new StreamName(good)));
        Assert.Equal((6L, 3L), gate.Store.GroupCommitCounts); // the four failed or succeeded in one round trip
    }

    [Fact]
    public async Task OneStreamTwiceInAGroup_BehavesAsTwoAppendsInArrivalOrder()
    {
        await using var gate = await HoldFlusherAsync();
        var s = NewStream();
        var first = gate.Store.AppendAsync(Request(s, ExpectedVersion.NoStream, Counter(1), Counter(2)));
        var second = gate.Store.AppendAsync(Request(s, ExpectedVersion.Exactly(2), Counter(3)));
        var late = gate.Store.AppendAsync(Request(s, ExpectedVersion.Exactly(2), Counter(4)));
        var any = gate.Store.AppendAsync(Request(s, ExpectedVersion.Any, Counter(5)));
        await gate.ReleaseAsync();

        Assert.Equal(2, (await first).Version);
        Assert.Equal(3, (await second).Version);
        Assert.Equal(3, (await Assert.ThrowsAsync<WrongExpectedVersionException>(() => late)).ActualVersion);
        Assert.Equal(4, (await any).Version);
        Assert.True((await second).RecordedAt >= (await first).RecordedAt);

        var events = await fx.Store.ReadStreamAsync(new StreamName(s));
        Assert.Equal([1, 2, 3, 5], events.Select(e => System.Text.Json.JsonDocument.Parse(e.Json).RootElement.GetProperty("n").GetInt32()));
        Assert.True((await ChainVerifier.VerifyAsync(fx.Database.Owner)).Ok);
    }

    [Fact]
    public async Task AnErrorInAGroup_RollsItBack_AndEveryAppendIsAnsweredAsIfAlone()
    {
        var taken = Counter(1);
        await fx.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, taken));
        await using var gate = await HoldFlusherAsync();

        var before = NewStream();
        var after = NewStream();
        var ok1 = gate.Store.AppendAsync(Request(before, ExpectedVersion.NoStream, Counter(1)));
        var duplicate = gate.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, taken)); // same event id again
        var ok2 = gate.Store.AppendAsync(Request(after, ExpectedVersion.NoStream, Counter(2)));
        await gate.ReleaseAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => duplicate);
        Assert.Equal((PostgresErrorCodes.UniqueViolation, "events_id_key"), (error.SqlState, error.ConstraintName));
        Assert.Equal(1, (await ok1).Version);
        Assert.Equal(1, (await ok2).Version);
        Assert.Single(await fx.Store.ReadStreamAsync(new StreamName(before)));
        Assert.Single(await fx.Store.ReadStreamAsync(new StreamName(after)));
        // Appends: setup, blocked and the three. Round trips: setup, blocked, the failed group, then the three alone.
        Assert.Equal((5L, 6L), gate.Store.GroupCommitCounts);
    }

    [Fact]
    public async Task AnAppendCancelledWhileQueued_IsNeitherSentNorWritten()
    {
        await using var gate = await HoldFlusherAsync();
        var cancelled = NewStream();
        using var cts = new CancellationTokenSource();
        var dropped = gate.Store.AppendAsync(Request(cancelled, ExpectedVersion.NoStream, Counter(1)), cts.Token);
        var kept = gate.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(1)));
        cts.Cancel();
        await gate.ReleaseAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        Assert.Equal(1, (await kept).Version);
        Assert.Empty(await fx.Store.ReadStreamAsync(new StreamName(cancelled)));
        Assert.Equal((3L, 3L), gate.Store.GroupCommitCounts);
    }

    [Fact]
    public async Task TwoGroupCommittingStoresOnSharedAndNewStreams_LoseNothing_AndEveryVersionIsWonOnce()
    {
        // Two stores (think: two service processes), each grouping, racing on the same few streams (some created
        // during the race), with exact expectations and retries on a lost race.
        var stores = new[] { new PostgresEventStore(fx.Service), new PostgresEventStore(fx.Service) };
        var streams = Enumerable.Range(0, 4).Select(_ => NewStream()).ToArray();
        await fx.Store.AppendAsync(Request(streams[0], ExpectedVersion.NoStream, Counter(0)));
        var written = new System.Collections.Concurrent.ConcurrentBag<(string Stream, long Version, Guid Id)>();
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, 24).Select(w => Task.Run(async () =>
        {
            var store = stores[w % 2];
            for (var i = 0; i < 15; i++)
            {
                var stream = streams[(w + i) % streams.Length];
                while (true)
                {
                    var version = await store.StreamVersionAsync(new StreamName(stream));
                    var e = Counter(w * 100 + i);
                    try
                    {
                        var r = await store.AppendAsync(Request(stream, version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(version), e));
                        written.Add((stream, r.Version, e.Id));
                        break;
                    }
                    catch (WrongExpectedVersionException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        })));

        Assert.Equal(24 * 15, written.Count);
        foreach (var stream in streams)
        {
            var events = await fx.Store.ReadStreamAsync(new StreamName(stream));
            var ours = written.Where(x => x.Stream == stream).OrderBy(x => x.Version).ToList();
            var offset = stream == streams[0] ? 1 : 0;
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
            Assert.Equal(ours.Count + offset, events.Count);
            Assert.Equal(ours.Select(x => x.Id), events.Skip(offset).Select(e => e.Id));
            Assert.Equal(ours.Select(x => x.Version), events.Skip(offset).Select(e => e.Version));
        }
        Assert.True(stores.Sum(s => s.GroupCommitCounts.Appends) > stores.Sum(s => s.GroupCommitCounts.RoundTrips),
            "the race should have grouped some appends");
        Assert.True((await ChainVerifier.VerifyAsync(fx.Database.Owner)).Ok);
    }

    [Fact]
    public async Task ANewStreamTakesTypeAndTenantFromTheFirstAppendThatMayCreateIt_NotFromOneThatConflicts()
    {
        await using var gate = await HoldFlusherAsync();
        var s = NewStream();
        var conflicting = gate.Store.AppendAsync(Request(s, ExpectedVersion.Exactly(3), Counter(1)) with { StreamType = "wrong", Tenant = "agency-evil" });
        var creating = gate.Store.AppendAsync(Request(s, ExpectedVersion.NoStream, Counter(2)) with { StreamType = "counter", Tenant = null });
        var next = gate.Store.AppendAsync(Request(s, ExpectedVersion.Any, Counter(3)) with { StreamType = "other", Tenant = "agency-b" });
        await gate.ReleaseAsync();

        Assert.Equal(0, (await Assert.ThrowsAsync<WrongExpectedVersionException>(() => conflicting)).ActualVersion);
        Assert.Equal(1, (await creating).Version);
        Assert.Equal(2, (await next).Version);
        var row = await fx.Database.ScalarAsync<string>(
            "SELECT type || '/' || coalesce(tenant, '(none)') FROM eventstore.streams WHERE id = @s", ("s", s));
        Assert.Equal("counter/(none)", row);
        // Events carry the stream's tenant, as with eventstore.append, whatever a later append says.
        Assert.All(await fx.Store.ReadStreamAsync(new StreamName(s)), e => Assert.Null(e.Tenant));
        Assert.True((await ChainVerifier.VerifyAsync(fx.Database.Owner)).Ok);
    }

    [Fact]
    public async Task TextThatCannotBeEncoded_FailsOnlyItsOwnAppend()
    {
        await using var gate = await HoldFlusherAsync();
        var before = gate.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(1)));
        var broken = gate.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(2)) with
        {
            Metadata = new AppendMetadata { Reason = "x\uD800" },
        });
        var after = gate.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(3)));
        await gate.ReleaseAsync();

        await Assert.ThrowsAsync<System.Text.EncoderFallbackException>(() => broken);
        Assert.Equal(1, (await before).Version);
        Assert.Equal(1, (await after).Version);
        Assert.Equal((4L, 3L), gate.Store.GroupCommitCounts); // setup, blocked, then ONE round trip for the two
    }

    [Theory]
    [InlineData(nameof(EventStoreOptions.MaxAppendsPerRoundTrip))]
    [InlineData(nameof(EventStoreOptions.MaxConcurrentRoundTrips))]
    [InlineData(nameof(EventStoreOptions.MaxEventsPerRoundTrip))]
    [InlineData(nameof(EventStoreOptions.MaxEventsPerGroupedAppend))]
    public void LimitsBelowOne_AreRefused(string option)
    {
        var options = option switch
        {
            nameof(EventStoreOptions.MaxAppendsPerRoundTrip) => new EventStoreOptions { MaxAppendsPerRoundTrip = 0 },
            nameof(EventStoreOptions.MaxConcurrentRoundTrips) => new EventStoreOptions { MaxConcurrentRoundTrips = 0 },
            nameof(EventStoreOptions.MaxEventsPerRoundTrip) => new EventStoreOptions { MaxEventsPerRoundTrip = -1 },
            _ => new EventStoreOptions { MaxEventsPerGroupedAppend = 0 },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresEventStore(fx.Service, options: options));
        Assert.Equal(option, error.ParamName);
    }

    [Theory]
    [InlineData("append")]
    [InlineData("append_many")]
    public async Task TheServiceRole_CannotSlipATemporaryTypeIntoTheAppendFunctions(string function)
    {
        // Both functions run as the schema owner. If their search_path let the caller's temporary schema come first,
        // a temporary domain named like a type they declare would run the caller's check as the owner.
        await using var conn = await fx.Service.OpenConnectionAsync();
        await using (var setup = new NpgsqlCommand("""
            CREATE FUNCTION pg_temp.escalated() RETURNS boolean LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'ran as %', current_user USING ERRCODE = 'P0001'; END $$;
            CREATE DOMAIN pg_temp.timestamptz AS pg_catalog.timestamptz CHECK (pg_temp.escalated());
            CREATE DOMAIN pg_temp.bytea AS pg_catalog.bytea CHECK (pg_temp.escalated());
            CREATE DOMAIN pg_temp.int4 AS pg_catalog.int4 CHECK (pg_temp.escalated());
            """, conn))
        {
            await setup.ExecuteNonQueryAsync();
        }
        var stream = NewStream();
        var sql = function == "append"
            ? "SELECT conflict FROM eventstore.append(@s, 'counter', 'agency-a', NULL, ARRAY[gen_random_uuid()], ARRAY['t'], ARRAY['{}']::jsonb[], NULL, NULL, NULL, NULL, NULL, NULL)"
            : """
              SELECT conflict FROM eventstore.append_many(ARRAY[@s], ARRAY['counter'], ARRAY['agency-a'], ARRAY[NULL]::bigint[], ARRAY[1],
                  ARRAY[gen_random_uuid()], ARRAY['t'], ARRAY['{}']::jsonb[], ARRAY[NULL]::jsonb[], ARRAY[NULL]::text[],
                  ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[NULL]::jsonb[])
              """;
        await using var call = new NpgsqlCommand(sql, conn);
        call.Parameters.AddWithValue("s", NpgsqlTypes.NpgsqlDbType.Text, stream);
        Assert.Equal(false, await call.ExecuteScalarAsync());
        Assert.Single(await fx.Store.ReadStreamAsync(new StreamName(stream)));
    }

    [Fact]
    public async Task ARoleThatMayNotCallAppendMany_StillGetsEveryAppend_AndGroupingStops()
    {
        // E.g. an operator granted the service role by hand before migration 0005 existed.
        await using var db = await Ledger.Testing.Postgres.TestCluster.CreateDatabaseAsync("esnogroup");
        await using var service = await db.CreateServiceRoleAsync();
        var role = new NpgsqlConnectionStringBuilder(service.ConnectionString).Username!;
        await db.ScalarAsync<object?>($"REVOKE EXECUTE ON FUNCTION eventstore.append_many FROM {EventStoreSchema.Quote(role)}");

        await using var gate = await HoldFlusherAsync(db, service);
        Assert.True(gate.Store.CoalescesAppends);
        var streams = Enumerable.Range(0, 3).Select(_ => NewStream()).ToList();
        var appends = streams.Select(st => gate.Store.AppendAsync(Request(st, ExpectedVersion.NoStream, Counter(1)))).ToList();
        await gate.ReleaseAsync();

        Assert.All(await Task.WhenAll(appends), r => Assert.Equal(1, r.Version));
        Assert.False(gate.Store.CoalescesAppends);
        var later = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => gate.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(1)))));
        Assert.All(later, r => Assert.Equal(1, r.Version));
        // setup, blocked, the refused group, the three alone; the later five bypass the queue.
        Assert.Equal((5L, 6L), gate.Store.GroupCommitCounts);
    }

    [Fact]
    public async Task AGroupInWhichNoAppendIsWritten_WritesNothing_AndCreatesNoStream()
    {
        await using var gate = await HoldFlusherAsync();
        var (a, b) = (NewStream(), NewStream());
        var first = gate.Store.AppendAsync(Request(a, ExpectedVersion.Exactly(2), Counter(1)));
        var second = gate.Store.AppendAsync(Request(b, ExpectedVersion.Exactly(1), Counter(2), Counter(3)));
        var before = await fx.Database.ScalarAsync<long>("SELECT count(*) FROM eventstore.events");
        await gate.ReleaseAsync();

        Assert.Equal(0, (await Assert.ThrowsAsync<WrongExpectedVersionException>(() => first)).ActualVersion);
        Assert.Equal(0, (await Assert.ThrowsAsync<WrongExpectedVersionException>(() => second)).ActualVersion);
        Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM eventstore.streams WHERE id IN (@a, @b)", ("a", a), ("b", b)));
        // Only the blocked append wrote (one event), counted while it waited.
        Assert.Equal(before + 1, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM eventstore.events"));
        Assert.Equal((4L, 3L), gate.Store.GroupCommitCounts);
    }

    [Fact]
    public async Task WithGroupCommitOff_EveryAppendIsItsOwnRoundTrip()
    {
        var store = new PostgresEventStore(fx.Service, options: EventStoreOptions.OneCommitPerAppend);
        Assert.False(store.CoalescesAppends);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(1)))));
        Assert.All(results, r => Assert.Equal(1, r.Version));
        Assert.Equal((0L, 0L), store.GroupCommitCounts);
    }

    [Fact]
    public async Task TheServiceRole_CannotCallAppendManyWithArraysThatDoNotAddUp()
    {
        await using var cmd = fx.Service.CreateCommand("""
            SELECT * FROM eventstore.append_many(ARRAY['a','b'], ARRAY['t','t'], ARRAY[NULL,NULL]::text[], ARRAY[NULL,NULL]::bigint[],
                ARRAY[1,1], ARRAY[gen_random_uuid()], ARRAY['x'], ARRAY['{}']::jsonb[], ARRAY[NULL,NULL]::jsonb[],
                ARRAY[NULL,NULL]::text[], ARRAY[NULL,NULL]::text[], ARRAY[NULL,NULL]::text[], ARRAY[NULL,NULL]::text[], ARRAY[NULL,NULL]::jsonb[])
            """);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal("22023", error.SqlState);
        Assert.Empty(await fx.Store.ReadStreamAsync(new StreamName("a")));
    }
}
