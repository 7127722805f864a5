using System.Text.Json;
using JasperFx.Events.Daemon;
using Ledger.Api.Tests.ReadModels;
using Ledger.Api.Tests.Writes;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Audit;

/// <summary>
/// Issue 11, "derived state is never evidence": GET /api/audit/verify compares every readmodel table with what its
/// projection computes from the log up to the position the service's daemon committed (same snapshot), as the service
/// role. An untouched database is ok, also while the daemon lags; rows forged by a superuser or by the service role are
/// named by table and key until a rebuild restores them. Its own service and database (the tests forge rows; each test
/// leaves the tables as the daemon wrote them).
/// </summary>
public sealed class VerifyReadModelsTests(DerivedStateApiFactory f) : IClassFixture<DerivedStateApiFactory>
{
    private static readonly string[] Tables = ["indicator_state", "lkjip_rows", "budget_lines", "performance_years", "indicator_history", "pk_versions"];

    private static void AssertOk(JsonElement v)
    {
        Assert.True(v.GetProperty("ok").GetBoolean(), v.GetRawText());
        Assert.Equal(Tables.Order(), v.GetProperty("readModels").EnumerateArray().Select(t => t.GetProperty("table").GetString()!).Order());
        foreach (var t in v.GetProperty("readModels").EnumerateArray())
        {
            Assert.Equal((0L, 0L, 0L), (t.GetProperty("missing").GetInt64(), t.GetProperty("extra").GetInt64(), t.GetProperty("different").GetInt64()));
            Assert.Equal(t.GetProperty("expectedRows").GetInt64(), t.GetProperty("rowsChecked").GetInt64());
        }
    }

    [Fact]
    public async Task Verify_UntouchedDatabaseCaughtUpThenWhileTheDaemonLags_IsOk()
    {
        var s = await ReadModelStory.WriteWorkflowAsync(f);
        await ReadModelStory.WriteAsync(f); // a budget too: every table has rows
        await ReadModelStory.CatchUpAsync(f);
        var caughtUp = await DerivedState.VerifyAsync(f);
        AssertOk(caughtUp);
        var head = caughtUp.GetProperty("headSequence").GetInt64();
        Assert.All(caughtUp.GetProperty("readModels").EnumerateArray(), t =>
        {
            Assert.Equal(head, t.GetProperty("position").GetInt64());
            Assert.True(t.GetProperty("rowsChecked").GetInt64() > 0, t.GetRawText());
        });

        // The daemon stops (as when it is slow or down); more is recorded: every table lags the log.
        var coordinator = f.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.StopAsync(CancellationToken.None);
        try
        {
            await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I2", year = 2023, period = "Y", value = 86m, reason = "Lagi" });
            await ReadModelStory.WriteAsync(f);
            var lagging = await DerivedState.VerifyAsync(f);
            AssertOk(lagging);
            Assert.True(lagging.GetProperty("headSequence").GetInt64() > head);
            Assert.All(lagging.GetProperty("readModels").EnumerateArray(), t => Assert.Equal(head, t.GetProperty("position").GetInt64()));
        }
        finally
        {
            await coordinator.StartAsync(CancellationToken.None);
        }
        await ReadModelStory.CatchUpAsync(f);
        var after = await DerivedState.VerifyAsync(f);
        AssertOk(after);
        Assert.All(after.GetProperty("readModels").EnumerateArray(), t => Assert.Equal(after.GetProperty("headSequence").GetInt64(), t.GetProperty("position").GetInt64()));
    }

    public static TheoryData<string> Forgers => new() { "superuser", "service role" };

    /// <summary>
    /// A forger changes one indicator_state value, adds a pk_versions row and deletes an indicator_history row, as a
    /// superuser or with the service role's own rights (it may write every readmodel table): verify is not ok and names
    /// each table, what is wrong (different, extra, missing) and the row's key, in readModels and in problems; the log is
    /// intact. An admin rebuild restores the tables from the log, and verify is ok again.
    /// </summary>
    [Theory]
    [MemberData(nameof(Forgers))]
    public async Task Verify_ReadModelRowsForged_NamesEachTableAndKeyUntilRebuilt(string forger)
    {
        var s = await ReadModelStory.WriteWorkflowAsync(f);
        await ReadModelStory.CatchUpAsync(f);
        AssertOk(await DerivedState.VerifyAsync(f));
        var historySeq = await f.Database.ScalarAsync<long>(
            "SELECT min(seq) FROM readmodel.indicator_history WHERE agency = @a AND change = 'realization-corrected'", ("a", s.Agency));

        await using var serviceRole = f.ServiceRoleDataSource();
        await using (var cmd = (forger == "superuser" ? f.Database.Owner : serviceRole).CreateCommand("""
            UPDATE readmodel.indicator_state SET capaian = 12.34, predikat = 'Sangat Berhasil' WHERE agency = @a AND year = 2023 AND indicator = 'I2';
            INSERT INTO readmodel.pk_versions SELECT agency, year, 5, kind, signed_on, signer, reason, ground, targets, changes, actor, recorded_at, event_id, seq
              FROM readmodel.pk_versions WHERE agency = @a AND year = 2023 AND number = 1;
            DELETE FROM readmodel.indicator_history WHERE seq = @seq AND item = 0;
            """))
        {
            cmd.Parameters.AddWithValue("a", s.Agency);
            cmd.Parameters.AddWithValue("seq", historySeq);
            Assert.Equal(3, await cmd.ExecuteNonQueryAsync());
        }

        try
        {
            var v = await DerivedState.VerifyAsync(f);
            Assert.False(v.GetProperty("ok").GetBoolean());
            Assert.Equal(JsonValueKind.Null, v.GetProperty("firstBrokenSequence").ValueKind);

            AssertNamed(v, "indicator_state", "sakip", "different", new() { ["agency"] = s.Agency, ["year"] = 2023, ["indicator"] = "I2" });
            AssertNamed(v, "pk_versions", "sakip", "extra", new() { ["agency"] = s.Agency, ["year"] = 2023, ["number"] = 5 });
            AssertNamed(v, "indicator_history", "sakip", "missing", new() { ["seq"] = historySeq, ["item"] = 0 });
            Assert.Equal(3, v.GetProperty("problems").GetArrayLength());
            foreach (var table in new[] { "lkjip_rows", "budget_lines", "performance_years" })
                Assert.Empty(v.Problems($"readmodel.{table}"));
        }
        finally
        {
            await DerivedState.RebuildAsync(f); // the remedy: the tables from the log
        }
        AssertOk(await DerivedState.VerifyAsync(f));
    }

    private static void AssertNamed(JsonElement v, string table, string projection, string kind, Dictionary<string, object> key)
    {
        var t = v.ReadModel(table);
        Assert.Equal(projection, t.GetProperty("projection").GetString());
        Assert.Equal(1, t.GetProperty(kind).GetInt64());
        Assert.Equal(1, t.GetProperty("missing").GetInt64() + t.GetProperty("extra").GetInt64() + t.GetProperty("different").GetInt64());
        var example = Assert.Single(t.GetProperty("examples").EnumerateArray());
        Assert.Equal(kind, example.GetProperty("kind").GetString());
        var named = example.GetProperty("key").EnumerateObject().ToDictionary(p => p.Name, p => (object)(p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetInt64() : p.Value.GetString()!));
        Assert.Equal(key.ToDictionary(k => k.Key, k => k.Value is int i ? (long)i : k.Value), named);

        var problem = Assert.Single(v.Problems($"readmodel.{table}"));
        Assert.Equal(JsonValueKind.Null, problem.GetProperty("sequence").ValueKind);
        var text = problem.GetProperty("problem").GetString()!;
        Assert.StartsWith($"readmodel.{table} differs from what {projection} computes from the log up to sequence {t.GetProperty("position").GetInt64()}", text);
        Assert.Contains($"1 row {kind}", text);
        Assert.Contains($"{kind} ({string.Join(", ", key.Select(k => $"{k.Key}={k.Value}"))})", text);
    }
}
