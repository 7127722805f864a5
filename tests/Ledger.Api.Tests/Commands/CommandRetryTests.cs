using Ledger.Api.Commands;
using Ledger.Api.Tests.Writes;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using static Ledger.Api.Tests.Commands.CommandTestKit;

namespace Ledger.Api.Tests.Commands;

/// <summary>
/// A race lost at the commit without If-Match: the command is decided again on the new state, up to
/// <see cref="CommandMiddleware.MaxAttempts"/> attempts, then 409 (ported from Ledger.Commands.Tests). The concurrent
/// writer is played in the hook, between the decision and the append.
/// </summary>
public sealed class CommandRetryTests(HookedApiFactory f) : IClassFixture<HookedApiFactory>
{
    [Fact]
    public async Task RecordRealization_RaceLostOnce_IsDecidedAgainOnTheNewState()
    {
        // This command records I2 Y = 75. During its first attempt another writer records I2 Y = 80, so the second attempt
        // must see that value and refuse: proof that the retry decided on the new state, not on the one it first loaded.
        var s = await Surakarta.WithRenstraAsync(f);
        var hook = f.Hooks.On(s.YearStream, (call, _) => call == 1
            ? f.AppendBehindTheBackAsync(s.YearStream, new RealizationRecorded("I2", "Y", 80m, null, null, null, null, null))
            : Task.CompletedTask);

        var refused = await s.SendAsync(s.Staff, "realizations", Realization("I2", 75m));

        Assert.Equal(422, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType());
        Assert.Equal("realization.already-recorded-use-correction", refused.JsonAt("rule").GetString());
        Assert.Equal(2, f.RealizationAttempts.Of(s.Agency)); // decided twice
        Assert.Equal(1, hook.Calls); // the first attempt accepted and reached the append; the second refused before it
        var stored = Assert.Single(await f.LogAsync(s.YearStream));
        Assert.Equal(80m, stored.Data.GetProperty("value").GetDecimal()); // the other writer's value, nothing of this command
    }

    [Fact]
    public async Task RecordRealization_RaceLostOnEveryAttempt_Returns409RaceLostWithTheLastVersionsAndWritesNothingOfIt()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "realizations", Realization("I2", 75m)); // version 1
        string[] others = ["I6", "I7", "I8", "I9"];
        var hook = f.Hooks.On(s.YearStream, (call, _) =>
            f.AppendBehindTheBackAsync(s.YearStream, new RealizationRecorded(others[call - 1], "Y", 1m, null, null, null, null, null)));

        var lost = await s.SendAsync(s.Staff, "realizations", Realization("I9", 92.93m));

        Assert.Equal(409, lost.Status);
        Assert.Equal("application/problem+json", lost.ContentType());
        Assert.Equal("concurrency.race-lost", lost.JsonAt("rule").GetString());
        Assert.Equal(CommandMiddleware.MaxAttempts, hook.Calls); // three attempts, each decided on a fresh fold …
        Assert.Equal(1 + CommandMiddleware.MaxAttempts, f.RealizationAttempts.Of(s.Agency)); // … and no fourth (1: the set-up's)
        Assert.Equal(3, lost.JsonAt("expectedVersion").GetInt64()); // the third attempt folded version 3 …
        Assert.Equal(4, lost.JsonAt("actualVersion").GetInt64());   // … and the other writer made it 4
        var log = await f.LogAsync(s.YearStream);
        Assert.Equal(["I2", "I6", "I7", "I8"], log.Select(e => e.Data.GetProperty("indicator").GetString()));
        Assert.DoesNotContain(log, e => e.Data.GetProperty("value").GetDecimal() == 92.93m);
    }

    [Fact]
    public async Task RecordSpending_TenInParallelWithoutIfMatch_EachSuccessHasItsOwnVersionAndTheRestGet409()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "budget/2023", Surakarta.ApbdMurni, 201); // version 1

        var answers = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            s.SendAsync(s.Staff, "budget/2023/spending", new { code = "P2.1", amount = 1_000m * i, period = "Y" })));

        Assert.All(answers, a => Assert.True(a.Status is 200 or 409, a.Text));
        Assert.All(answers.Where(a => a.Status == 409), a => Assert.Equal("concurrency.race-lost", a.JsonAt("rule").GetString()));
        var versions = answers.Where(a => a.Status == 200).Select(a => a.JsonAt("version").GetInt64()).Order().ToList();
        Assert.NotEmpty(versions);
        Assert.Equal(Enumerable.Range(2, versions.Count).Select(v => (long)v), versions); // 2..N+1: no version answered twice
        var log = await f.LogAsync(s.YearStream);
        Assert.Equal(1 + versions.Count, log.Count);
        Assert.Equal(Enumerable.Range(1, log.Count).Select(v => (long)v), log.Select(e => e.Version));
        // Each success's answer names the event stored at its version.
        foreach (var a in answers.Where(a => a.Status == 200))
            Assert.Equal(log[(int)a.JsonAt("version").GetInt64() - 1].Id, a.JsonAt("eventIds[0]").GetGuid());
    }
}
