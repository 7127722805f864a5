using Ledger.Audit;
using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections;

/// <summary>Creates the engine's schema (component "projections") and grants the service role what it needs.</summary>
public static class ProjectionSchema
{
    public const string Component = "projections";

    /// <summary>Schema for read-model tables; the service role may read, write and truncate every table in it.</summary>
    public const string ReadModelSchema = "readmodel";

    /// <summary>Run as the schema owner, after <see cref="EventStoreSchema.MigrateAsync"/>.</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource owner, CancellationToken ct = default) =>
        SqlMigrator.ApplyAsync(owner, Component, SqlMigrator.FromEmbeddedResources(typeof(ProjectionSchema).Assembly), ct);

    /// <summary>
    /// The service role may read and write checkpoints (never DELETE them), and read, write and TRUNCATE (for rebuilds)
    /// every table in <c>readmodel</c>, including tables the same owner creates later (default privileges). Run as
    /// the owner of the read-model tables, after <see cref="EventStoreSchema.GrantServiceRoleAsync"/>, and again
    /// after read-model migrations made by another owner.
    /// </summary>
    public static async Task GrantServiceRoleAsync(NpgsqlDataSource owner, string role, CancellationToken ct = default)
    {
        await using var cmd = owner.CreateCommand(ProjectionSql.Grant(EventStoreSchema.Quote(role)));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
