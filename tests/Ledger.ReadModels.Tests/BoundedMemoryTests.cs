using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// The state part keeps agencies' folded states in memory, at most <see cref="SakipStateProjection.AgencyCapacity"/> of
/// them when a limit is set (docs/projections.md "Memory"): past it the least recently touched are dropped once a page's rows are
/// written, and one touched again is re-folded from the log; a catch-up from nothing stops deferring its state rows once
/// it has met more agencies than that. Whatever is dropped, every table equals the fold of the log.
/// </summary>
public sealed class BoundedMemoryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Run_FiveAgenciesInterleavedWithRoomForTwo_DroppedAgenciesAreReloadedFromTheLogAndEveryTableEqualsTheFold()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        db.State.AgencyCapacity = 2;
        using var daemon = await db.StartDaemonAsync();
        var agencies = Enumerable.Range(1, 5).Select(n => SakipStory.Agency(n, "bm")).ToList();
        var appended = await SakipStory.AppendAsync(db, agencies); // one writer per agency: pages mix them
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        output.WriteLine($"{appended} events; in memory {db.State.AgenciesInMemory}, dropped {db.State.AgenciesDropped}, loaded {db.State.AgenciesLoaded}; {db.State.StatePhases}");
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.InRange(db.State.AgenciesInMemory, 1, 2);
        Assert.True(db.State.AgenciesDropped >= 3, $"dropped {db.State.AgenciesDropped}");

        // Each agency again, one after another: whichever were dropped are re-folded from the log before the event.
        var loaded = db.State.AgenciesLoaded;
        foreach (var a in agencies)
        {
            await db.AppendAsync($"year-{a}-2023", [new RealizationCorrected("IK03", "Q2", 0, 12.5m, "Koreksi hasil verifikasi", false)]);
            await db.WaitForCatchUpAsync(daemon, CatchUp);
        }
        output.WriteLine($"after the corrections: in memory {db.State.AgenciesInMemory}, dropped {db.State.AgenciesDropped}, loaded {db.State.AgenciesLoaded}");
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.True(db.State.AgenciesLoaded - loaded >= 3, $"re-folded {db.State.AgenciesLoaded - loaded} of 5 agencies (at most 2 were in memory)");
        Assert.InRange(db.State.AgenciesInMemory, 1, 2);
        Assert.Equal(0, db.State.Repairs);
        await daemon.StopAllAsync();

        // The verifier's recompute, two agencies at a time (three groups), agrees with the tables.
        db.State.RecomputeAgencies = 2;
        var verified = await ReadModelVerifier.VerifyAsync(db.Service, db.Store);
        Assert.True(verified.Ok, string.Join("; ", verified.Tables.Where(t => !t.Ok).Select(t => $"{t.Table}: missing {t.Missing}, extra {t.Extra}, different {t.Different}")));
        Assert.All(verified.Tables, t => Assert.True(t.RowsChecked > 0 && t.RowsChecked == t.ExpectedRows, t.Table));
    }

    [Fact]
    public async Task CatchUpFromNothing_MoreAgenciesThanTheCapacity_StopsDeferringWritesEveryRowOnceAndEqualsTheFold()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        var agencies = Enumerable.Range(1, 4).Select(n => SakipStory.Agency(n, "bc")).ToList();
        // One agency after another: the log meets them in turn, as a national load (agencies copied in groups) does.
        long appended = 0, firstTwo = 0;
        foreach (var a in agencies)
        {
            appended += await SakipStory.AppendAsync(db, [a]);
            if (a == agencies[1]) firstTwo = appended;
        }
        db.State.AgencyCapacity = 2;
        using var daemon = await db.StartDaemonAsync(); // the whole log is there: the pages from 0 are full
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        output.WriteLine($"{appended} events ({firstTwo} of the first two agencies); deferred pages {db.State.DeferredPages}, in memory {db.State.AgenciesInMemory}, dropped {db.State.AgenciesDropped}; {db.State.StatePhases}");

        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM readmodel.rows_pending"));
        Assert.Equal(0, db.State.Repairs);
        // Deferred while it had met at most two agencies (about the first two agencies' pages), then page by page.
        Assert.InRange(db.State.DeferredPages, firstTwo / 40 - 2, firstTwo / 40);
        Assert.InRange(db.State.AgenciesInMemory, 1, 2);
        Assert.True(db.State.AgenciesDropped >= 2, $"dropped {db.State.AgenciesDropped}");
        // Met in log order, so a dropped agency never came back; only an agency first met after a drop was looked up in
        // the log (once: nothing of it before the page), i.e. at most the last two.
        Assert.InRange(db.State.AgenciesLoaded, 0, 2);
        await daemon.StopAllAsync();
    }

    [Fact]
    public void AgencyCapacity_NoLimitByDefault_BelowOneIsRefused()
    {
        var state = new SakipStateProjection();
        Assert.Equal(SakipStateProjection.Unbounded, state.AgencyCapacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.AgencyCapacity = 0);
        state.AgencyCapacity = 1;
        Assert.Equal(1, state.AgencyCapacity);
        Assert.Equal(SakipStateProjection.DefaultRecomputeAgencies, state.RecomputeAgencies);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.RecomputeAgencies = 0);
    }
}
