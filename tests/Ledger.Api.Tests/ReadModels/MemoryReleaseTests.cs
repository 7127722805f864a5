using System.Text.Json;
using JasperFx.Events.Daemon;
using Ledger.Api.Tests.Audit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>A service whose read-model memory is released half a second after its daemon stops running them.</summary>
public sealed class QuickReleaseApiFactory : LedgerApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ledger:ReadModels:ReleaseMemoryAfterSeconds", "0.5");
    }
}

/// <summary>
/// A process whose daemon no longer runs the read models forgets their folded agencies after
/// <c>Ledger:ReadModels:ReleaseMemoryAfterSeconds</c> (docs/deployment.md "Memory"); /health says so; when it runs them
/// again, what it writes still equals a recompute from the log (GET /api/audit/verify). Its own service and database:
/// the test stops the daemon.
/// </summary>
public sealed class MemoryReleaseTests(QuickReleaseApiFactory f) : IClassFixture<QuickReleaseApiFactory>
{
    private async Task<JsonElement> SakipHealthAsync() =>
        (await f.Scenario(x => { x.Get.Url("/health"); x.StatusCodeShouldBe(200); })).Json
            .GetProperty("projections").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "sakip");

    [Fact]
    public async Task DaemonStopped_FoldedAgenciesReleased_ShownInHealth_AndReadModelsStillEqualTheLogWhenItRunsAgain()
    {
        var s = await ReadModelStory.WriteAsync(f);
        await ReadModelStory.CatchUpAsync(f);
        var leading = await SakipHealthAsync();
        Assert.True(leading.GetProperty("runningHere").GetBoolean());
        var held = leading.GetProperty("agenciesInMemory").GetInt32();
        Assert.True(held >= 1, leading.GetRawText());
        await Task.Delay(1500); // running: nothing is released however long it is idle
        Assert.Equal(held, (await SakipHealthAsync()).GetProperty("agenciesInMemory").GetInt32());
        Assert.Equal(0, (await SakipHealthAsync()).GetProperty("agenciesReleased").GetInt64());

        var coordinator = f.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.StopAsync(CancellationToken.None); // as when this process loses the leadership
        JsonElement released;
        try
        {
            var until = DateTime.UtcNow.AddSeconds(20);
            do
            {
                await Task.Delay(100);
                released = await SakipHealthAsync();
            } while (released.GetProperty("agenciesInMemory").GetInt32() > 0 && DateTime.UtcNow < until);
            Assert.Equal(0, released.GetProperty("agenciesInMemory").GetInt32());
            Assert.False(released.GetProperty("runningHere").GetBoolean());
            Assert.Equal(held, released.GetProperty("agenciesReleased").GetInt64());

            // More is recorded meanwhile (on an agency it had folded and on a new one).
            await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I2", year = 2023, period = "Y", value = 81m, reason = "Koreksi" });
            await ReadModelStory.WriteAsync(f);
        }
        finally
        {
            await coordinator.StartAsync(CancellationToken.None);
        }

        await ReadModelStory.CatchUpAsync(f, TimeSpan.FromSeconds(60));
        var verified = await DerivedState.VerifyAsync(f);
        Assert.True(verified.GetProperty("ok").GetBoolean(), verified.GetRawText());
        Assert.All(verified.GetProperty("readModels").EnumerateArray(), t =>
            Assert.Equal((0L, 0L, 0L), (t.GetProperty("missing").GetInt64(), t.GetProperty("extra").GetInt64(), t.GetProperty("different").GetInt64())));
        Assert.True((await SakipHealthAsync()).GetProperty("agenciesInMemory").GetInt32() >= 1);
    }

    [Fact]
    public async Task Start_ReleaseMemoryAfterNegative_RefusesNamingTheSetting()
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await f.StartHostAsync(b => b.UseSetting("Ledger:ReadModels:ReleaseMemoryAfterSeconds", "-1"));
            await host.Scenario(x => { x.Get.Url("/health"); });
        });
        Assert.Contains("Ledger:ReadModels:ReleaseMemoryAfterSeconds", refused.ToString());
    }
}
