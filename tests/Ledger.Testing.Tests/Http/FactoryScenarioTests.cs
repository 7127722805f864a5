using Ledger.Testing.Http;

namespace Ledger.Testing.Tests.Http;

public sealed class FactoryScenarioTests(MiniAppFactory factory) : IClassFixture<MiniAppFactory>
{
    [Fact]
    public async Task Scenario_runs_straight_off_a_WebApplicationFactory()
    {
        var result = await factory.Scenario(s =>
        {
            s.Get.Url("/items/f1");
            s.JsonShouldHave("code", "f1");
        });
        Assert.Equal(200, result.Status);
    }

    [Fact]
    public async Task Factory_clients_do_not_follow_redirects()
    {
        await using var host = ScenarioHost.For(factory);
        await host.Scenario(s =>
        {
            s.Get.Url("/redirect");
            s.StatusCodeShouldBe(302);
            s.Header("Location").ShouldBe("/text");
        });
    }

    [Fact]
    public async Task Failures_through_a_factory_carry_the_body()
    {
        var e = await Assert.ThrowsAsync<ScenarioAssertionException>(() => factory.Scenario(s =>
        {
            s.Post.Json(new { code = "" }).ToUrl("/items");
            s.StatusCodeShouldBe(201);
        }));
        Assert.Contains("Code is required.", e.Message);
    }

    [Fact]
    public async Task Host_disposes_the_factory_only_when_asked()
    {
        await using var borrowed = new MiniAppFactory();
        await using (var host = ScenarioHost.For(borrowed))
        {
            await host.Scenario(s => s.Get.Url("/text"));
        }
        Assert.False(borrowed.IsDisposed);

        var owned = new MiniAppFactory();
        await using (var host = ScenarioHost.For(owned, disposeFactory: true))
        {
            await host.Scenario(s => s.Get.Url("/text"));
        }
        Assert.True(owned.IsDisposed);
    }
}
