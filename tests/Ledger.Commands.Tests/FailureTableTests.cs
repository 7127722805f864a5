using System.Net;
using System.Text.Json;
using Ledger.Commands.Tests.Counters;

namespace Ledger.Commands.Tests;

/// <summary>One test per row of the failure → status table (docs/commands.md; style.md #5), through HTTP.</summary>
[Collection(CommandHostCollection.Name)]
public sealed class FailureTableTests(CommandHost host)
{
    [Fact]
    public async Task Post_InvalidCommand_Returns400ValidationProblemWithCamelCaseFields()
    {
        using var response = await host.PostAsync("/counters", """{"id":"Not Valid!","name":""}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", CommandHost.ContentType(response)?.MediaType);
        var errors = (await CommandHost.JsonOf(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("id", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("name", out _), errors.ToString());
        Assert.Empty(await host.EventsOfStreamAsync(Counter.StreamOf("Not Valid!")));
    }

    [Fact]
    public async Task Post_MalformedIfMatch_Returns400NamingTheHeader()
    {
        var id = await host.OpenAsync();

        using var response = await host.IncrementAsync(id, 1, ("If-Match", "\"one\""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("If-Match", (await CommandHost.JsonOf(response)).GetProperty("header").GetString());
        Assert.Single(await host.EventsOf(id));
    }

    [Fact]
    public async Task Increment_UnknownCounter_Returns404AndWritesNothing()
    {
        var id = CommandHost.NewId();

        using var response = await host.IncrementAsync(id, 1);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", CommandHost.ContentType(response)?.MediaType);
        Assert.Contains(id, (await CommandHost.JsonOf(response)).GetProperty("detail").GetString());
        Assert.Empty(await host.EventsOf(id));
    }

    [Fact]
    public async Task Open_AlreadyOpen_Returns422WithRuleAndFieldAndWritesNothing()
    {
        var id = await host.OpenAsync();

        using var response = await host.PostAsync("/counters", $$"""{"id":"{{id}}","name":"Again"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await CommandHost.JsonOf(response);
        Assert.Equal("counter.already-open", problem.GetProperty("rule").GetString());
        Assert.Equal("id", problem.GetProperty("field").GetString());
        Assert.Single(await host.EventsOf(id));
    }

    [Fact]
    public async Task Increment_StaleIfMatch_Returns412WithBothVersionsAndWritesNothing()
    {
        var id = await host.OpenAsync();
        (await host.IncrementAsync(id, 1)).Dispose(); // now at version 2

        using var response = await host.IncrementAsync(id, 1, ("If-Match", "\"1\""));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var problem = await CommandHost.JsonOf(response);
        Assert.Equal(1, problem.GetProperty("expectedVersion").GetInt64());
        Assert.Equal(2, problem.GetProperty("actualVersion").GetInt64());
        Assert.Equal(2, (await host.EventsOf(id)).Count);
    }

    [Fact]
    public async Task Increment_RaceLostOnEveryAttempt_Returns409WithExpectedAndActual()
    {
        var id = await host.OpenAsync();
        var interfered = 0;
        host.Hooks[id] = async _ =>
        {
            Interlocked.Increment(ref interfered);
            await host.AppendBehindTheBackAsync(Counter.StreamOf(id), new CounterIncremented(1));
        };

        using var response = await host.IncrementAsync(id, 5);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await CommandHost.JsonOf(response);
        Assert.Equal(3, interfered); // three attempts, each decided on a fresh load
        Assert.Equal(3, problem.GetProperty("expectedVersion").GetInt64()); // the third attempt loaded version 3 …
        Assert.Equal(4, problem.GetProperty("actualVersion").GetInt64());   // … and the other writer made it 4
        var events = await host.EventsOf(id);
        Assert.Equal(4, events.Count);
        Assert.DoesNotContain(events.Skip(1), e => JsonDocument.Parse(e.Json).RootElement.GetProperty("by").GetInt32() == 5);
    }

    [Fact]
    public async Task Post_IdempotencyKeyInFlight_Returns409()
    {
        var id = await host.OpenAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Hooks[id] = async _ => { entered.TrySetResult(); await release.Task; };
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());

        var first = host.IncrementAsync(id, 1, key);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var second = await host.IncrementAsync(id, 1, key);
        release.SetResult();
        using var firstResponse = await first;

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("idempotency.in-flight", (await CommandHost.JsonOf(second)).GetProperty("rule").GetString());
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Equal(2, (await host.EventsOf(id)).Count);
    }

    [Fact]
    public async Task Post_SameIdempotencyKeyDifferentBody_Returns422KeyReused()
    {
        var id = await host.OpenAsync();
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());
        (await host.IncrementAsync(id, 1, key)).Dispose();

        using var response = await host.IncrementAsync(id, 2, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("idempotency.key-reused", (await CommandHost.JsonOf(response)).GetProperty("rule").GetString());
        Assert.Equal(2, (await host.EventsOf(id)).Count);
    }

    [Fact]
    public async Task Increment_UnknownStoredEventType_Returns500NotA4xx()
    {
        var id = await host.OpenAsync();
        await host.AppendRawAsync(Counter.StreamOf(id), "counter-renamed", """{"name":"x"}"""); // a type nobody registered

        using var response = await host.IncrementAsync(id, 1);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(2, (await host.EventsOf(id)).Count);
    }

    [Fact]
    public void ToProblem_EveryFailure_HasItsStatus()
    {
        var stream = Counter.StreamOf("x");
        var rows = new (CommandFailure Failure, int Status)[]
        {
            (new CommandFailure.ValidationFailed(new Dictionary<string, string[]> { ["by"] = ["bad"] }), 400),
            (new CommandFailure.BadHeader("If-Match", "bad"), 400),
            (new CommandFailure.BodyTooLarge(10), 413),
            (new CommandFailure.NotFound("x"), 404),
            (new CommandFailure.Refused("r", "m", null), 422),
            (new CommandFailure.Conflict("r", "m"), 409),
            (new CommandFailure.PreconditionFailed(stream, 1, 2), 412),
            (new CommandFailure.RaceLost(stream, 1, 2, 3), 409),
            (new CommandFailure.IdempotencyKeyInFlight("k"), 409),
            (new CommandFailure.IdempotencyKeyReused("k"), 422),
        };
        Assert.All(rows, row => Assert.Equal(row.Status, FailureTable.ToProblem(row.Failure).Status));
        // Every kind of failure has a row here: a new kind must be added to the table and to this test.
        var kinds = typeof(CommandFailure).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(CommandFailure))).ToHashSet();
        Assert.Equal(kinds, rows.Select(r => r.Failure.GetType()).ToHashSet());
    }
}
