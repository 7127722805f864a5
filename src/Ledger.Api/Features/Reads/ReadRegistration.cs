using Ledger.Api.Infrastructure;

namespace Ledger.Api.Features.Reads;

/// <summary>The read side (api.md "Reads"): every read replays from the event store (through the stream-state cache) and accepts ?asOf=.</summary>
public static class ReadRegistration
{
    public static IServiceCollection AddReads(this IServiceCollection services) => services
        .AddSingleton(new ReadLoaderOptions())
        .AddSingleton(new StreamStateCache(ReadLoaderOptions.CachedStreams))
        .AddSingleton<ReadLoader>();

    public static void MapReadEndpoints(this RouteGroupBuilder api)
    {
        api.MapIndicatorRead();
        api.MapPkRead();
        api.MapPkDiffRead();
        api.MapPerformanceRead();
    }
}
