using System.Net;
using Ledger.Commands.Tests.Counters;

namespace Ledger.Commands.Tests;

[Collection(CommandHostCollection.Name)]
public sealed class IdempotencyTests(CommandHost host)
{
    private static (string, string) NewKey() => ("Idempotency-Key", Guid.NewGuid().ToString());

    [Fact]
    public async Task Increment_RetriedWithSameKeyAndBody_ReplaysTheFirstResponseAndWritesOnce()
    {
        var id = await host.OpenAsync();
        var key = NewKey();

        using var first = await host.IncrementAsync(id, 2, key);
        using var retry = await host.IncrementAsync(id, 2, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(first.StatusCode, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(first.Content.Headers.ContentType, retry.Content.Headers.ContentType);
        Assert.True(retry.Headers.Contains("Idempotency-Replayed"));
        Assert.False(first.Headers.Contains("Idempotency-Replayed"));
        var events = await host.EventsOf(id);
        Assert.Equal(2, events.Count);
        Assert.Equal(key.Item2, events[1].IdempotencyKey);
    }

    [Fact]
    public async Task Increment_SameKeyOnAnotherPath_Returns422KeyReused()
    {
        var a = await host.OpenAsync();
        var b = await host.OpenAsync();
        var key = NewKey();
        (await host.IncrementAsync(a, 1, key)).Dispose();

        using var response = await host.IncrementAsync(b, 1, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Single(await host.EventsOf(b));
    }

    [Fact]
    public async Task Increment_FiveConcurrentRequestsWithSameKey_WriteOnce()
    {
        var id = await host.OpenAsync();
        // Whoever wins the claim is held inside the command until the other four have been answered, so all five
        // claims race for real and the losers must find the key claimed but unfinished.
        var entered = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Hooks[id] = async ct => { Interlocked.Increment(ref entered); await release.Task.WaitAsync(ct); };
        var key = NewKey();

        var requests = Enumerable.Range(0, 5).Select(_ => host.IncrementAsync(id, 1, key)).ToList();
        var losers = new List<HttpResponseMessage>();
        while (losers.Count < 4)
        {
            var done = await Task.WhenAny(requests).WaitAsync(TimeSpan.FromSeconds(30));
            requests.Remove(done);
            losers.Add(await done);
        }
        release.SetResult();
        using var winner = await Assert.Single(requests);

        Assert.Equal(1, entered);
        Assert.Equal(HttpStatusCode.OK, winner.StatusCode);
        Assert.All(losers, r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(2, (await host.EventsOf(id)).Count);
        using var retry = await host.IncrementAsync(id, 1, key);
        Assert.Equal(await winner.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        foreach (var r in losers) r.Dispose();
    }

    [Fact]
    public async Task Increment_RefusalWithKey_IsStoredAndReplayedEvenAfterTheWorldChanged()
    {
        var id = CommandHost.NewId();
        var key = NewKey();
        using var first = await host.IncrementAsync(id, 1, key);
        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        await host.OpenAsync(id);

        using var retry = await host.IncrementAsync(id, 1, key);

        Assert.Equal(HttpStatusCode.NotFound, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Single(await host.EventsOf(id));
    }

    [Fact]
    public async Task Increment_ServerErrorWithKey_IsNotStoredSoTheRetryWrites()
    {
        var id = await host.OpenAsync();
        var failures = 1;
        host.Hooks[id] = _ => Interlocked.Decrement(ref failures) >= 0
            ? throw new InvalidOperationException("simulated outage")
            : Task.CompletedTask;
        var key = NewKey();

        using var first = await host.IncrementAsync(id, 1, key);
        using var retry = await host.IncrementAsync(id, 1, key);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.False(retry.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(2, (await host.EventsOf(id)).Count);
    }

    [Fact]
    public async Task Increment_SameKeyFromAnotherActor_IsAnotherKey()
    {
        var id = await host.OpenAsync();
        var key = NewKey();

        using var ana = await host.IncrementAsync(id, 1, key, (CommandHost.ActorHeader, "ana"));
        using var ben = await host.IncrementAsync(id, 1, key, (CommandHost.ActorHeader, "ben"));

        Assert.Equal(HttpStatusCode.OK, ana.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ben.StatusCode);
        Assert.NotEqual(await ana.Content.ReadAsStringAsync(), await ben.Content.ReadAsStringAsync());
        Assert.Equal(3, (await host.EventsOf(id)).Count);
    }

    [Theory]
    [InlineData("   ")]
    [InlineData(null)] // 201 characters
    public async Task Increment_BlankOrOverlongIdempotencyKey_Returns400(string? value)
    {
        var id = await host.OpenAsync();

        using var response = await host.IncrementAsync(id, 1, ("Idempotency-Key", value ?? new string('k', 201)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(await host.EventsOf(id));
    }
}
