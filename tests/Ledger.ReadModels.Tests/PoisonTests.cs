using JasperFx.Events.Daemon;
using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// (d) A poison event (one the projection cannot apply) stops only the projection that reads it, at that event: its
/// progression stays just before it, every earlier row stays, and the daemon reports the shard paused with the event's
/// sequence, in memory and in <c>ledger.mt_event_progression</c> (what every node's /health reads).
/// </summary>
public sealed class PoisonTests(ITestOutputHelper output)
{
    private const string State = "sakip-state:All";

    [Fact]
    public async Task Run_BudgetWithoutLines_PausesSakipStateAtThatEventKeepsEarlierRowsAndTheOthersGoOn()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 100);
        using var daemon = await db.StartDaemonAsync();
        var a = SakipStory.Agency(1, "po");
        await SakipStory.AppendAsync(db, [a], years: 1);
        await db.WaitForCatchUpAsync(daemon, TimeSpan.FromSeconds(30));
        var before = await db.HeadAsync();

        // Marten loads it (a BudgetEnacted whose lines are null); the domain's Evolve cannot fold it. Only sakip-state
        // reads budget events; the history and PK projections must get past it.
        await db.AppendAsync($"year-{a}-2024", [new BudgetEnacted(null!, [], 0)]);
        var poison = await db.HeadAsync();
        Assert.Equal(before + 1, poison);
        await db.AppendAsync($"year-{a}-2024", [SakipStory.Pk(a, 2024)]);
        await db.AppendAsync($"year-{a}-2024", [new RealizationRecorded("IK00", "Q1", 50, null, null, null, null, null)]);
        var head = await db.HeadAsync();
        await db.WaitForCatchUpAsync(daemon, TimeSpan.FromSeconds(30), IndicatorHistoryProjection.ProjectionName, PkVersionsProjection.ProjectionName);

        // What the daemon reports, as any node reads it (extended progression tracking, written by the leader) ...
        var deadline = DateTime.UtcNow.AddSeconds(30);
        ProjectionShardStatus status;
        while ((status = (await SakipReadModels.StatusAsync(db.Service)).Single(s => s.Shard == State)).AgentStatus != "Paused")
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"sakip-state never reported Paused: {status}");
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

        // Every row before the poison event is there and right; nothing of it or after it in sakip-state's tables; the
        // other two projections have everything, the realization after the poison event included.
        await LogFold.AssertTablesEqualFoldAsync(db, head, stateUpTo: poison - 1);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT stream_version FROM readmodel.performance_years WHERE agency = @a AND year = 2024", ("a", a)));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.budget_lines WHERE agency = @a AND year = 2024", ("a", a)));
        Assert.Equal(1L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM readmodel.indicator_history WHERE agency = @a AND effective_year = 2024 AND change = 'realization-recorded'", ("a", a)));
        Assert.Equal(head, (await SakipReadModels.StatusAsync(db.Service)).Single(s => s.Projection == PkVersionsProjection.ProjectionName).Position);
        await daemon.StopAllAsync();
    }
}
