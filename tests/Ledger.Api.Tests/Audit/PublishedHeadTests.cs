using System.Text.Json;
using Ledger.Api.Tests.Writes;
using Ledger.Audit;
using Alba;
using Npgsql;

namespace Ledger.Api.Tests.Audit;

/// <summary>
/// The year close publishes the log head (LogHeads, no scan of the log): it holds exactly the events the frozen snapshot
/// was computed from, /api/audit/verify recomputes it from the events' content, and a superuser's consistent deletion of
/// a source stream's last event shows up as a published-head mismatch. Its own factory (and database): it tampers.
/// </summary>
public sealed class PublishedHeadTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task CloseYear_PublishedHeadHoldsExactlyTheSnapshotsSources_VerifyMatchesIt_ThenATailDeletionBreaksIt()
    {
        var story = await AuditApi.WriteSurakartaAsync(f);
        var s = story.S;
        var inspektorat = await f.CreateUserAsync("inspektorat", null, "Inspektur");
        var snapshot = await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/years/2023/snapshot");
        var chainHead = snapshot.GetProperty("chainHead");
        var head = chainHead.GetProperty("headSequence").GetInt64();
        var digest = chainHead.GetProperty("logDigest").GetString()!;
        Assert.Equal(LogDigest.Format, chainHead.GetProperty("format").GetString());

        await AssertHeadHoldsTheSnapshotsEventsAsync(snapshot);

        var intact = await f.GetAsync(inspektorat, "/api/audit/verify");
        Assert.True(intact.GetProperty("ok").GetBoolean(), intact.GetRawText());
        var published = Assert.Single(intact.GetProperty("publishedHeads").EnumerateArray());
        Assert.Equal((head, digest, true), (published.GetProperty("sequence").GetInt64(), published.GetProperty("published").GetString(),
            published.GetProperty("matches").GetBoolean()));
        Assert.Contains(s.YearStream, published.GetProperty("publishedIn").GetString());

        // A superuser deletes the Renstra's last event (an indicator the snapshot was computed from) and rewinds its row,
        // so the stream's own chain is consistent again: only the published head can tell.
        var renstra = $"renstra-{s.Agency}-2021";
        var last = await ScalarAsync<long>("SELECT max(seq_id) FROM ledger.mt_events WHERE stream_id = @id", ("id", renstra));
        await AsSuperuserBypassingTriggers("""
            UPDATE ledger.mt_streams SET version = version - 1 WHERE id = @id;
            DELETE FROM ledger.mt_events WHERE seq_id = @s;
            DELETE FROM ledger_audit.event_hashes WHERE seq_id = @s;
            """, ("s", last), ("id", renstra));

        var broken = await f.GetAsync(inspektorat, "/api/audit/verify");
        Assert.False(broken.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, broken.GetProperty("firstBrokenSequence").ValueKind); // every chain check passes
        var check = Assert.Single(broken.GetProperty("publishedHeads").EnumerateArray());
        Assert.False(check.GetProperty("matches").GetBoolean());
        Assert.Equal(digest, check.GetProperty("published").GetString());
        Assert.Contains(broken.GetProperty("problems").EnumerateArray(), p => p.GetProperty("problem").GetString()!.Contains($"up to sequence {head}"));
    }

    private Task AssertHeadHoldsTheSnapshotsEventsAsync(JsonElement snapshot) => PublishedHeadAssertions.HoldsTheSnapshotsEventsAsync(f, snapshot);

    private Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] ps) => f.Database.ScalarAsync<T>(sql, ps);

    private Task AsSuperuserBypassingTriggers(string sql, params (string Name, object Value)[] ps) =>
        f.Database.AsSuperuserBypassingTriggersAsync(sql, ps);
}

/// <summary>Its own factory: the class above tampers with its log, which would break this class's verifier check.</summary>
public sealed class PublishedHeadRaceTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    /// <summary>
    /// A close racing with writes to one of its sources (direct Renstra revisions) and to another agency either publishes
    /// a head holding exactly the versions it computed from, or answers 409 year.close.log-head-unsettled; never a head
    /// that disagrees with its snapshot.
    /// </summary>
    [Fact]
    public async Task CloseYear_WhileItsRenstraAndAnotherAgencyAreWritten_HeadStillHoldsExactlyTheSnapshotsSources()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m });
        var other = await Surakarta.WithRenstraAsync(f);
        await other.PostAsync(other.Approver, "pk/2023", Surakarta.PkMurni, 201);

        using var stop = new CancellationTokenSource();
        var revisions = Task.Run(async () =>
        {
            for (var i = 0; i < 15 && !stop.IsCancellationRequested; i++)
                await s.PostAsync(s.Approver, "renstra/2021/revisions",
                    new { reason = $"Revisi {i}", changes = new[] { new { indicator = "I2", year = 2026, target = 91m + i } } });
        });
        var elsewhere = Task.Run(async () =>
        {
            for (var i = 0; i < 15 && !stop.IsCancellationRequested; i++)
                await (i == 0
                    ? other.PostAsync(other.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = 60m })
                    : other.PostAsync(other.Staff, "realizations/corrections", new { indicator = "I9", year = 2023, period = "Y", value = 60m + i, reason = "Koreksi" }));
        });
        await Task.Delay(30);
        var close = await f.Scenario(x =>
        {
            x.WithBearerToken(s.Approver);
            x.Post.Json(new { note = "race" }).ToUrl($"/api/agencies/{s.Agency}/years/2023/close");
            x.IgnoreStatusCode();
        });
        await stop.CancelAsync();
        await Task.WhenAll(revisions, elsewhere);

        if (close.Status == 409)
        {
            Assert.Equal("year.close.log-head-unsettled", close.JsonAt("rule").GetString());
            return;
        }
        Assert.Equal(200, close.Status);
        await AssertHeadHoldsTheSnapshotsEventsAsync(await f.GetAsync(s.Staff, $"/api/agencies/{s.Agency}/years/2023/snapshot"));
    }

    private Task AssertHeadHoldsTheSnapshotsEventsAsync(JsonElement snapshot) => PublishedHeadAssertions.HoldsTheSnapshotsEventsAsync(f, snapshot);
}

internal static class PublishedHeadAssertions
{
    /// <summary>
    /// At the published head, every source stream is at exactly its recorded version, the year stream at the version just
    /// before the close, and the close's own events come after the head; the verifier recomputes the published digest.
    /// </summary>
    public static async Task HoldsTheSnapshotsEventsAsync(LedgerApiFactory f, JsonElement snapshot)
    {
        var head = snapshot.GetProperty("chainHead").GetProperty("headSequence").GetInt64();
        const string VersionAtHead = "SELECT coalesce(max(version), 0) FROM ledger.mt_events WHERE stream_id = @id AND seq_id <= @h";
        foreach (var source in snapshot.GetProperty("sources").EnumerateArray())
        {
            var stream = source.GetProperty("stream").GetString()!;
            Assert.Equal(source.GetProperty("version").GetInt64(), await f.Database.ScalarAsync<long>(VersionAtHead, ("id", stream), ("h", head)));
        }
        var agency = snapshot.GetProperty("agency").GetString()!;
        var closeVersion = snapshot.GetProperty("closeVersion").GetInt64();
        Assert.Equal(closeVersion - 1, await f.Database.ScalarAsync<long>(VersionAtHead, ("id", $"year-{agency}-2023"), ("h", head)));
        Assert.True(snapshot.GetProperty("closeSequence").GetInt64() > head);

        var verified = await ChainVerifier.VerifyAsync(f.Database.Owner,
            [new PublishedHead(head, snapshot.GetProperty("chainHead").GetProperty("logDigest").GetString()!)]);
        Assert.True(Assert.Single(verified.Heads).Matches);
    }
}
