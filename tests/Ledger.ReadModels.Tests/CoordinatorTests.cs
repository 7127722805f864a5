using JasperFx.Events.Daemon;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// The daemon as the service runs it (Marten's coordinator, HotCold) and <see cref="ShardLock"/>: a rebuild outside the
/// node that runs a shard takes the same per-shard advisory lock, so the two never apply one projection at once.
/// </summary>
public sealed class CoordinatorTests
{
    [Fact]
    public async Task ShardLock_HeldWhileTheCoordinatorRunsTheShard_FreeOnceItStops_AndKeepsANewCoordinatorOffThatShard()
    {
        await using var db = await ReadModelDb.CreateAsync(more: o =>
        {
            o.Projections.AsyncMode = DaemonMode.HotCold;
            o.Projections.LeadershipPollingTime = 200;
        });
        var a = SakipStory.Agency(1, "co");
        var first = new ProjectionCoordinator(db.Store, NullLogger<ProjectionCoordinator>.Instance);
        await first.StartAsync(CancellationToken.None);
        await SakipStory.AppendAsync(db, [a], years: 1);
        await db.WaitForCatchUpAsync(first.DaemonForMainDatabase(), TimeSpan.FromSeconds(30));
        Assert.Null(await ShardLock.TryTakeAsync(db.Store, SakipCombinedProjection.ProjectionName));
        await first.StopAsync(CancellationToken.None);
        await first.DisposeAsync();

        await using var held = await ShardLock.TryTakeAsync(db.Store, SakipCombinedProjection.ProjectionName);
        Assert.NotNull(held);
        await db.AppendAsync($"year-{a}-2024", [SakipStory.Pk(a, 2024)]);
        var second = new ProjectionCoordinator(db.Store, NullLogger<ProjectionCoordinator>.Instance);
        await second.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(2_000); // several leadership polls
            var head = await db.HeadAsync();
            var sakip = (await SakipReadModels.StatusAsync(db.Service)).Single();
            Assert.True(sakip.Position < head, $"sakip ran while its lock was held elsewhere: {sakip}");
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            await second.DisposeAsync();
        }
        // Released, a coordinator takes the shard and catches up.
        await held.DisposeAsync();
        var third = new ProjectionCoordinator(db.Store, NullLogger<ProjectionCoordinator>.Instance);
        await third.StartAsync(CancellationToken.None);
        try
        {
            await db.WaitForCatchUpAsync(third.DaemonForMainDatabase(), TimeSpan.FromSeconds(30));
        }
        finally
        {
            await third.StopAsync(CancellationToken.None);
            await third.DisposeAsync();
        }
    }
}
