namespace Ledger.Api.Tests.Writes;

/// <summary>If-Match and Idempotency-Key on the domain's write endpoints.</summary>
public sealed class WriteConcurrencyTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task RevisePk_StaleIfMatch_Returns412WithExpectedAndActualAndWritesNothing()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var signed = await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        Assert.Equal("\"1\"", signed.Header("ETag"));
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m }); // year now at 2

        var stale = await s.PostAsync(s.Approver, "pk/2023/revisions", Surakarta.PkPerubahan, 412, ("If-Match", "\"1\""));

        Assert.Equal(1, stale.JsonAt("expectedVersion").GetInt64());
        Assert.Equal(2, stale.JsonAt("actualVersion").GetInt64());
        Assert.DoesNotContain(await s.EventsAsync(s.YearStream), e => e.Type == "pk.revised.v1");
        var fresh = await s.PostAsync(s.Approver, "pk/2023/revisions", Surakarta.PkPerubahan, 200, ("If-Match", "\"2\""));
        Assert.Equal("\"3\"", fresh.Header("ETag"));
    }

    [Fact]
    public async Task RecordRealization_SameIdempotencyKeyTwice_WritesOnceAndReplaysTheResponse()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var key = ("Idempotency-Key", "realisasi-I2-2023-Y-" + Guid.NewGuid().ToString("N"));
        var body = new { indicator = "I2", year = 2023, period = "Y", value = 75m };

        var first = await s.PostAsync(s.Staff, "realizations", body, 200, key);
        var second = await s.PostAsync(s.Staff, "realizations", body, 200, key);

        Assert.Equal(first.Text, second.Text);
        Assert.Equal("true", second.Header("Idempotency-Replayed"));
        Assert.Single(await s.EventsAsync(s.YearStream), e => e.Type == "realization.recorded.v1");
        // Without the key the same body is a second recording: refused, the value is there (a correction is needed).
        var again = await s.PostAsync(s.Staff, "realizations", body, 422);
        Assert.Equal("realization.already-recorded-use-correction", again.JsonAt("rule").GetString());
    }

    [Fact]
    public async Task IdempotencyKey_IsScopedPerUser_AnotherUsersEqualKeyNeverReplaysTheFirstAnswer()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var colleague = await f.CreateUserAsync("staff", s.Agency, "Analis BKPSDM");
        var key = ("Idempotency-Key", "shared-" + Guid.NewGuid().ToString("N"));
        var body = new { indicator = "I2", year = 2023, period = "Y", value = 75m };

        await s.PostAsync(s.Staff, "realizations", body, 200, key);
        // Same key, same bytes, same path, another user: a request of its own, decided against the log, not a replay.
        var other = await s.PostAsync(colleague, "realizations", body, 422, key);

        Assert.Null(other.Header("Idempotency-Replayed"));
        Assert.Equal("realization.already-recorded-use-correction", other.JsonAt("rule").GetString());
        Assert.Single(await s.EventsAsync(s.YearStream), e => e.Type == "realization.recorded.v1");
    }

    [Fact]
    public async Task CloseYear_ReplayedByIdempotencyKey_ReturnsTheSameSnapshotHash()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        var key = ("Idempotency-Key", Guid.NewGuid().ToString());

        var first = await s.PostAsync(s.Approver, "years/2023/close", new { }, 200, key);
        var replay = await s.PostAsync(s.Approver, "years/2023/close", new { }, 200, key);

        Assert.Matches("^[0-9a-f]{64}$", first.JsonAt("snapshotHash").GetString());
        Assert.Equal(first.JsonAt("snapshotHash").GetString(), replay.JsonAt("snapshotHash").GetString());
        // One close, written once: year.closed.v1 and the frozen snapshot of the same append (issue 4), nothing from the replay.
        Assert.Equal(["year.closed.v1", "year.snapshot-frozen.v1"], (await s.EventsAsync(s.YearStream)).Select(e => e.Type));
    }
}
