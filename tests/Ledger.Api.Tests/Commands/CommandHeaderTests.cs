using Ledger.Api.Tests.Writes;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using static Ledger.Api.Tests.Commands.CommandTestKit;

namespace Ledger.Api.Tests.Commands;

/// <summary>
/// If-Match (optimistic concurrency chosen by the client) and the headers the pipeline parses before anything runs
/// (ported from Ledger.Commands.Tests). The year stream of a fresh agency is at version 1 after <see cref="SetUpAsync"/>.
/// </summary>
public sealed class CommandHeaderTests(HookedApiFactory f) : IClassFixture<HookedApiFactory>
{
    [Theory]
    [InlineData("\"1\"")]
    [InlineData("1")]
    [InlineData("W/\"1\"")]
    public async Task RecordRealization_CurrentIfMatchInAnyForm_SucceedsWithTheNextVersion(string ifMatch)
    {
        var s = await SetUpAsync();

        var recorded = await s.SendAsync(s.Staff, "realizations", Realization("I6", 0.1m), ("If-Match", ifMatch));

        Assert.Equal(200, recorded.Status);
        Assert.Equal("\"2\"", recorded.Header("ETag"));
        Assert.Equal(2, recorded.JsonAt("version").GetInt64());
        Assert.Equal(2, (await f.LogAsync(s.YearStream)).Count);
    }

    [Fact]
    public async Task RecordRealization_StaleIfMatch_Returns412WithBothVersionsBeforeDeciding()
    {
        var s = await SetUpAsync();
        await s.PostAsync(s.Staff, "realizations", Realization("I6", 0.1m)); // the year is now at version 2
        var hook = f.Hooks.On(s.YearStream, (_, _) => Task.CompletedTask);

        // Decided, this would be 422 (I2 Y is already recorded): the version is checked first.
        var stale = await s.SendAsync(s.Staff, "realizations", Realization("I2", 80m), ("If-Match", "\"1\""));

        Assert.Equal(412, stale.Status);
        Assert.Equal("application/problem+json", stale.ContentType());
        Assert.Equal(1, stale.JsonAt("expectedVersion").GetInt64());
        Assert.Equal(2, stale.JsonAt("actualVersion").GetInt64());
        Assert.Equal(0, hook.Calls); // refused before deciding: nothing reached the append
        Assert.Equal(2, (await f.LogAsync(s.YearStream)).Count);
    }

    [Fact]
    public async Task RecordRealization_IfMatchCurrentButTheStreamMovesBeforeTheCommit_Returns412AndIsNeverRetried()
    {
        var s = await SetUpAsync();
        var hook = f.Hooks.On(s.YearStream, (_, _) =>
            f.AppendBehindTheBackAsync(s.YearStream, new RealizationRecorded("I6", "Y", 0.1m, null, null, null, null, null)));

        var raced = await s.SendAsync(s.Staff, "realizations", Realization("I7", 1.85m), ("If-Match", "\"1\""));

        Assert.Equal(412, raced.Status);
        Assert.Equal("application/problem+json", raced.ContentType());
        Assert.Equal(1, raced.JsonAt("expectedVersion").GetInt64());
        Assert.Equal(2, raced.JsonAt("actualVersion").GetInt64());
        Assert.Equal(1, hook.Calls);
        Assert.Equal(2, f.RealizationAttempts.Of(s.Agency)); // I2 in the set-up, then this one decided once: never retried
        var log = await f.LogAsync(s.YearStream);
        Assert.Equal(["I2", "I6"], log.Select(e => e.Data.GetProperty("indicator").GetString())); // only the other writer's event
    }

    public static TheoryData<string, string> MalformedHeaders() => new()
    {
        { "If-Match", "abc" },
        { "If-Match", "*" },
        { "If-Match", "-1" },
        { "If-Match", "\"1\", \"2\"" },
        { "If-Match", "\"\"" },
        { "If-Match", "\"one\"" },
        { "Idempotency-Key", "   " },
        { "Idempotency-Key", new string('k', 201) },
        { "X-Correlation-Id", "   " },
        { "X-Correlation-Id", new string('c', 201) },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public async Task RecordRealization_MalformedHeader_Returns400NamingTheHeaderAndWritesNothing(string header, string value)
    {
        var s = await SetUpAsync();

        var bad = await s.SendAsync(s.Staff, "realizations", Realization("I6", 0.1m), (header, value));

        Assert.Equal(400, bad.Status);
        Assert.Equal("application/problem+json", bad.ContentType());
        Assert.Equal(header, bad.JsonAt("header").GetString());
        Assert.Single(await f.LogAsync(s.YearStream));
    }

    /// <summary>A fresh agency with its Renstra, and I2 2023 Y = 75 recorded: the year stream is at version 1.</summary>
    private async Task<Surakarta> SetUpAsync()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var first = await s.PostAsync(s.Staff, "realizations", Realization("I2", 75m));
        Assert.Equal("\"1\"", first.Header("ETag"));
        return s;
    }
}
