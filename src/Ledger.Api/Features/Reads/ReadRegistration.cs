using Ledger.Api.Infrastructure;

namespace Ledger.Api.Features.Reads;

/// <summary>The read side (api.md "Reads"): every read replays from the event store (through the stream-state cache) and accepts ?asOf=.</summary>
public static class ReadRegistration
{
    public static IServiceCollection AddReads(this IServiceCollection services) => services
        .AddSingleton(new ReadLoaderOptions())
        // Ledger:StreamStateCache: how many streams' folded states to keep in memory; 0 turns the cache off.
        .AddSingleton(sp => new StreamStateCache(
            sp.GetRequiredService<IConfiguration>().GetValue("Ledger:StreamStateCache", ReadLoaderOptions.CachedStreams)))
        .AddSingleton<ReadLoader>();

    public static void MapReadEndpoints(this RouteGroupBuilder api)
    {
        api.MapIndicatorRead();
        api.MapPkRead();
        api.MapPkDiffRead();
        api.MapPerformanceRead();
    }
}
