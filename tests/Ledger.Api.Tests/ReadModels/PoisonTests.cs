using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Storage;
using Alba;
using Marten;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>An event a projection cannot apply stops only that projection; /health shows where and why; the service stays up.</summary>
public sealed class PoisonTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task PoisonBudgetEvent_AppendedByTheOwner_FailsOnlySakipStateAtItsSequenceAndHealthStays200()
    {
        var s = await ReadModelStory.WriteAsync(f);
        await ReadModelStory.CatchUpAsync(f);

        // A budget whose lines are missing, appended through Marten by the owner: Marten loads it, the domain's Evolve
        // cannot fold it. Only sakip-state reads budget events.
        using (var owner = DocumentStore.For(o => LedgerMarten.Configure(o, f.Database.OwnerConnectionString)))
        await using (var session = owner.LightweightSession())
        {
            session.SetHeader(EventHeaders.Agency, s.Agency);
            session.Events.Append($"year-{s.Agency}-2024", new BudgetEnacted(null!, [], 0));
            await session.SaveChangesAsync();
        }
        var seq = await ReadModelStory.ScalarAsync<long>(f, "SELECT max(seq_id) FROM ledger.mt_events");
        // A good event after it: the other projections must get past the poison.
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = 70 });
        var head = await ReadModelStory.ScalarAsync<long>(f, "SELECT max(seq_id) FROM ledger.mt_events");

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
        Assert.StartsWith("ApplyEvent:", state.GetProperty("error").GetString());
        Assert.Equal("running", projections["sakip-history"].GetProperty("status").GetString());
        Assert.Equal("running", projections["sakip-pk"].GetProperty("status").GetString());
        Assert.True(projections["sakip-history"].GetProperty("position").GetInt64() >= head);
        // The history row of the event after the poison arrived.
        Assert.Equal(1L, await ReadModelStory.ScalarAsync<long>(f,
            "SELECT count(*) FROM readmodel.indicator_history WHERE agency = @a AND indicator = 'I9' AND change = 'realization-recorded'", ("a", s.Agency)));
    }
}
