using System.Net;
using System.Text.Json;
using Ledger.Commands.Tests.Counters;

namespace Ledger.Commands.Tests;

[Collection(CommandHostCollection.Name)]
public sealed class WriteTests(CommandHost host)
{
    [Fact]
    public async Task Open_NewCounter_Returns201WithVersionEventIdsAndETagAndRecordsActorReasonCorrelation()
    {
        var id = CommandHost.NewId();

        using var response = await host.PostAsync("/counters", $$"""{"id":"{{id}}","name":"Visitors","reason":"launch"}""",
            (CommandHost.ActorHeader, "ana"), ("X-Correlation-Id", "corr-42"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        var body = await CommandHost.JsonOf(response);
        Assert.Equal($"counter-{id}", body.GetProperty("streamId").GetString());
        Assert.Equal(1, body.GetProperty("version").GetInt64());
        var eventId = Assert.Single(body.GetProperty("eventIds").EnumerateArray()).GetGuid();

        var recorded = Assert.Single(await host.EventsOf(id));
        Assert.Equal(eventId, recorded.Id);
        Assert.Equal("counter-opened", recorded.Type);
        Assert.Equal("toy", recorded.Tenant);
        Assert.Equal("launch", recorded.Reason);
        Assert.Equal("corr-42", recorded.CorrelationId);
        Assert.Equal("ana", JsonDocument.Parse(recorded.ActorJson!).RootElement.GetProperty("name").GetString());
        Assert.Equal(id, JsonDocument.Parse(recorded.Json).RootElement.GetProperty("id").GetString()); // camelCase payload
    }

    [Fact]
    public async Task Increment_ExistingCounter_Returns200WithNextVersionAndTraceIdentifierAsCorrelation()
    {
        var id = await host.OpenAsync();

        using var response = await host.IncrementAsync(id, 3);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
        Assert.Equal(2, (await CommandHost.JsonOf(response)).GetProperty("version").GetInt64());
        var events = await host.EventsOf(id);
        Assert.Equal(2, events.Count);
        Assert.False(string.IsNullOrEmpty(events[1].CorrelationId));
        Assert.Null(events[1].IdempotencyKey);
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("1")]
    [InlineData("W/\"1\"")]
    public async Task Increment_CurrentIfMatch_Succeeds(string ifMatch)
    {
        var id = await host.OpenAsync();

        using var response = await host.IncrementAsync(id, 1, ("If-Match", ifMatch));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("*")]
    [InlineData("-1")]
    [InlineData("\"1\", \"2\"")]
    [InlineData("\"\"")]
    public async Task Increment_MalformedIfMatch_Returns400AndWritesNothing(string ifMatch)
    {
        var id = await host.OpenAsync();

        using var response = await host.IncrementAsync(id, 1, ("If-Match", ifMatch));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(await host.EventsOf(id));
    }

    [Fact]
    public async Task Increment_IfMatchCurrentButStreamChangesBeforeAppend_Returns412AndWritesNothing()
    {
        var id = await host.OpenAsync();
        host.Hooks[id] = _ => host.AppendBehindTheBackAsync(Counter.StreamOf(id), new CounterIncremented(1));

        using var response = await host.IncrementAsync(id, 7, ("If-Match", "\"1\""));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var problem = await CommandHost.JsonOf(response);
        Assert.Equal(1, problem.GetProperty("expectedVersion").GetInt64());
        Assert.Equal(2, problem.GetProperty("actualVersion").GetInt64());
        Assert.Equal(2, (await host.EventsOf(id)).Count); // only the other writer's event
    }

    [Fact]
    public async Task Increment_RaceLostOnce_DecidesAgainOnTheNewState()
    {
        // Limit 10; the counter is at 0; this command adds 6. The other writer adds 6 during the first attempt, so
        // the second attempt must see 6 and refuse (6 + 6 > 10): proof that the retry decides on the new state.
        var id = await host.OpenAsync();
        await host.AppendBehindTheBackAsync(Counter.Limits, new LimitSet(10));
        try
        {
            var attempts = 0;
            host.Hooks[id] = async _ =>
            {
                if (Interlocked.Increment(ref attempts) == 1)
                    await host.AppendBehindTheBackAsync(Counter.StreamOf(id), new CounterIncremented(6));
            };

            using var response = await host.IncrementAsync(id, 6);

            Assert.Equal(2, attempts);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("counter.limit", (await CommandHost.JsonOf(response)).GetProperty("rule").GetString());
            Assert.Equal(2, (await host.EventsOf(id)).Count);
        }
        finally
        {
            await host.AppendBehindTheBackAsync(Counter.Limits, new LimitSet(Counter.DefaultLimit));
        }
    }

    [Fact]
    public async Task Increment_TenParallelWithoutIfMatch_EachWinnerGetsADistinctVersionAndLosersGet409()
    {
        var id = await host.OpenAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => host.IncrementAsync(id, 1)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var versions = new List<long>();
        foreach (var r in responses.Where(r => r.StatusCode == HttpStatusCode.OK))
            versions.Add((await CommandHost.JsonOf(r)).GetProperty("version").GetInt64());
        var events = await host.EventsOf(id);
        Assert.NotEmpty(versions);
        Assert.Equal(Enumerable.Range(2, versions.Count).Select(v => (long)v), versions.Order()); // 2..N+1, no duplicates
        Assert.Equal(1 + versions.Count, events.Count);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
        foreach (var r in responses) r.Dispose();
    }

    [Fact]
    public async Task Increment_MalformedJson_Returns400WithPositionAndWritesNothing()
    {
        var id = await host.OpenAsync();

        using var response = await host.PostAsync($"/counters/{id}/increments", """{"by": 1,""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", CommandHost.ContentType(response)?.MediaType);
        var errors = (await CommandHost.JsonOf(response)).GetProperty("errors");
        var message = Assert.Single(errors.EnumerateObject()).Value[0].GetString();
        Assert.Contains("line 1", message);
        Assert.Single(await host.EventsOf(id));
    }

    [Theory]
    [InlineData("""{"by":"ten"}""")]
    [InlineData("""{"by":1.5}""")]
    [InlineData("""{"by":{}}""")]
    public async Task Increment_WrongJsonType_Returns400NamingTheFieldAndWritesNothing(string json)
    {
        var id = await host.OpenAsync();

        using var response = await host.PostAsync($"/counters/{id}/increments", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await CommandHost.JsonOf(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("by", out _), errors.ToString());
        Assert.Single(await host.EventsOf(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1]")]
    public async Task Open_EmptyOrNonObjectBody_Returns400(string json)
    {
        using var response = await host.PostAsync("/counters", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await CommandHost.JsonOf(response)).GetProperty("errors").TryGetProperty("$", out _));
    }

    [Fact]
    public async Task Increment_OverTheLimitFromAnotherStream_Returns422WithRuleAndFieldAndWritesNothing()
    {
        var id = await host.OpenAsync();
        for (var i = 0; i < 2; i++) (await host.IncrementAsync(id, 50)).Dispose(); // at the default limit of 100

        using var response = await host.IncrementAsync(id, 1);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await CommandHost.JsonOf(response);
        Assert.Equal("counter.limit", problem.GetProperty("rule").GetString());
        Assert.Equal("by", problem.GetProperty("field").GetString());
        Assert.Equal(3, (await host.EventsOf(id)).Count);
    }
}
