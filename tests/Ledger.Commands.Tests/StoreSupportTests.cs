using System.Security.Cryptography;
using Ledger.Commands.Tests.Counters;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Commands.Tests;

[Collection(CommandHostCollection.Name)]
public sealed class StoreSupportTests(CommandHost host)
{
    private static readonly byte[] Hash = SHA256.HashData("POST\n/x\n{}"u8);
    private static readonly StoredResponse Ok = new(200, "application/json", "{}", "\"1\"");

    [Fact]
    public async Task Claim_AfterTheLeaseRanOut_IsTakenOverAndTheOldClaimCannotComplete()
    {
        var store = new IdempotencyStore(host.ServiceRole);
        var key = Guid.NewGuid().ToString();

        var stale = Assert.IsType<IdempotencyClaim.Claimed>(await store.ClaimAsync("s", key, Hash, TimeSpan.Zero));
        var fresh = Assert.IsType<IdempotencyClaim.Claimed>(await store.ClaimAsync("s", key, Hash, TimeSpan.FromMinutes(1)));

        Assert.NotEqual(stale.Token, fresh.Token);
        Assert.False(await store.CompleteAsync(stale, Ok, TimeSpan.FromHours(1)));
        Assert.True(await store.CompleteAsync(fresh, Ok, TimeSpan.FromHours(1)));
        var done = Assert.IsType<IdempotencyClaim.Completed>(await store.ClaimAsync("s", key, Hash, TimeSpan.FromMinutes(1)));
        Assert.True(done.SameRequest);
        Assert.Equal(Ok, done.Response);
    }

    [Fact]
    public async Task Claim_AfterRetentionExpired_IsANewClaim()
    {
        var store = new IdempotencyStore(host.ServiceRole);
        var key = Guid.NewGuid().ToString();
        var claim = Assert.IsType<IdempotencyClaim.Claimed>(await store.ClaimAsync("s", key, Hash, TimeSpan.FromMinutes(1)));
        Assert.True(await store.CompleteAsync(claim, Ok, TimeSpan.Zero));

        Assert.IsType<IdempotencyClaim.Claimed>(await store.ClaimAsync("s", key, Hash, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Claim_SameKeyInAnotherScope_IsIndependent()
    {
        var store = new IdempotencyStore(host.ServiceRole);
        var key = Guid.NewGuid().ToString();

        Assert.IsType<IdempotencyClaim.Claimed>(await store.ClaimAsync("tenant-a|", key, Hash, TimeSpan.FromMinutes(1)));
        Assert.IsType<IdempotencyClaim.Claimed>(await store.ClaimAsync("tenant-b|", key, Hash, TimeSpan.FromMinutes(1)));
        Assert.IsType<IdempotencyClaim.InFlight>(await store.ClaimAsync("tenant-a|", key, Hash, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task ServiceRole_WritesIdempotencyButStillCannotWriteEventTablesDirectly()
    {
        await using (var ok = host.ServiceRole.CreateCommand("DELETE FROM eventstore.idempotency WHERE key = 'no-such-key'"))
            await ok.ExecuteNonQueryAsync();

        await using var bad = host.ServiceRole.CreateCommand(
            "INSERT INTO eventstore.streams (id, type, version, head_hash, created, updated) VALUES ('x', 'x', 0, '\\x00', now(), now())");
        var e = await Assert.ThrowsAsync<PostgresException>(() => bad.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }

    [Fact]
    public void Register_DuplicateNameOrType_Throws()
    {
        var registry = new EventTypeRegistry().Register<CounterOpened>("counter-opened");

        Assert.Throws<InvalidOperationException>(() => registry.Register<CounterIncremented>("counter-opened"));
        Assert.Throws<InvalidOperationException>(() => registry.Register<CounterOpened>("counter-opened-v2"));
    }

    [Fact]
    public void Serialize_UnregisteredType_Throws()
    {
        var registry = Counter.Events();

        Assert.Throws<UnregisteredEventTypeException>(() => registry.Serialize(Guid.NewGuid(), new { x = 1 }, Counter.JsonOptions));
    }

    [Fact]
    public void Deserialize_UnknownStoredType_ThrowsNamingIt()
    {
        var registry = Counter.Events();
        var recorded = new RecordedEvent(1, Guid.NewGuid(), new StreamName("counter-x"), 1, "counter-renamed", "{}",
            DateTimeOffset.UtcNow, null, null, null, null, null, null, null, []);

        var e = Assert.Throws<UnknownEventTypeException>(() => registry.Deserialize(recorded, Counter.JsonOptions));
        Assert.Equal("counter-renamed", e.TypeName);
    }

    [Fact]
    public void RoundTrip_RegisteredEvent_KeepsNameAndCamelCasePayload()
    {
        var registry = Counter.Events();

        var data = registry.Serialize(Guid.NewGuid(), new CounterIncremented(4), Counter.JsonOptions);
        var back = registry.Deserialize(new RecordedEvent(1, data.Id, new StreamName("counter-x"), 1, data.Type, data.Json,
            DateTimeOffset.UtcNow, null, null, null, null, null, null, null, []), Counter.JsonOptions);

        Assert.Equal("counter-incremented", data.Type);
        Assert.Equal("""{"by":4}""", data.Json);
        Assert.Equal(new CounterIncremented(4), back);
    }
}
