using Ledger.Domain.Agencies.RegisteringAgency;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using Ledger.Domain.Renstras.AddingIndicator;
using Ledger.Domain.Renstras.CreatingRenstra;
using JasperFx.Events.Daemon;
using Xunit.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// (c) Every readmodel table equals a fold of the log (<see cref="LogFold"/>), with Marten's daemon running as the
/// service role: after catching up with writers appending meanwhile, and after a rebuild of each projection from
/// damaged tables.
/// </summary>
public sealed class FoldTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CatchUp_AgenciesWrittenConcurrentlyWhileTheDaemonRuns_EveryTableEqualsTheFoldOfTheLog()
    {
        // Pages of 40 events: many batches, agencies interleaved within them, the state cache reused across them.
        await using var db = await ReadModelDb.CreateAsync(batchSize: 40);
        using var daemon = await db.StartDaemonAsync();
        var agencies = Enumerable.Range(1, 4).Select(n => SakipStory.Agency(n, "cu")).ToList();
        var appended = await SakipStory.AppendAsync(db, agencies);

        await db.WaitForCatchUpAsync(daemon, CatchUp);
        output.WriteLine($"{appended} events; sakip-state: {db.State.StatePhases}; cache reloads {db.State.CacheReloads}");
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.True(db.State.StatePhases.Batches > 10, $"expected many batches, got {db.State.StatePhases.Batches}");
        // One daemon, no gaps: every batch found the cache where the previous one left it.
        Assert.Equal(0, db.State.CacheReloads);
        await daemon.StopAllAsync();
    }

    [Fact]
    public async Task Rebuild_EachProjectionAfterItsTablesWereDamaged_EveryTableEqualsTheFoldAndTheDaemonCarriesOn()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 200);
        using var daemon = await db.StartDaemonAsync();
        var agencies = Enumerable.Range(1, 3).Select(n => SakipStory.Agency(n, "rb")).ToList();
        await SakipStory.AppendAsync(db, agencies);
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        await LogFold.AssertTablesEqualFoldAsync(db);

        // Damage every table (as the owner): only a real teardown and replay gives the fold back.
        await db.ScalarAsync<int>("""
            WITH a AS (DELETE FROM readmodel.indicator_state WHERE indicator = 'IK01' RETURNING 1),
                 b AS (UPDATE readmodel.budget_lines SET spent = 0 RETURNING 1),
                 c AS (DELETE FROM readmodel.lkjip_rows RETURNING 1),
                 d AS (UPDATE readmodel.performance_years SET stream_version = 0 RETURNING 1),
                 e AS (DELETE FROM readmodel.indicator_history WHERE item = 0 RETURNING 1),
                 f AS (DELETE FROM readmodel.pk_versions WHERE number = 1 RETURNING 1)
            SELECT (SELECT count(*) FROM a)::int
            """);
        var reloadsBefore = db.State.CacheReloads;

        // The rebuild replays the whole log through the same sakip-state instance, whose cache holds the fold of the
        // whole log: if it were not dropped, every event would count twice (spending, revisions).
        foreach (var name in SakipReadModels.Names)
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(1), CancellationToken.None);
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(reloadsBefore + 1, db.State.CacheReloads); // the rebuild's first batch dropped the cache, once

        // Again, with a writer appending while the projections are rebuilt: what lands after a rebuild's high-water mark
        // is left to continuous running. Marten stops a projection's agents to rebuild it and does not restart them.
        var writing = SakipStory.AppendAsync(db, [SakipStory.Agency(4, "rb")]);
        foreach (var name in SakipReadModels.Names)
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(1), CancellationToken.None);
        await writing;
        reloadsBefore = db.State.CacheReloads;
        await daemon.StartAllAsync();
        await db.WaitForCatchUpAsync(daemon, CatchUp);
        await LogFold.AssertTablesEqualFoldAsync(db);
        Assert.Equal(reloadsBefore, db.State.CacheReloads); // continuous again from where the rebuild left the cache
        await daemon.StopAllAsync();
    }

    /// <summary>
    /// Bug 1 in the read model: a plan whose transition year is the year before its period (Renstra 2025–2029, transition
    /// 2024) covers 2024 for writes and HTTP reads, but the read model searched period starts from the year down and gave
    /// no indicator_state row for 2024. It now uses the domain's one rule (Renstra.InForce).
    /// </summary>
    [Fact]
    public async Task TransitionYearBeforeThePeriod_HasItsIndicatorStateRow_AndEveryTableEqualsTheFold()
    {
        await using var db = await ReadModelDb.CreateAsync(batchSize: 50);
        using var daemon = await db.StartDaemonAsync();
        const string a = "dinas-bug1";
        await db.AppendAsync($"agency-{a}", [new AgencyRegistered(a, "Dinas Bug 1")]);
        await db.AppendAsync($"renstra-{a}-2025", [new RenstraCreated(a, 2025, 2029, "Renstra 2025-2029", null, 2024)]);
        await db.AppendAsync($"renstra-{a}-2025", [new IndicatorAdded("IKU-1", "Indeks Profesionalitas ASN", "sasaran", "IKU", null, "nilai", "higher",
            "inverse-2t", "annual", null, null, [new YearTarget(2024, 70), new YearTarget(2025, 72)], null)]);
        await db.AppendAsync($"year-{a}-2024", [new RealizationRecorded("IKU-1", "Y", 63, null, null, null, null, null)]);

        await db.WaitForCatchUpAsync(daemon, CatchUp);
        var row = await db.ScalarAsync<string>(
            "SELECT renstra_period_start || ':' || coalesce(target_renstra::text, '-') FROM readmodel.indicator_state WHERE agency = @a AND year = 2024 AND indicator = 'IKU-1'",
            ("a", a));
        Assert.Equal("2025:70", row);
        // The tables this story gives rows (no budget, no PK): each equals the fold, 2024 included.
        await LogFold.AssertTablesEqualFoldAsync(db, tables: ["indicator_state", "lkjip_rows", "performance_years", "indicator_history"]);
        await daemon.StopAllAsync();
    }

    [Fact]
    public async Task Register_AsInline_IsRefusedAtTheFirstAppend()
    {
        await using var db = await ReadModelDb.CreateAsync();
        using var inline = Marten.DocumentStore.For(o =>
        {
            Storage.LedgerMarten.Configure(o, db.ServiceConnectionString);
            o.Projections.Add(new PkVersionsProjection(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        });
        await using var session = inline.LightweightSession();
        ReadModelDb.Stamp(session, "year-x-2023");
        session.Events.Append("year-x-2023", SakipStory.Pk("x", 2023));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => session.SaveChangesAsync());
        Assert.Contains("only on Marten's async daemon", e.Message);
        Assert.Equal(0L, await db.HeadAsync());
    }
}
