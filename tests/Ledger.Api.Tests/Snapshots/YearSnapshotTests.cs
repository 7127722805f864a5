using System.Text.Json;
using Ledger.Domain.PerformanceYears.ClosingYear;
using Ledger.Api.Tests.Writes;
using Alba;

namespace Ledger.Api.Tests.Snapshots;

/// <summary>Issue 4: the year-end close freezes a snapshot in the log; corrections after it are listed beside it, never merged.</summary>
public sealed class YearSnapshotTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private Task<IScenarioResult> Get(string token, string url, int status = 200) => f.Scenario(s =>
    {
        s.WithBearerToken(token);
        s.Get.Url(url);
        s.StatusCodeShouldBe(status);
    });

    /// <summary>The Surakarta 2023 story over HTTP up to (not including) the close: Renstra, PK murni + perubahan, realizations, APBD, spending.</summary>
    private static async Task<Surakarta> StoryAsync(LedgerApiFactory f, decimal i9 = 92.93m)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Approver, "pk/2023/revisions", Surakarta.PkPerubahan);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m, claimedCapaian = 100m });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 90m, numerator = 5273m, denominator = 5859m });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = i9 });
        await s.PostAsync(s.Staff, "budget/2023", Surakarta.ApbdMurni, 201);
        await s.PostAsync(s.Staff, "budget/2023/revisions", Surakarta.ApbdPerubahan);
        await s.PostAsync(s.Staff, "budget/2023/spending", new { code = "P1", amount = 8_149_751_661m, period = "Y" });
        return s;
    }

    private static string SnapshotUrl(Surakarta s, string suffix = "") => $"/api/agencies/{s.Agency}/years/2023/snapshot{suffix}";

    [Fact]
    public async Task CloseYear_SurakartaStory_SnapshotReadHasTheFrozenTableAndItsCanonicalHash()
    {
        var s = await StoryAsync(f);
        var closed = await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" });
        var hash = closed.JsonAt("snapshotHash").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(CanonicalJson.Name, closed.JsonAt("canonicalization").GetString());
        Assert.True(closed.JsonAt("chainHead.headSequence").GetInt64() > 0);
        Assert.Matches("^[0-9a-f]{64}$", closed.JsonAt("chainHead.logDigest").GetString()!);

        var r = await Get(s.Staff, SnapshotUrl(s));
        Assert.Equal(hash, r.JsonAt("snapshotHash").GetString());
        Assert.Equal("LKjIP 2023", r.JsonAt("note").GetString());
        Assert.Equal("approver", r.JsonAt("closedBy.role").GetString());
        Assert.Equal(0, r.JsonAt("correctionsAfterClose").GetArrayLength());
        Assert.Equal(closed.JsonAt("chainHead.logDigest").GetString(), r.JsonAt("chainHead.logDigest").GetString());

        // The document is the year's content only: the table, and no time of the close anywhere in it.
        var snapshot = r.JsonAt("snapshot");
        Assert.Equal(s.Agency, snapshot.GetProperty("agencyCode").GetString());
        Assert.Equal(2023, snapshot.GetProperty("year").GetInt32());
        Assert.DoesNotContain(r.JsonAt("closedAt").GetString()![..10], snapshot.GetRawText());
        var i2 = snapshot.GetProperty("indicators").EnumerateArray().Single(x => x.GetProperty("code").GetString() == "I2");
        Assert.Equal(93m, i2.GetProperty("current").GetProperty("target").GetDecimal()); // PK perubahan target in force
        Assert.Equal(75m, i2.GetProperty("current").GetProperty("realization").GetDecimal());
        // The hash is the canonical JSON's, recomputable by anyone from the document alone.
        Assert.Equal(hash, CanonicalJson.Hash(snapshot));
    }

    [Fact]
    public async Task SnapshotRead_CorrectionsAfterClose_AreListedBesideTheUnchangedSnapshot()
    {
        var s = await StoryAsync(f);
        var hash = (await s.PostAsync(s.Approver, "years/2023/close", new { })).JsonAt("snapshotHash").GetString()!;
        var before = (await Get(s.Staff, SnapshotUrl(s))).JsonAt("snapshot").GetRawText();

        var correction = await s.PostAsync(s.Staff, "realizations/corrections",
            new { indicator = "I2", year = 2023, period = "Y", value = 87m, reason = "Narasi L881: 87% (5.905 pegawai)" });

        var r = await Get(s.Staff, SnapshotUrl(s));
        Assert.Equal(hash, r.JsonAt("snapshotHash").GetString());
        Assert.Equal(before, r.JsonAt("snapshot").GetRawText()); // never merged into the snapshot
        var c = Assert.Single(r.JsonAt("correctionsAfterClose").EnumerateArray());
        Assert.Equal(("I2", "Y", 75m, 87m, "Narasi L881: 87% (5.905 pegawai)"),
            (c.GetProperty("indicator").GetString(), c.GetProperty("period").GetString(), c.GetProperty("before").GetDecimal(),
                c.GetProperty("after").GetDecimal(), c.GetProperty("reason").GetString()));
        Assert.Equal(correction.JsonAt("eventIds[0]").GetString(), c.GetProperty("eventId").GetString());
        Assert.Equal("staff", c.GetProperty("actor").GetProperty("role").GetString());

        // As of the close (before the correction) the list is empty.
        var closedAt = r.JsonAt("closedAt").GetString()!;
        var atClose = await Get(s.Staff, SnapshotUrl(s) + "?asOf=" + Uri.EscapeDataString(closedAt));
        Assert.Equal(0, atClose.JsonAt("correctionsAfterClose").GetArrayLength());
        Assert.Equal(hash, atClose.JsonAt("snapshotHash").GetString());
    }

    [Fact]
    public async Task VerifySnapshot_CorrectionsAfterClose_RecomputedHashStillEqualsTheStoredOne()
    {
        var s = await StoryAsync(f);
        var hash = (await s.PostAsync(s.Approver, "years/2023/close", new { })).JsonAt("snapshotHash").GetString()!;
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I2", year = 2023, period = "Y", value = 87m, reason = "Narasi L881" });
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I9", year = 2023, period = "Y", value = 90m, reason = "Salah ketik" });
        // Also a change to the Renstra after the close: the recompute reads it at the version the close recorded.
        await s.PostAsync(s.Approver, "renstra/2021/revisions", new { reason = "Perubahan Renstra", changes = new[] { new { indicator = "I2", year = 2023, target = 80m } } });

        var v = await Get(s.Approver, SnapshotUrl(s, "/verify"));
        Assert.True(v.JsonAt("ok").GetBoolean(), v.Text);
        Assert.Equal(hash, v.JsonAt("storedHash").GetString());
        Assert.Equal(hash, v.JsonAt("recomputedHash").GetString());
        Assert.Equal(hash, v.JsonAt("documentHash").GetString());
    }

    [Fact]
    public async Task CloseYear_DifferentContent_GivesADifferentHash()
    {
        var a = await StoryAsync(f);
        var b = await StoryAsync(f, i9: 92.94m); // one realization differs by 0.01
        var c = await StoryAsync(f);
        var hashA = (await a.PostAsync(a.Approver, "years/2023/close", new { })).JsonAt("snapshotHash").GetString();
        var hashB = (await b.PostAsync(b.Approver, "years/2023/close", new { })).JsonAt("snapshotHash").GetString();
        var hashC = (await c.PostAsync(c.Approver, "years/2023/close", new { })).JsonAt("snapshotHash").GetString();

        Assert.NotEqual(hashA, hashB);
        // Same content but a different agency code: the code is part of the document, so the hash differs too.
        Assert.NotEqual(hashA, hashC);
    }

    [Fact]
    public async Task CloseYear_AsStaff_Is403AndNothingIsFrozen()
    {
        var s = await StoryAsync(f);
        await s.PostAsync(s.Staff, "years/2023/close", new { }, 403);
        await Get(s.Staff, SnapshotUrl(s), 404);
    }

    [Fact]
    public async Task SnapshotRead_AsOfBeforeTheClose_Is404()
    {
        var s = await StoryAsync(f);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await s.PostAsync(s.Approver, "years/2023/close", new { });

        var problem = await Get(s.Staff, SnapshotUrl(s) + "?asOf=" + Uri.EscapeDataString(before.ToString("O")), 404);
        Assert.Contains("not closed", problem.JsonAt("detail").GetString());
        await Get(s.Staff, SnapshotUrl(s, "/verify") + "?asOf=" + Uri.EscapeDataString(before.ToString("O")), 404);
        await Get(s.Staff, SnapshotUrl(s));
    }

    [Fact]
    public async Task VerifySnapshot_TamperedStoredHash_IsNotOk()
    {
        // Tamper with the stored document's figures (as a superuser would, around the append-only trigger): the
        // document hash no longer matches, so verify says so.
        var s = await StoryAsync(f);
        await s.PostAsync(s.Approver, "years/2023/close", new { });
        await using (var cmd = f.Database.Owner.CreateCommand("""
            SET session_replication_role = replica;
            UPDATE ledger.mt_events SET data = jsonb_set(data, '{snapshot,year}', '2024') WHERE stream_id = @s AND type = 'year.snapshot-frozen.v1';
            SET session_replication_role = origin;
            """))
        {
            cmd.Parameters.AddWithValue("s", s.YearStream);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        var v = await Get(s.Approver, SnapshotUrl(s, "/verify"));
        Assert.False(v.JsonAt("ok").GetBoolean());
        Assert.Equal(v.JsonAt("storedHash").GetString(), v.JsonAt("recomputedHash").GetString());
        Assert.NotEqual(v.JsonAt("storedHash").GetString(), v.JsonAt("documentHash").GetString());
    }
}
