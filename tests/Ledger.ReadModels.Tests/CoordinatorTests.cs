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
        Assert.Null(await ShardLock.TryTakeAsync(db.Store, PkVersionsProjection.ProjectionName));
        await first.StopAsync(CancellationToken.None);
        await first.DisposeAsync();

        await using var held = await ShardLock.TryTakeAsync(db.Store, PkVersionsProjection.ProjectionName);
        Assert.NotNull(held);
        await db.AppendAsync($"year-{a}-2024", [SakipStory.Pk(a, 2024)]);
        var second = new ProjectionCoordinator(db.Store, NullLogger<ProjectionCoordinator>.Instance);
        await second.StartAsync(CancellationToken.None);
        try
        {
            await db.WaitForCatchUpAsync(second.DaemonForMainDatabase(), TimeSpan.FromSeconds(30),
                SakipStateProjection.ProjectionName, IndicatorHistoryProjection.ProjectionName);
            await Task.Delay(1_000); // several leadership polls
            var head = await db.HeadAsync();
            var pk = (await SakipReadModels.StatusAsync(db.Service)).Single(s => s.Projection == PkVersionsProjection.ProjectionName);
            Assert.True(pk.Position < head, $"sakip-pk ran while its lock was held elsewhere: {pk}");
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            await second.DisposeAsync();
        }
    }
}
