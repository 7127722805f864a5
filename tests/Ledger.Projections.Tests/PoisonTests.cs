using Ledger.EventStore;
using Ledger.Projections;

namespace Ledger.Projections.Tests;

public sealed class PoisonTests
{
    [Fact]
    public async Task Run_PoisonEventInTheMiddleOfABatch_FailsOnlyThatProjectionAtThatEventAndRetryResumes()
    {
        await using var db = await ProjectionDb.CreateAsync();
        await Writers.RunAsync(db.Store, writers: 2, appends: 20);
        var marked = await db.Store.AppendAsync(new AppendRequest(new StreamName("s-poisoned"), "counter", null, ExpectedVersion.Any,
            [Writers.Event(Writers.Incremented, 1), Writers.Event(Writers.Incremented, 2), new EventData(Guid.NewGuid(), "poison", "{}"),
             Writers.Event(Writers.Incremented, 3)], AppendMetadata.None));
        var poisonSeq = marked.Sequences[2];
        await Writers.RunAsync(db.Store, writers: 2, appends: 20);

        var totals = new StreamTotalsProjection();
        var daemon = db.Daemon(totals, new TypeCountsProjection()); // one batch holds the whole log: bisection finds the event
        using var cts = new CancellationTokenSource();
        var running = daemon.RunAsync(cts.Token);

        await db.WaitForCatchUpAsync(TimeSpan.FromSeconds(20), "type_counts");
        var failed = await WaitForStateAsync(db, "stream_totals", ProjectionState.Failed);
        Assert.Equal(poisonSeq, failed.ErrorEventSequence);
        Assert.Equal(marked.Sequences[1], failed.Position.Value); // everything before the poison event is applied
        Assert.Contains($"poison event at seq {poisonSeq}", failed.Error);
        Assert.Equal(marked.Sequences[1], await db.ScalarAsync<long>("SELECT max(seq) FROM readmodel.applied WHERE projection = 'stream_totals'"));
        Assert.Equal(await db.ScalarAsync<long>("SELECT count(*) FROM eventstore.events WHERE seq < @s", ("s", poisonSeq)),
            await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.applied WHERE projection = 'stream_totals'"));
        Assert.Equal(ProjectionState.Running, (await daemon.Checkpoints.GetStatusAsync("type_counts"))!.State);

        Assert.False(await daemon.RetryAsync("type_counts")); // not failed: nothing to clear
        totals.Healed = true;
        Assert.True(await daemon.RetryAsync("stream_totals"));
        await db.WaitForCatchUpAsync(TimeSpan.FromSeconds(20), "stream_totals");
        var healed = (await daemon.GetStatusAsync()).Single(s => s.Name == "stream_totals");
        Assert.Equal(ProjectionState.Running, healed.State);
        Assert.Null(healed.Error);
        Assert.Null(healed.ErrorEventSequence);

        await cts.CancelAsync();
        await running;
        await db.AssertStreamTotalsExactlyOnceAsync();
    }

    private static async Task<ProjectionStatus> WaitForStateAsync(ProjectionDb db, string name, ProjectionState state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var s = await db.Checkpoints.GetStatusAsync(name);
            if (s?.State == state) return s;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{name} never reached {state}: {s}");
            await Task.Delay(10);
        }
    }
}
