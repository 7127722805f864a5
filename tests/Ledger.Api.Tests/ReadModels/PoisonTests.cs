using Ledger.EventStore;
using Ledger.Testing.Http;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>A malformed event of a known type stops only the projection that reads it; /health shows where; the service stays up.</summary>
public sealed class PoisonTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task PoisonSpendingEvent_AppendedByTheOwner_FailsOnlySakipStateAtItsSequenceAndHealthStays200()
    {
        var s = await ReadModelStory.WriteAsync(f);
        await ReadModelStory.CatchUpAsync(f);

        // A spending event whose code is a number: the domain's decoder refuses it. Only sakip-state reads budget events.
        var store = new PostgresEventStore(f.Database.Owner);
        var poison = await store.AppendAsync(new AppendRequest(new StreamName($"year-{s.Agency}-2024"), "performance-year", s.Agency,
            ExpectedVersion.NoStream, [new EventData(Guid.NewGuid(), "budget.spending-recorded.v1", """{"code": 12, "amount": 1}""")], AppendMetadata.None));
        var seq = poison.Sequences[0];
        // A good event after it: the other projections must get past the poison.
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = 70 });
        var head = await Writes.Surakarta.CountAllEventsAsync(f);

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        Dictionary<string, System.Text.Json.JsonElement> projections;
        do
        {
            var health = (await f.Scenario(x => { x.Get.Url("/health"); x.StatusCodeShouldBe(200); })).Json;
            projections = health.GetProperty("projections").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
            if (projections["sakip-state"].GetProperty("status").GetString() == "failed"
                && projections["sakip-history"].GetProperty("position").GetInt64() >= head
                && projections["sakip-pk"].GetProperty("position").GetInt64() >= head) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);

        var state = projections["sakip-state"];
        Assert.Equal("failed", state.GetProperty("status").GetString());
        Assert.Equal(seq, state.GetProperty("errorEventSequence").GetInt64());
        Assert.Equal(seq - 1, state.GetProperty("position").GetInt64());
        Assert.Contains("Json", state.GetProperty("error").GetString());
        Assert.Equal("running", projections["sakip-history"].GetProperty("status").GetString());
        Assert.Equal("running", projections["sakip-pk"].GetProperty("status").GetString());
        Assert.True(projections["sakip-history"].GetProperty("position").GetInt64() >= head);
        // The history row of the event after the poison arrived.
        Assert.Equal(1L, await ReadModelStory.ScalarAsync<long>(f,
            "SELECT count(*) FROM readmodel.indicator_history WHERE agency = @a AND indicator = 'I9' AND change = 'realization-recorded'", ("a", s.Agency)));
    }
}
