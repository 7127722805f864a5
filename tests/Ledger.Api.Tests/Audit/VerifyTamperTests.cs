using Ledger.Api.Tests.Writes;
using Npgsql;

namespace Ledger.Api.Tests.Audit;

/// <summary>Its own factory (and database): this class tampers with the log, which would break every other class's verify.</summary>
public sealed class VerifyTamperTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task Verify_AlteredEventThenRewoundStreamRow_ReportsTheExactSequences()
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        var realization = (await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75m })).EventId();
        var inspektorat = await f.CreateUserAsync("inspektorat", null, "Inspektur");

        var intact = await f.GetAsync(inspektorat, "/api/audit/verify");
        Assert.True(intact.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKindNull, intact.GetProperty("firstBrokenSequence").ValueKind);
        Assert.Equal(64, intact.GetProperty("logDigest").GetString()!.Length);
        Assert.Equal(await CountAsync(), intact.GetProperty("eventsChecked").GetInt64());

        // 1. A superuser raises I2's realization from 75 to 93 behind the service's back.
        var victim = await ScalarAsync<long>("SELECT seq_id FROM ledger.mt_events WHERE id = @id", ("id", realization));
        await AsSuperuserBypassingTriggers("UPDATE ledger.mt_events SET data = jsonb_set(data, '{value}', '93') WHERE seq_id = @s", ("s", victim));
        var altered = await f.GetAsync(inspektorat, "/api/audit/verify");
        Assert.False(altered.GetProperty("ok").GetBoolean());
        Assert.Equal(victim, altered.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Equal(victim, Assert.Single(altered.GetProperty("problems").EnumerateArray()).GetProperty("sequence").GetInt64());
        Assert.NotEqual(intact.GetProperty("logDigest").GetString(), altered.GetProperty("logDigest").GetString());

        // 2. The Renstra stream row (written before the realization) is rewound by one version, as if its last event never happened.
        var renstra = $"renstra-{s.Agency}-2021";
        var renstraLast = await ScalarAsync<long>("SELECT max(seq_id) FROM ledger.mt_events WHERE stream_id = @id", ("id", renstra));
        await AsSuperuserBypassingTriggers("UPDATE ledger.mt_streams SET version = version - 1 WHERE id = @id", ("id", renstra));
        var both = await f.GetAsync(inspektorat, "/api/audit/verify");
        Assert.Equal(renstraLast, both.GetProperty("firstBrokenSequence").GetInt64());
        Assert.True(renstraLast < victim);
        Assert.Contains(both.GetProperty("problems").EnumerateArray(), p => p.GetProperty("stream").GetString() == renstra);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    private async Task<long> CountAsync() => await ScalarAsync<long>("SELECT count(*) FROM ledger.mt_events");

    private Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] ps) => f.Database.ScalarAsync<T>(sql, ps);

    /// <summary>What a superuser can do behind the service's back: bypass the append-only triggers and rewrite rows.</summary>
    private Task AsSuperuserBypassingTriggers(string sql, params (string Name, object Value)[] ps) =>
        f.Database.AsSuperuserBypassingTriggersAsync(sql, ps);
}
