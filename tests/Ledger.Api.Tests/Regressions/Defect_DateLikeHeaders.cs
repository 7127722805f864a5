using Alba;
using Ledger.Api.Tests.ReadModels;
using Ledger.Api.Tests.Writes;

namespace Ledger.Api.Tests.Regressions;

/// <summary>
/// Found 2026-12-05 while measuring what a rebuild allocates: Marten's reader of event headers tries every text value as a
/// date first, so a header that looked like one came back as a DateTime, printed in another format wherever it was read.
/// Headers are now read by Ledger's own converter (<c>EventHeadersConverter</c>, src/Ledger.Storage/EventHeadersJson.cs):
/// text stays the text that was written. The storage-level cases (every kind of header value, Marten's read and the
/// stream loader) are in tests/Ledger.Storage.Tests/EventHeadersReadTests.cs.
/// </summary>
public sealed class Defect_DateLikeHeaders(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    /// <summary>
    /// A reason that looks like a date or an instant is history as the user wrote it, in the HTTP history and in the
    /// history table the daemon writes. Marten's reader of headers turned such text into a DateTime, which the two then
    /// printed in two other formats ("2025-03-31T00:00:00" and "03/31/2025 00:00:00").
    /// </summary>
    [Theory]
    [InlineData("2025-03-31")]
    [InlineData("2026-12-05T06:00:00+07:00")]
    public async Task DateLikeReason_IsKeptAsWritten_InTheHttpHistoryAndTheHistoryTable(string reason)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 5_000, reason }); // the write's reason header
        await ReadModelStory.CatchUpAsync(f);

        var http = (await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Get.Url($"/api/agencies/{s.Agency}/indicators/I8/history"); x.StatusCodeShouldBe(200); }))
            .Json.EnumerateArray().Single(h => h.GetProperty("kind").GetString() == "realization.recorded");
        Assert.Equal(reason, http.GetProperty("reason").GetString());
        Assert.Equal(reason, await ReadModelStory.ScalarAsync<string>(f,
            "SELECT reason FROM readmodel.indicator_history WHERE agency = @a AND indicator = 'I8' AND change = 'realization-recorded'", ("a", s.Agency)));
    }

    /// <summary>
    /// POST /api/users retried with its Idempotency-Key is answered from the first write, also when the key looks like an
    /// instant (clients use timestamps as keys): the endpoint finds the first write by the key header on its event, which
    /// Marten's reader turned into a DateTime and printed differently, so the retry created a second user.
    /// </summary>
    [Theory]
    [InlineData("2026-12-05T06:00:00.000Z")]
    [InlineData("2026-12-05T13:00:00+07:00")]
    public async Task CreateUser_RetriedWithAnInstantAsIdempotencyKey_IsReplayed_OneUserWritten(string stamp)
    {
        var agency = ApiClient.NewAgencyCode();
        await f.RegisterAgencyAsync(agency);
        var key = stamp.Replace("2026", Random.Shared.Next(2000, 2999).ToString(), StringComparison.Ordinal); // unique per run, still an instant
        var body = new { name = "Sri Wahyuni", nip = "198004122000032004", role = "staff", agency };
        async Task<IScenarioResult> CreateAsync() => await f.Scenario(s =>
        {
            s.WithBearerToken(LedgerApiFactory.AdminToken);
            s.WithRequestHeader("Idempotency-Key", key);
            s.Post.Json(body).ToUrl("/api/users");
            s.StatusCodeShouldBe(201);
        });

        var first = (await CreateAsync()).Json;
        var retry = await CreateAsync();
        Assert.Equal("true", retry.Context.Response.Headers["Idempotency-Replayed"].ToString());
        Assert.Equal(first.GetProperty("id").GetGuid(), retry.Json.GetProperty("id").GetGuid());
        Assert.Single(await f.EventsAsync("users"), e => e.Data is Ledger.Domain.Users.UserCreated c && c.Agency == agency);
    }
}
