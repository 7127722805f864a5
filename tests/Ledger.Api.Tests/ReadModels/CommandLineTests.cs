using JasperFx.Events.Daemon;
using Ledger.Api.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>The command-line verbs, run in-process with the test database's connection string (no web server).</summary>
public sealed class CommandLineTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunWithAsync(null, args);

    private async Task<(int Code, string Out, string Err)> RunWithAsync(IReadOnlyDictionary<string, string?>? settings, params string[] args)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = f.Database.OwnerConnectionString })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(args, config, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task ReadModelSettingOutOfRange_IsAUsageErrorNamingTheSetting()
    {
        var bad = await RunWithAsync(new Dictionary<string, string?> { [ReadModelRegistration.AgencyCapacityKey] = "0" }, "rebuild");
        Assert.Equal(CommandLine.Usage, bad.Code);
        Assert.Contains(ReadModelRegistration.AgencyCapacityKey, bad.Err);
        Assert.Equal("", bad.Out);

        // The service's other read-model setting is read with it, the same way.
        var negative = await RunWithAsync(new Dictionary<string, string?> { [ReadModelRegistration.ReleaseMemoryAfterKey] = "-5" }, "verify");
        Assert.Equal(CommandLine.Usage, negative.Code);
        Assert.Contains(ReadModelRegistration.ReleaseMemoryAfterKey, negative.Err);
    }

    [Fact]
    public async Task Verify_IntactThenTamperedBySuperuser_ExitsZeroThenNonZeroNamingTheEvent()
    {
        var s = await ReadModelStory.WriteAsync(f);
        var ok = await RunAsync("verify");
        Assert.True(ok.Code == 0, ok.Out + ok.Err);
        Assert.StartsWith("ok:", ok.Out);

        // A superuser rewrites one realization's value, bypassing the append-only trigger.
        var seq = (long)(await f.Database.AsSuperuserBypassingTriggersAsync(
            "UPDATE ledger.mt_events SET data = jsonb_set(data, '{value}', '99') WHERE stream_id = @s AND type = 'realization.recorded.v1' " +
            "AND data->>'indicator' = 'I2' RETURNING seq_id", ("s", s.YearStream)))!;

        var broken = await RunAsync("verify");
        Assert.Equal(CommandLine.Failed, broken.Code);
        Assert.Contains($"first broken sequence {seq}", broken.Out);
    }

    [Fact]
    public async Task Rebuild_OneProjectionByName_RefusedWhileTheServiceRunsItThenExitsZeroAndPrintsProgressLines()
    {
        await ReadModelStory.WriteAsync(f);
        await ReadModelStory.CatchUpAsync(f);
        // The service's daemon runs the shard (it holds the shard's lock): the command line must not race it.
        var refused = await RunAsync("rebuild", "sakip");
        Assert.Equal(CommandLine.Failed, refused.Code);
        Assert.Contains("sakip: a running service's daemon runs it", refused.Err);

        // Stopping the coordinator releases its shard locks (pausing it does not).
        var coordinator = f.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.StopAsync(CancellationToken.None);
        try
        {
            var result = await RunAsync("rebuild", "sakip");
            Assert.True(result.Code == 0, result.Out + result.Err);
            Assert.Contains("sakip: rebuilt", result.Out);
            Assert.DoesNotContain("\r", result.Out); // redirected output: plain lines, no progress bar
        }
        finally
        {
            await coordinator.StartAsync(CancellationToken.None);
        }
        Assert.Equal(CommandLine.Usage, (await RunAsync("rebuild", "nope")).Code);
    }
}
