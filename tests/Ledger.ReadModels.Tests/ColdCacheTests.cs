using Ledger.Domain;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Storage;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// sakip-state keeps every agency it met in memory. A service that starts over tables already caught up (a restart, a
/// second node, a rebuild done by another process) has none: the first batch touching an agency re-folds it from the
/// log, finding its streams by name (<see cref="SakipStateProjection.AgencyStreams"/>, an index lookup) rather than by
/// scanning every stream row, which made each such load grow with the log (national-scale benchmark, 10 M events).
/// </summary>
public sealed class ColdCacheTests(ITestOutputHelper output)
{
    [Fact]
    public void AgencyStreams_NameTheAgencyAndEveryYearOfItsRenstrasAndYears_EachReadBackAsThatAgency()
    {
        string[] agencies = ["bkpsdm-a", "dinas-kominfo-2023"];
        var streams = SakipStateProjection.AgencyStreams(agencies);

        var years = StreamYears.Last - StreamYears.First + 1;
        Assert.Equal(agencies.Length * (1 + 2 * years), streams.Length);
        Assert.Equal(streams.Length, streams.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("agency-bkpsdm-a", streams);
        Assert.Contains("renstra-bkpsdm-a-2000", streams);
        Assert.Contains("year-bkpsdm-a-2100", streams);
        Assert.Contains("renstra-dinas-kominfo-2023-2021", streams);
        Assert.DoesNotContain("year-bkpsdm-a-1999", streams);
        Assert.DoesNotContain("year-bkpsdm-a-2101", streams);
        foreach (var a in agencies)
        {
            var own = streams.Where(s => StreamKey.AgencyOf(s) == a).ToList();
            Assert.Equal(1 + 2 * years, own.Count);
            Assert.All(own, s => Assert.NotEqual(StreamKind.Other, StreamKey.Of(s, a).Kind));
            Assert.Equal(Enumerable.Range(StreamYears.First, years), own.Select(s => StreamKey.Of(s, a)).Where(k => k.Kind == StreamKind.Year).Select(k => k.Number));
        }
    }

    [Fact]
    public async Task Run_NewProjectionOverCaughtUpTables_ReloadsEachTouchedAgencyOnceFromTheLogAndEqualsTheFold()
    {
        await using var db = await ReadModelDb.CreateAsync();
        // "dinas-cold-2022" beside "dinas-cold": year-dinas-cold-2022 is dinas-cold's year 2022, not the other agency's.
        string[] agencies = ["dinas-cold", "dinas-cold-2022", "bkpsdm-cold"];
        await CatchUpAndStopAsync(db, agencies, TimeSpan.FromSeconds(60));

        // The same database, a new store and projection: nothing in memory.
        var (store, projection) = ReadModelDb.BuildStore(db.ServiceConnectionString);
        using var _ = store;
        using var second = await store.BuildProjectionDaemonAsync();
        await second.StartAllAsync();
        foreach (var a in agencies) await AppendLaterAsync(db, a);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));
        output.WriteLine($"agencies loaded from the log {projection.State.AgenciesLoaded}, cache reloads {projection.State.CacheReloads}");

        Assert.Equal(agencies.Length, projection.State.AgenciesLoaded);
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(3, await db.ScalarAsync<long>(
            "SELECT count(*) FROM readmodel.performance_years WHERE year = 2024 AND agency = ANY(@a)", ("a", agencies)));
        await second.StopAllAsync();
    }

    [Fact]
    public async Task Run_FirstPageAfterAStartMeetsManyAgenciesAtOnce_LoadsThemTogetherStreamByStreamAndEqualsTheFold()
    {
        // The first page after a start with a backlog meets many agencies at once: their streams are read together, each
        // stream in version order, stream after stream (not in the log's order across streams), and folded.
        await using var db = await ReadModelDb.CreateAsync();
        var agencies = Enumerable.Range(1, 24).Select(i => $"dinas-page-{i:D2}").ToArray();
        await CatchUpAndStopAsync(db, agencies, TimeSpan.FromSeconds(120));

        // The backlog, written while no daemon runs, interleaving the agencies' streams in the log.
        foreach (var a in agencies) await db.AppendAsync($"year-{a}-2023", [Correction]);
        foreach (var a in agencies) await db.AppendAsync($"year-{a}-2024", [SakipStory.Budget(), SakipStory.Pk(a, 2024)]);
        foreach (var a in agencies) await db.AppendAsync($"year-{a}-2024", [Realization]);

        var (store, projection) = ReadModelDb.BuildStore(db.ServiceConnectionString);
        using var _ = store;
        using var second = await store.BuildProjectionDaemonAsync();
        await second.StartAllAsync();
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(120));
        output.WriteLine($"agencies loaded from the log {projection.State.AgenciesLoaded}, cache reloads {projection.State.CacheReloads}");

        Assert.Equal(agencies.Length, projection.State.AgenciesLoaded);
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(agencies.Length, await db.ScalarAsync<long>(
            "SELECT count(*) FROM readmodel.performance_years WHERE year = 2024 AND agency = ANY(@a)", ("a", agencies)));
        await second.StopAllAsync();
    }

    private static readonly RealizationCorrected Correction = new("IK03", "Q2", 0, 12.5m, "Koreksi hasil verifikasi", false);
    private static readonly RealizationRecorded Realization = new("IK01", "Q1", 44.5m, null, null, null, null, null);

    /// <summary>The story of <paramref name="agencies"/> appended and caught up by a daemon, which is then stopped: the tables are caught up, no cache is left.</summary>
    private static async Task CatchUpAndStopAsync(ReadModelDb db, string[] agencies, TimeSpan timeout)
    {
        using var first = await db.StartDaemonAsync();
        await SakipStory.AppendAsync(db, agencies);
        await db.WaitForCatchUpAsync(first, timeout);
        await first.StopAllAsync();
    }

    /// <summary>
    /// A correction of a year already projected, and a new year whose targets come from the Renstra of 2021: both fold
    /// onto what only the log holds.
    /// </summary>
    private static async Task AppendLaterAsync(ReadModelDb db, string agency)
    {
        await db.AppendAsync($"year-{agency}-2023", [Correction]);
        await db.AppendAsync($"year-{agency}-2024", [SakipStory.Budget(), SakipStory.Pk(agency, 2024)]);
        await db.AppendAsync($"year-{agency}-2024", [Realization]);
    }
}
