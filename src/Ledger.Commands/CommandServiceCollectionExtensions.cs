using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Commands;

public static class CommandServiceCollectionExtensions
{
    /// <summary>
    /// Registers the pipeline's options. The application also registers an <c>IEventStore</c> and an
    /// <c>IdempotencyStore</c> (both on the service role's data source) and any <c>IValidator&lt;TCommand&gt;</c>.
    /// </summary>
    public static IServiceCollection AddCommandPipeline(this IServiceCollection services, Action<CommandPipelineOptions> configure)
    {
        var options = new CommandPipelineOptions();
        configure(options);
        if (options.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(configure), "MaxAttempts must be at least 1.");
        services.AddSingleton(options);
        return services;
    }
}
