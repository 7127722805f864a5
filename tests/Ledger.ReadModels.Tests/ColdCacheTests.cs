using Ledger.Domain;
using Ledger.Domain.Agencies.SettingRatingScale;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Storage;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// sakip-state keeps every agency it met in memory. A service that starts over tables already caught up (a restart, a
/// second node, a rebuild done by another process) has none: the first batch touching an agency re-folds it from the
/// log, finding its streams by name (<see cref="SakipStateProjection.AgencyStreams"/>, an index lookup) rather than by
/// scanning every stream row, which made each such load grow with the log (national-scale benchmark, 10 M events); and
/// only the streams the batch needs (<see cref="SakipStateProjection.NeededYears"/>), not the agency's whole history.
/// </summary>
public sealed class ColdCacheTests(ITestOutputHelper output)
{
    [Fact]
    public void AgencyStreams_NameTheAgencyAndEveryYearOfItsRenstrasAndTheYearsAsked_EachReadBackAsThatAgency()
    {
        var years = StreamYears.Last - StreamYears.First + 1;
        var all = Enumerable.Range(StreamYears.First, years).ToArray();
        foreach (var a in new[] { "bkpsdm-a", "dinas-kominfo-2023" })
        {
            var streams = SakipStateProjection.AgencyStreams(a, own: true, all).ToList();
            Assert.Equal(1 + 2 * years, streams.Count);
            Assert.Equal(streams.Count, streams.Distinct(StringComparer.Ordinal).Count());
            Assert.Contains($"agency-{a}", streams);
            Assert.Contains($"renstra-{a}-2000", streams);
            Assert.Contains($"year-{a}-2100", streams);
            Assert.DoesNotContain($"year-{a}-1999", streams);
            Assert.DoesNotContain($"year-{a}-2101", streams);
            Assert.All(streams, s => Assert.Equal(a, StreamKey.Of(s, a).Agency));
            Assert.All(streams, s => Assert.NotEqual(StreamKind.Other, StreamKey.Of(s, a).Kind));
            Assert.Equal(all, streams.Select(s => StreamKey.Of(s, a)).Where(k => k.Kind == StreamKind.Year).Select(k => k.Number));

            // Only the years asked, within the years a stream may have; without its own stream and Renstras.
            Assert.Equal([$"year-{a}-2022", $"year-{a}-2023", $"year-{a}-2100"], SakipStateProjection.AgencyStreams(a, own: false, [1999, 2022, 2023, 2100, 2101]));
        }
        Assert.Contains("renstra-dinas-kominfo-2023-2021", SakipStateProjection.AgencyStreams("dinas-kominfo-2023", own: true, []));
    }

    [Fact]
    public void NeededYears_AYearEventNeedsItsYearAndBothNeighbours_AnAgencyOrRenstraEventNeedsEverything()
    {
        Assert.Equal([2022, 2023, 2024], SakipStateProjection.NeededYears(StreamKey.Of("year-dinas-a-2023", "dinas-a"))!);
        Assert.Null(SakipStateProjection.NeededYears(StreamKey.Of("agency-dinas-a", "dinas-a")));
        Assert.Null(SakipStateProjection.NeededYears(StreamKey.Of("renstra-dinas-a-2021", "dinas-a")));
    }

    [Fact]
    public async Task Run_FirstTouchAfterAStart_FoldsOnlyTheYearsItNeeds_FurtherYearsOnDemand_WholeForAnAgencyEvent_AndEqualsTheFold()
    {
        // A five-year history (2021–2025). After a start the daemon meets each agency with one year's correction: it
        // folds that agency's own stream, its Renstra and the corrected year with both neighbours (whose LKjIP rows show
        // or read that year), not the rest. Later events of other years fold those years in; an event of the agency's own
        // stream (a rating scale: every year's rows) folds it whole. The tables equal the fold of the log at every step.
        await using var db = await ReadModelDb.CreateAsync();
        string[] agencies = ["dinas-part", "dinas-part-2023"];
        using (var first = await db.StartDaemonAsync())
        {
            await SakipStory.AppendAsync(db, agencies, firstYear: 2021, years: 5);
            await db.WaitForCatchUpAsync(first, TimeSpan.FromSeconds(120));
            await first.StopAllAsync();
        }

        var (store, projection) = ReadModelDb.BuildStore(db.ServiceConnectionString);
        using var _ = store;
        using var second = await store.BuildProjectionDaemonAsync();
        await second.StartAllAsync();
        var state = projection.State;

        foreach (var a in agencies) await db.AppendAsync($"year-{a}-2023", [Correction]);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));
        output.WriteLine($"after 2023: loaded {state.AgenciesLoaded}, extended {state.AgenciesExtended}, held {string.Join(",", state.YearsHeld(agencies[0]) ?? [])}");
        Assert.Equal(agencies.Length, state.AgenciesLoaded);
        Assert.All(agencies, a => Assert.Equal([2022, 2023, 2024], state.YearsHeld(a)));
        await LogFold.AssertTablesEqualFoldAsync(db);

        // 2025: needs 2024 (held), 2025 and 2026 (no stream); 2021: needs 2020 (none), 2021 and 2022 (held).
        foreach (var a in agencies) await db.AppendAsync($"year-{a}-2025", [Correction]);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));
        Assert.All(agencies, a => Assert.Equal([2022, 2023, 2024, 2025, 2026], state.YearsHeld(a)));
        await LogFold.AssertTablesEqualFoldAsync(db);
        foreach (var a in agencies) await db.AppendAsync($"year-{a}-2021", [new RealizationCorrected("IK04", "Q3", 0, 33.3m, "Koreksi", false)]);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));
        Assert.All(agencies, a => Assert.Equal([2020, 2021, 2022, 2023, 2024, 2025, 2026], state.YearsHeld(a)));
        Assert.Equal(agencies.Length, state.AgenciesLoaded);
        Assert.Equal(2 * agencies.Length, state.AgenciesExtended);
        await LogFold.AssertTablesEqualFoldAsync(db);

        // A rating scale from 2023 on: rows of every year the agency has change; the agency is then held whole.
        await db.AppendAsync($"agency-{agencies[0]}", [new RatingScaleSet("Skala 2023", 2023,
        [
            new RatingBandData("Berhasil", 80, false, null, false), new RatingBandData("Belum berhasil", null, false, 80, true),
        ])]);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));
        Assert.True(state.Holds(agencies[0]));
        Assert.Null(state.YearsHeld(agencies[0]));
        // 2023–2026: the years the Renstra 2021–2026 covers from the scale's first year (2026 has no year stream).
        Assert.Equal(4, await db.ScalarAsync<long>(
            "SELECT count(DISTINCT year) FROM readmodel.indicator_state WHERE agency = @a AND rating_scale = 'Skala 2023'", ("a", agencies[0])));
        await LogFold.AssertTablesEqualFoldAsync(db);
        await second.StopAllAsync();
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

    [Fact]
    public async Task Run_FirstTouchWithYearStarts_FoldsEachNeededYearFromItsStart_OnlyTheEventsAfterIt_AndEqualsTheFold()
    {
        // The service hands the daemon starts for year streams (its stream snapshots: IYearStarts). After a start, a first
        // touch re-folds each needed year from its start and reads only the events after it; the tables still equal the
        // fold of the whole log. Asked only for the years it loads, and only up to the sequence it has folded.
        await using var db = await ReadModelDb.CreateAsync();
        string[] agencies = ["dinas-start", "dinas-start-2023"];
        using (var first = await db.StartDaemonAsync())
        {
            await SakipStory.AppendAsync(db, agencies, firstYear: 2021, years: 5);
            await db.WaitForCatchUpAsync(first, TimeSpan.FromSeconds(120));
            await first.StopAllAsync();
        }
        var head = await db.HeadAsync();

        var (store, projection) = ReadModelDb.BuildStore(db.ServiceConnectionString);
        using var _ = store;
        var starts = new FoldedStarts(db, atVersion: 10, honest: true);
        projection.State.YearStarts = starts;
        using var second = await store.BuildProjectionDaemonAsync();
        await second.StartAllAsync();
        foreach (var a in agencies) await db.AppendAsync($"year-{a}-2023", [Correction]);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));

        Assert.Equal(agencies.Length * 3, projection.State.YearsFromStarts); // 2022, 2023 and 2024 of each
        Assert.Equal(agencies.SelectMany(a => new[] { 2022, 2023, 2024 }.Select(y => $"year-{a}-{y}")).Order(StringComparer.Ordinal),
            starts.Asked.Select(x => x.Stream).Order(StringComparer.Ordinal));
        Assert.All(starts.Asked, x => Assert.Equal(head, x.UpTo)); // the log as folded before the page: not the corrections
        await LogFold.AssertTablesEqualFoldAsync(db);
        await second.StopAllAsync();
    }

    [Fact]
    public async Task Run_FirstTouchWithAStartThatIsNotTheFold_ShowsInTheTables_SoTheStartIsWhatTheReFoldUses()
    {
        // The same, with starts whose state is empty (what the first 10 events would not give): the re-folded years lack
        // their budget and PK, and the tables no longer equal the fold. (The service's starts are its authenticated
        // snapshots, checked against the chain; the verifier's recompute never uses them, so it would report this.)
        await using var db = await ReadModelDb.CreateAsync();
        string[] agencies = ["dinas-wrong-start"];
        using (var first = await db.StartDaemonAsync())
        {
            await SakipStory.AppendAsync(db, agencies, firstYear: 2021, years: 5);
            await db.WaitForCatchUpAsync(first, TimeSpan.FromSeconds(120));
            await first.StopAllAsync();
        }
        await LogFold.AssertTablesEqualFoldAsync(db);

        var (store, projection) = ReadModelDb.BuildStore(db.ServiceConnectionString);
        using var _ = store;
        projection.State.YearStarts = new FoldedStarts(db, atVersion: 10, honest: false);
        using var second = await store.BuildProjectionDaemonAsync();
        await second.StartAllAsync();
        await db.AppendAsync($"year-{agencies[0]}-2023", [Correction]);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));
        Assert.Equal(3, projection.State.YearsFromStarts);
        await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => LogFold.AssertTablesEqualFoldAsync(db));
        await second.StopAllAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_FirstTouchWithRenstraStarts_FoldsThePlanFromItsStart_AndTheTablesShowWhichStartItWas(bool honest)
    {
        // The service also hands the daemon starts for Renstra streams (twenty-fourth session). A first touch re-folds the
        // agency's plan from its start and reads only the events after it: an honest start (the fold of the first 5
        // events: the plan and IK00–IK03) leaves the tables equal to the fold of the log; one whose IK03 (the indicator
        // the correction touches) has another 2022 target than the log's shows in the tables (so the start is what the
        // re-fold used).
        await using var db = await ReadModelDb.CreateAsync();
        string[] agencies = [honest ? "dinas-plan-start" : "dinas-plan-wrong"];
        using (var first = await db.StartDaemonAsync())
        {
            await SakipStory.AppendAsync(db, agencies, firstYear: 2021, years: 3);
            await db.WaitForCatchUpAsync(first, TimeSpan.FromSeconds(120));
            await first.StopAllAsync();
        }
        var head = await db.HeadAsync();

        var (store, projection) = ReadModelDb.BuildStore(db.ServiceConnectionString);
        using var _ = store;
        var starts = new FoldedRenstraStarts(db, atVersion: 5, honest);
        projection.State.RenstraStarts = starts;
        using var second = await store.BuildProjectionDaemonAsync();
        await second.StartAllAsync();
        await db.AppendAsync($"year-{agencies[0]}-2022", [Correction]);
        await db.WaitForCatchUpAsync(second, TimeSpan.FromSeconds(60));

        Assert.Equal(1, projection.State.RenstrasFromStarts);
        Assert.Equal([$"renstra-{agencies[0]}-2021"], starts.Asked.Select(x => x.Stream));
        Assert.All(starts.Asked, x => Assert.Equal(head, x.UpTo));
        if (honest) await LogFold.AssertTablesEqualFoldAsync(db);
        else await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => LogFold.AssertTablesEqualFoldAsync(db));
        await second.StopAllAsync();
    }

    /// <summary>Renstra starts at a version: the fold of the first <paramref name="atVersion"/> events (honest), or that fold with IK03's 2022 target 12.5 (not).</summary>
    private sealed class FoldedRenstraStarts(ReadModelDb db, long atVersion, bool honest) : IRenstraStarts
    {
        public List<(string Stream, long UpTo)> Asked { get; } = [];

        public async Task<IReadOnlyDictionary<string, RenstraStart>> FindAsync(IReadOnlyCollection<string> renstras, long upToSequence, CancellationToken ct)
        {
            var found = new Dictionary<string, RenstraStart>(StringComparer.Ordinal);
            await using var session = db.Store.QuerySession();
            foreach (var stream in renstras)
            {
                lock (Asked) Asked.Add((stream, upToSequence));
                var events = await session.Events.FetchStreamAsync(stream, version: atVersion, token: ct);
                if (events.Count < atVersion || events[^1].Sequence > upToSequence) continue;
                var state = events.Aggregate(Domain.Renstras.RenstraState.Initial, (s, e) => Domain.Renstras.Renstra.Evolve(s, (IDomainEvent)e.Data));
                if (!honest) state = state with { Indicators = state.Indicators.ConvertAll(i => i.Code == Correction.Indicator ? i with { Targets = i.Targets.SetItem(2022, 12.5m) } : i) };
                found[stream] = new RenstraStart(state, atVersion);
            }
            return found;
        }
    }

    /// <summary>
    /// Starts at a version: the fold of the stream's first <paramref name="atVersion"/> events read back through Marten
    /// (honest), or an empty state claiming that version (not).
    /// </summary>
    private sealed class FoldedStarts(ReadModelDb db, long atVersion, bool honest) : IYearStarts
    {
        public List<(string Stream, long UpTo)> Asked { get; } = [];

        public async Task<IReadOnlyDictionary<string, YearStart>> FindAsync(IReadOnlyCollection<(string Stream, string Agency, int Year)> years,
            long upToSequence, CancellationToken ct)
        {
            var found = new Dictionary<string, YearStart>(StringComparer.Ordinal);
            await using var session = db.Store.QuerySession();
            foreach (var (stream, agency, year) in years)
            {
                lock (Asked) Asked.Add((stream, upToSequence));
                var events = await session.Events.FetchStreamAsync(stream, version: atVersion, token: ct);
                if (events.Count < atVersion || events[^1].Sequence > upToSequence) continue;
                var state = Domain.PerformanceYears.PerformanceYearState.Initial(agency, year);
                if (honest) foreach (var e in events) state = Domain.PerformanceYears.PerformanceYear.Evolve(state, (IDomainEvent)e.Data);
                found[stream] = new YearStart(state, atVersion);
            }
            return found;
        }
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
