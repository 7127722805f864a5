using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Issue 12, item 7: a year that has not begun could be closed (2027 and 2030 were accepted, and 2027 could then never
/// get a realization), and PK signing dates in the future were accepted. Both are refused (422 naming the rule), nothing
/// is written.
/// </summary>
public sealed class Defect_FutureDates(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task CloseYear_ThatHasNotEnded_Is422YearNotEnded_AndWritesNothing()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var next = DateTime.UtcNow.Year + 1;
        var before = await Surakarta.CountAllEventsAsync(f);

        var r = await s.PostAsync(s.Approver, $"years/{next}/close", new { note = "terlalu dini" }, 422);

        Assert.Equal("year.not-ended", r.JsonAt("rule").GetString());
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
        await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" }); // an ended year still closes
    }

    [Fact]
    public async Task PkMurni_DatedAfterToday_Is422_AndWritesNothing()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var before = await Surakarta.CountAllEventsAsync(f);
        var later = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var r = await s.PostAsync(s.Approver, "pk/2023", new
        {
            signedOn = later, signer = Surakarta.Signer, targets = new object[] { new { indicator = "I2", target = 90m } },
        }, 422);

        Assert.Equal("pk.signed-on.in-future", r.JsonAt("rule").GetString());
        Assert.Equal("signedOn", r.JsonAt("field").GetString());
        Assert.Equal(before, await Surakarta.CountAllEventsAsync(f));
    }
}
