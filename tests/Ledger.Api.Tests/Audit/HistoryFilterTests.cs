using Ledger.Api.Features.Audit;
using Ledger.Api.Tests.Reads;
using Ledger.Domain.Capaian;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.Storage;

namespace Ledger.Api.Tests.Audit;

/// <summary>
/// Issue 13: the history read fetches only the year events that may concern the indicator, filtered in the store's
/// query (<see cref="AuditLoader.YearsForIndicatorAsync"/>). They must be exactly the events of the full read that
/// <see cref="IndicatorHistory.MayConcern"/> keeps, for every indicator and instant, so the history is the same. A loader
/// that keeps the events it read (<see cref="StreamEventCache"/>, as the service's does) reads the year streams whole and
/// applies <see cref="IndicatorHistory.MayConcern"/> itself: the same events again.
/// </summary>
public sealed class HistoryFilterTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task YearEventsFilteredInTheQuery_AreExactlyThoseThatMayConcernTheIndicator_AtEveryInstant(bool keepingEvents)
    {
        var seed = new SeedEvents(f);
        var agency = ApiClient.NewAgencyCode();
        await seed.FullYearAsync(agency);
        for (var i = 0; i < 3; i++)
        {
            await seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I1", Period.Y, 0.70m + i / 100m, $"Koreksi I1 ke-{i}"));
            await seed.YearAsync(agency, SurakartaSeed.Year, new CorrectRealization("I2", Period.Y, 70m + i, $"Koreksi I2 ke-{i}"));
        }
        await seed.AppendAsync(PerformanceYear.StreamName(agency, SurakartaSeed.Year), agency, [new YearClosed(new string('a', 64), "LKjIP", ["I6"])]);

        var plain = new AuditLoader(new StreamLoader(f.Store, f.Database.Owner));
        var loader = keepingEvents ? new StreamLoader(f.Store, f.Database.Owner, new StreamEventCache(10_000)) : new StreamLoader(f.Store, f.Database.Owner);
        Assert.Equal(keepingEvents, loader.KeepsEvents);
        var audit = new AuditLoader(loader);
        int[] years = [2022, SurakartaSeed.Year];
        var all = await plain.YearsAsync(agency, years, null, default);
        var renstra = (await audit.RenstrasAsync(agency, 2010, 2024, null, default)).SelectMany(r => r.Events).ToList();
        var codes = renstra.Select(e => e.Event).OfType<Ledger.Domain.Renstras.AddingIndicator.IndicatorAdded>().Select(a => a.Code).Append("I404").ToList();
        var instants = all.Select(e => (DateTimeOffset?)e.RecordedAt).Distinct().SelectMany(t => new[] { t, t!.Value.AddTicks(-10) }).Prepend(null).ToList();
        var fewer = 0;
        foreach (var code in codes)
            foreach (var at in instants)
            {
                var whole = at is null ? all : await plain.YearsAsync(agency, years, at, default);
                var filtered = await audit.YearsForIndicatorAsync(agency, years, code, at, default);
                Assert.Equal(whole.Where(e => IndicatorHistory.MayConcern(code, e.Event)).Select(e => e.Id), filtered.Select(e => e.Id));
                Assert.Equal(IndicatorHistory.For(code, [.. renstra, .. whole]), IndicatorHistory.For(code, [.. renstra, .. filtered]));
                fewer += filtered.Count < whole.Count ? 1 : 0;
            }
        Assert.True(fewer > instants.Count, "the filter leaves events out");

        // The history's one query: the agency, the plans and the years asked, each as its own read gives it.
        foreach (var at in instants)
        {
            var one = await audit.IndicatorHistoryAsync(agency, 2010, 2024, "I1", [2021, 2022, SurakartaSeed.Year, 2030], at, default);
            Assert.Equal(await plain.AgencyExistsAsync(agency, at, default), one.AgencyExists);
            if (!one.AgencyExists) continue;
            Assert.Equal((await plain.RenstrasAsync(agency, 2010, 2024, at, default)).SelectMany(r => r.Events).Select(e => e.Id),
                one.Renstras.SelectMany(r => r.Events).Select(e => e.Id));
            Assert.Equal([2021, 2022, SurakartaSeed.Year, 2030], one.Years.Keys.Order());
            foreach (var (y, events) in one.Years)
                Assert.Equal((await plain.YearsForIndicatorAsync(agency, [y], "I1", at, default)).Select(e => (e.Id, e.StreamYear)), events.Select(e => (e.Id, e.StreamYear)));
        }
        Assert.False((await audit.IndicatorHistoryAsync(ApiClient.NewAgencyCode(), 2010, 2024, "I1", [SurakartaSeed.Year], null, default)).AgencyExists);
        Assert.Contains(IndicatorHistory.For("I6", [.. renstra, .. all]), e => e.Kind == "year.closed");
    }
}
