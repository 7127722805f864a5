using Ledger.Audit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Commands;

public static class CommandServiceCollectionExtensions
{
    /// <summary>
    /// Registers the pipeline's options. The application also registers Marten's <c>IDocumentStore</c>, a
    /// <c>StreamLoader</c>, an <see cref="IdempotencyStore"/> (on the service role's data source) and any
    /// <c>IValidator&lt;TCommand&gt;</c>.
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

/// <summary>The pipeline's own table (idempotency keys), component "commands".</summary>
public static class CommandSchema
{
    public const string Component = "commands";

    public static Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource owner, CancellationToken ct = default) =>
        SqlMigrator.ApplyAsync(owner, Component, SqlMigrator.FromEmbeddedResources(typeof(CommandSchema).Assembly), ct);

    public static async Task GrantServiceRoleAsync(NpgsqlDataSource owner, string role, CancellationToken ct = default)
    {
        await using var cmd = owner.CreateCommand(IdempotencySql.Grant(AuditSchema.Quote(role)));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
