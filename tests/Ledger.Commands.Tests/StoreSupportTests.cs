using System.Security.Cryptography;
using Ledger.Commands.Tests.Counters;
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
    public async Task ServiceRole_WritesIdempotencyButCannotRewriteEventsOrHashes()
    {
        await using (var ok = host.ServiceRole.CreateCommand("DELETE FROM ledger_commands.idempotency WHERE key = 'no-such-key'"))
            await ok.ExecuteNonQueryAsync();

        foreach (var sql in new[] { "UPDATE ledger.mt_events SET data = '{}'", "DELETE FROM ledger_audit.event_hashes" })
        {
            await using var bad = host.ServiceRole.CreateCommand(sql);
            var e = await Assert.ThrowsAsync<PostgresException>(() => bad.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        }
    }

    [Fact]
    public async Task Read_UnknownStoredType_ThrowsNamingIt()
    {
        var stream = Counter.StreamOf(CommandHost.NewId());
        await host.AppendRawAsync(stream, "counter-renamed", "{}");

        var loader = new Ledger.Storage.StreamLoader(host.Store, host.ServiceRole);
        var e = await Assert.ThrowsAsync<Marten.Exceptions.UnknownEventTypeException>(() => loader.ReadAsync(stream));
        Assert.Contains("counter-renamed", e.EventTypeName + " " + e.Message);
    }

    [Fact]
    public async Task Append_RegisteredEvent_KeepsItsNameAndACamelCasePayload()
    {
        var stream = Counter.StreamOf(CommandHost.NewId());
        await host.AppendBehindTheBackAsync(stream, new CounterIncremented(4));

        var stored = Assert.Single(await host.EventsOfStreamAsync(stream));
        Assert.Equal("counter-incremented", stored.Type);
        Assert.Equal("""{"by": 4}""", stored.Json);
        var back = await new Ledger.Storage.StreamLoader(host.Store, host.ServiceRole).ReadAsync(stream);
        Assert.Equal(new CounterIncremented(4), Assert.Single(back).Data);
    }
}
