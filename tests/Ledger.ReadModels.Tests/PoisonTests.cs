using JasperFx.Events.Daemon;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// (d) A poison event (one the projection cannot apply) stops projection <c>sakip</c> at that event: its progression
/// stays just before it, every earlier row of every table stays, nothing of the event or after it is written to any of
/// the six tables (one page, one transaction: they stay at the same position), and the daemon reports the shard paused
/// with the event's sequence, in memory and in <c>ledger.mt_event_progression</c> (what every node's /health reads).
/// </summary>
public sealed class PoisonTests(ITestOutputHelper output)
{
    private const string State = ReadModelDb.Shard;

    [Fact]
    public async Task Run_BudgetWithoutLines_PausesSakipAtThatEventKeepsEarlierRowsOfEveryTableAndWritesNothingAfter()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 100);
        using var daemon = await db.StartDaemonAsync();
        var a = SakipStory.Agency(1, "po");
        await SakipStory.AppendAsync(db, [a], years: 1);
        await db.WaitForCatchUpAsync(daemon, TimeSpan.FromSeconds(30));
        var before = await db.HeadAsync();

        // Marten loads it (a BudgetEnacted whose lines are null); the domain's Evolve cannot fold it (the state part).
        // A PK and a realization after it: the history and PK parts could write them, but they share sakip's pages.
        await db.AppendAsync($"year-{a}-2024", [new BudgetEnacted(null!, [], 0)]);
        var poison = await db.HeadAsync();
        Assert.Equal(before + 1, poison);
        await db.AppendAsync($"year-{a}-2024", [SakipStory.Pk(a, 2024)]);
        await db.AppendAsync($"year-{a}-2024", [new RealizationRecorded("IK00", "Q1", 50, null, null, null, null, null)]);
        var head = await db.HeadAsync();

        // What the daemon reports, as any node reads it (extended progression tracking, written by the leader) ...
        var deadline = DateTime.UtcNow.AddSeconds(30);
        ProjectionShardStatus status;
        while ((status = (await SakipReadModels.StatusAsync(db.Service)).Single(s => s.Shard == State)).AgentStatus != "Paused")
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"sakip never reported Paused: {status}");
            await Task.Delay(50);
        }
        output.WriteLine(status.ToString());
        Assert.Equal(poison - 1, status.Position);
        Assert.Equal("ApplyEvent", status.FailureCategory);
        Assert.Equal(poison, status.FailureEventSequence);
        Assert.Contains("budget.enacted.v1", status.FailureEventType);
        Assert.Contains($"#{poison}", status.PauseReason);

        // ... and in memory, on the daemon that ran it.
        var state = daemon.Tracker.CurrentState(State)!;
        Assert.Equal("Paused", state.AgentStatus);
        Assert.Equal(poison, state.Failure!.Event!.Sequence);
        Assert.Equal($"year-{a}-2024", state.Failure.Event.StreamKey);
        Assert.Equal(typeof(ArgumentNullException).FullName, state.Failure.RootExceptionType);

        // Every row before the poison event is there and right, in every table; nothing of it or after it anywhere: not
        // the budget, and neither the PK nor the realization appended after it (history and PK rows included).
        await LogFold.AssertTablesEqualFoldAsync(db, poison - 1);
        Assert.True(head > poison);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT stream_version FROM readmodel.performance_years WHERE agency = @a AND year = 2024", ("a", a)));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.budget_lines WHERE agency = @a AND year = 2024", ("a", a)));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.indicator_history WHERE seq >= @s", ("s", poison)));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.pk_versions WHERE agency = @a AND year = 2024", ("a", a)));
        Assert.Equal(poison - 1, (await SakipReadModels.StatusAsync(db.Service)).Single().Position);
        await daemon.StopAllAsync();
    }
}
