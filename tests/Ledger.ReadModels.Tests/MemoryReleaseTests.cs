using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// A process whose daemon no longer runs <c>sakip</c> forgets the state part's folded agencies
/// (<see cref="SakipStateProjection.ReleaseMemory"/>, decided by <see cref="MemoryReleasePolicy"/>; docs/projections.md
/// "Memory"). Forgetting is safe whenever it happens between pages: when the process runs the projection again, every
/// table still equals the fold of the log — also when state rows were pending (a catch-up from nothing stopped midway).
/// </summary>
public sealed class MemoryReleaseTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Release_AfterTheDaemonStopped_ForgetsEveryAgency_ThenTheNextPagesRefoldWhatTheyTouchAndEqualTheFold()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        var agencies = Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, "mr")).ToList();
        await SakipStory.AppendAsync(db, agencies);
        var daemon = await db.StartDaemonAsync();
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        await daemon.StopAllAsync();
        daemon.Dispose();
        Assert.Equal(3, db.State.AgenciesInMemory);

        Assert.Equal(3, db.State.ReleaseMemory());
        Assert.Equal(0, db.State.AgenciesInMemory);
        Assert.Equal(3, db.State.AgenciesReleased);
        Assert.Equal(0, db.State.ReleaseMemory()); // nothing left

        // Another daemon in the same process (it leads again): each agency touched is re-folded from the log first.
        var loaded = db.State.AgenciesLoaded;
        using var again = await db.StartDaemonAsync();
        foreach (var a in agencies.Take(2))
            await db.AppendAsync($"year-{a}-2023", [new RealizationCorrected("IK03", "Q2", 0, 7.25m, "Koreksi setelah pelepasan memori", false)]);
        await db.WaitForCatchUpAsync(again, CatchUp);
        output.WriteLine($"loaded {db.State.AgenciesLoaded - loaded}, in memory {db.State.AgenciesInMemory}; {db.State.StatePhases}");
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(2, db.State.AgenciesLoaded - loaded);
        Assert.Equal(2, db.State.AgenciesInMemory);
        await again.StopAllAsync();
    }

    /// <summary>
    /// Stopped in the middle of a catch-up from nothing, whose state rows are pending (written once at its end): the
    /// memory that holds them is forgotten, so the next page re-folds every agency from the log (one repair) and the end
    /// of the catch-up writes every row from that.
    /// </summary>
    [Fact]
    public async Task Release_InTheMiddleOfACatchUpWithRowsPending_TheNextPageRepairsFromTheLogAndEveryTableEqualsTheFold()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 20);
        await SakipStory.AppendAsync(db, Enumerable.Range(1, 4).Select(n => SakipStory.Agency(n, "mp")).ToList());
        var daemon = await db.StartDaemonAsync();
        var deadline = DateTime.UtcNow + CatchUp;
        while (db.State.DeferredPages < 3)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("no page was deferred");
            await Task.Delay(2);
        }
        await daemon.StopAllAsync();
        daemon.Dispose();
        var head = await db.HeadAsync();
        var position = (await SakipReadModels.StatusAsync(db.Service)).Single().Position;
        output.WriteLine($"stopped at {position} of {head}; deferred pages {db.State.DeferredPages}, in memory {db.State.AgenciesInMemory}");
        // The premise: stopped before the end, with the state rows pending.
        Assert.True(position < head, $"the catch-up finished ({position} of {head}) before the daemon stopped");
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending"));
        Assert.Equal(0, db.State.Repairs);

        Assert.True(db.State.ReleaseMemory() > 0);
        using var again = await db.StartDaemonAsync();
        await db.WaitForCatchUpAsync(again, CatchUp);
        output.WriteLine($"repairs {db.State.Repairs}; {db.State.StatePhases}");
        Assert.Equal(1, db.State.Repairs);
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending"));
        await again.StopAllAsync();
    }

    [Fact]
    public void Policy_ReleasesOnlyAfterNotRunningAndNotWritingForTheWholeDelay_AndOnlyWhenSomethingIsHeld()
    {
        var after = TimeSpan.FromSeconds(60);
        var policy = new MemoryReleasePolicy(after);
        var t0 = new DateTimeOffset(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);
        var idle = TimeSpan.FromMinutes(10);

        Assert.False(policy.Check(runningHere: true, 100, idle, t0));
        Assert.False(policy.Check(false, 100, idle, t0.AddSeconds(1)));   // not running since t0+1
        Assert.False(policy.Check(false, 100, idle, t0.AddSeconds(60)));  // 59 s: not yet
        Assert.True(policy.Check(false, 100, idle, t0.AddSeconds(61)));   // 60 s
        Assert.False(policy.Check(false, 0, idle, t0.AddSeconds(62)));    // nothing held
        Assert.False(policy.Check(false, 100, TimeSpan.FromSeconds(5), t0.AddSeconds(90))); // a page written 5 s ago (a rebuild here)

        // Running again resets the clock.
        Assert.False(policy.Check(true, 100, idle, t0.AddSeconds(100)));
        Assert.False(policy.Check(false, 100, idle, t0.AddSeconds(101)));
        Assert.False(policy.Check(false, 100, idle, t0.AddSeconds(160)));
        Assert.True(policy.Check(false, 100, idle, t0.AddSeconds(161)));

        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryReleasePolicy(TimeSpan.Zero));
    }

    [Fact]
    public void SinceLastWrite_NeverWritten_IsMaxValue()
    {
        var state = new SakipStateProjection();
        Assert.Equal(TimeSpan.MaxValue, state.SinceLastWrite);
        Assert.Equal(0, state.ReleaseMemory());
    }
}
