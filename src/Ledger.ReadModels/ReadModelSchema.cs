using Ledger.Audit;
using Ledger.EventStore;
using Ledger.Projections;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>The read models' tables (component "readmodels", in schema <c>readmodel</c> created by the projections component).</summary>
public static class ReadModelSchema
{
    public const string Component = "readmodels";

    /// <summary>Run as the schema owner, after <see cref="ProjectionSchema.MigrateAsync"/>; then grant again with
    /// <see cref="ProjectionSchema.GrantServiceRoleAsync"/> (it covers every table of schema readmodel).</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource owner, CancellationToken ct = default) =>
        SqlMigrator.ApplyAsync(owner, Component, SqlMigrator.FromEmbeddedResources(typeof(ReadModelSchema).Assembly), ct);

    /// <summary>The highest committed sequence number of the log, for lag reports (/health).</summary>
    public static async Task<long> HeadAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(ReadModelStatements.Head);
        return await cmd.ExecuteScalarAsync(ct) is long head ? head : 0;
    }
}
