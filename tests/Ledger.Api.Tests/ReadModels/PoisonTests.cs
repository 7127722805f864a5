using Ledger.Domain.PerformanceYears.EnactingBudget;
using Ledger.Storage;
using Alba;
using Marten;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>
/// An event the projection cannot apply stops projection <c>sakip</c> (the six tables) at that event; /health shows where
/// and why; the service stays up. One projection writes the six tables from one page and one transaction, so the events
/// after the poison are not projected either (before issue 11's rebuild work, history and PK had shards of their own and
/// went on).
/// </summary>
public sealed class PoisonTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task PoisonBudgetEvent_AppendedByTheOwner_FailsSakipAtItsSequenceWritesNothingAfterItAndHealthStays200()
    {
        var s = await ReadModelStory.WriteAsync(f);
        await ReadModelStory.CatchUpAsync(f);

        // A budget whose lines are missing, appended through Marten by the owner: Marten loads it, the domain's Evolve
        // cannot fold it (the state part of sakip).
        using (var owner = DocumentStore.For(o => LedgerMarten.Configure(o, f.Database.OwnerConnectionString)))
        await using (var session = owner.LightweightSession())
        {
            session.SetHeader(EventHeaders.Agency, s.Agency);
            session.Events.Append($"year-{s.Agency}-2024", new BudgetEnacted(null!, [], 0));
            await session.SaveChangesAsync();
        }
        var seq = await ReadModelStory.ScalarAsync<long>(f, "SELECT max(seq_id) FROM ledger.mt_events");
        // A good event after it: it shares sakip's pages, so it waits behind the poison.
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = 70 });

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        Dictionary<string, System.Text.Json.JsonElement> projections;
        do
        {
            var health = (await f.Scenario(x => { x.Get.Url("/health"); x.StatusCodeShouldBe(200); })).Json;
            projections = health.GetProperty("projections").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
            if (projections["sakip"].GetProperty("status").GetString() == "failed") break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);

        var sakip = Assert.Single(projections).Value;
        Assert.Equal("failed", sakip.GetProperty("status").GetString());
        Assert.Equal(seq, sakip.GetProperty("errorEventSequence").GetInt64());
        Assert.Equal(seq - 1, sakip.GetProperty("position").GetInt64());
        Assert.StartsWith("ApplyEvent:", sakip.GetProperty("error").GetString());
        // Nothing of the poison event or after it in any table: not the realization after it either.
        Assert.Equal(0L, await ReadModelStory.ScalarAsync<long>(f, "SELECT count(*) FROM readmodel.indicator_history WHERE seq >= @s", ("s", seq)));
        Assert.Equal(0L, await ReadModelStory.ScalarAsync<long>(f,
            "SELECT count(*) FROM readmodel.indicator_history WHERE agency = @a AND indicator = 'I9' AND change = 'realization-recorded'", ("a", s.Agency)));
    }
}
