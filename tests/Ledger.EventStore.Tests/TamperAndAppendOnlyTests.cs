using Ledger.EventStore;
using Npgsql;
using static Ledger.EventStore.Tests.Events;

namespace Ledger.EventStore.Tests;

/// <summary>Its own database per class, so tampering here never breaks another class's log.</summary>
public sealed class TamperAndAppendOnlyTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    private async Task<List<AppendResult>> SeedAsync()
    {
        var results = new List<AppendResult>();
        for (var s = 0; s < 3; s++)
        {
            var stream = NewStream();
            results.Add(await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2))));
            results.Add(await fx.Store.AppendAsync(Request(stream, ExpectedVersion.Exactly(2), Counter(3))));
        }
        return results;
    }

    /// <summary>What a superuser can do behind the service's back: bypass triggers and rewrite rows.</summary>
    private Task AsSuperuserBypassingTriggers(string sql, params (string, object)[] ps) => Superuser.BypassingTriggers(fx, sql, ps);

    [Fact]
    public async Task Verify_AlteredEventAndStreamRow_ReportedAtTheirExactSequencesThenLogStaysBroken()
    {
        // One test, in order, because each step tampers the same log further.
        var seeded = await SeedAsync();
        var intact = await ChainVerifier.VerifyAsync(fx.Database.Owner);
        Assert.True(intact.Ok, string.Join("; ", intact.Problems));
        Assert.True(intact.EventsChecked >= 9);
        Assert.Null(intact.FirstBrokenSequence);
        Assert.Equal(64, intact.LogDigest.Length);
        Assert.Equal(intact.LogDigest, (await ChainVerifier.VerifyAsync(fx.Database.Owner)).LogDigest);

        // 1. Change one value inside one event's payload.
        var victim = seeded[2].Sequences[1]; // second stream, second event
        await AsSuperuserBypassingTriggers("UPDATE eventstore.events SET data = jsonb_set(data, '{amount}', '9.99') WHERE seq = @s", ("s", victim));
        var altered = await ChainVerifier.VerifyAsync(fx.Database.Owner);
        Assert.False(altered.Ok);
        Assert.Equal(victim, altered.FirstBrokenSequence);
        Assert.Single(altered.Problems);
        Assert.NotEqual(intact.LogDigest, altered.LogDigest);

        // 2. Rewind a stream row (an earlier stream than the altered event), as if its last event never happened.
        var rewound = seeded[1];
        await AsSuperuserBypassingTriggers("UPDATE eventstore.streams SET version = 2 WHERE id = @id", ("id", rewound.Stream.Value));
        var both = await ChainVerifier.VerifyAsync(fx.Database.Owner);
        Assert.Equal(rewound.Sequences[0], both.FirstBrokenSequence);
        Assert.Contains(both.Problems, p => p.Stream == rewound.Stream.Value && p.Sequence == rewound.Sequences[0]);
        Assert.Contains(both.Problems, p => p.Sequence == victim);
    }

    [Fact]
    public async Task ServiceRole_UpdateDeleteInsertTruncate_AreRefused()
    {
        var r = await fx.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(1)));
        foreach (var sql in new[]
        {
            "UPDATE eventstore.events SET data = '{}' WHERE seq = @s",
            "DELETE FROM eventstore.events WHERE seq = @s",
            "UPDATE eventstore.streams SET version = 0 WHERE id = (SELECT stream_id FROM eventstore.events WHERE seq = @s)",
            "INSERT INTO eventstore.events SELECT * FROM eventstore.events WHERE seq = @s",
            "TRUNCATE eventstore.events",
            "ALTER TABLE eventstore.events DISABLE TRIGGER events_append_only",
        })
        {
            await using var cmd = fx.Service.CreateCommand(sql);
            cmd.Parameters.AddWithValue("s", r.Sequences[0]);
            var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.True(e.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {e.SqlState} {e.MessageText}");
        }
        Assert.Single(await fx.Store.ReadStreamAsync(r.Stream));
    }

    [Fact]
    public async Task Owner_UpdateOrDeleteOfEvents_IsRefusedByTheAppendOnlyTrigger()
    {
        var r = await fx.Store.AppendAsync(Request(NewStream(), ExpectedVersion.NoStream, Counter(1)));
        foreach (var sql in new[] { "UPDATE eventstore.events SET reason = 'x' WHERE seq = @s", "DELETE FROM eventstore.events WHERE seq = @s", "TRUNCATE eventstore.events CASCADE" })
        {
            await using var cmd = fx.Database.Owner.CreateCommand(sql);
            cmd.Parameters.AddWithValue("s", r.Sequences[0]);
            var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", e.MessageText);
        }
    }

    [Fact]
    public async Task Migrate_RunTwice_AppliesNothingTheSecondTime()
    {
        Assert.Empty(await EventStoreSchema.MigrateAsync(fx.Database.Owner));
    }
}

/// <summary>Deleting an event breaks the log for good, so this runs in a database of its own.</summary>
public sealed class DeletedEventTests(StoreFixture fx) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task Verify_DeletedMiddleEvent_NamesTheEventAfterTheHole()
    {
        var stream = NewStream();
        var r = await fx.Store.AppendAsync(Request(stream, ExpectedVersion.NoStream, Counter(1), Counter(2), Counter(3)));
        await Superuser.BypassingTriggers(fx, "DELETE FROM eventstore.events WHERE seq = @s", ("s", r.Sequences[1]));
        var result = await ChainVerifier.VerifyAsync(fx.Database.Owner);
        Assert.Contains(result.Problems, p => p.Sequence == r.Sequences[2] && p.Stream == stream);
    }

}

internal static class Superuser
{
    public static Task BypassingTriggers(StoreFixture fx, string sql, params (string, object)[] ps) =>
        fx.Database.AsSuperuserBypassingTriggersAsync(sql, ps);
}
