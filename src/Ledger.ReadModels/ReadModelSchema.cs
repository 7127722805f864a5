using Ledger.Audit;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// The read models' tables: component "readmodels" (<c>Migrations/*.sql</c>, numbered and checksummed by
/// <see cref="SqlMigrator"/>), in schema <c>readmodel</c>, owned by the schema owner; the service role only writes rows.
/// </summary>
public static class ReadModelSchema
{
    public const string Component = "readmodels";

    public static IReadOnlyList<Migration> Migrations => SqlMigrator.FromEmbeddedResources(typeof(ReadModelSchema).Assembly);

    /// <summary>
    /// Run as the schema owner, after Marten's schema (<c>LedgerSchema.MigrateAsync</c> with
    /// <see cref="SakipReadModels.Register"/>): migration 0003 names Marten's progression table. Then grant again with
    /// <see cref="GrantServiceRoleAsync"/>.
    /// </summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource owner, CancellationToken ct = default) =>
        SqlMigrator.ApplyAsync(owner, Component, Migrations, ct);

    /// <summary>The service role may write every readmodel table (and read what the projections read). Run as the owner at every start.</summary>
    public static async Task GrantServiceRoleAsync(NpgsqlDataSource owner, string role, CancellationToken ct = default)
    {
        await using var cmd = owner.CreateCommand(ReadModelStatements.Grant(AuditSchema.Quote(role)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The highest committed sequence number of the log, for lag reports (/health).</summary>
    public static async Task<long> HeadAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(ReadModelStatements.Head);
        return await cmd.ExecuteScalarAsync(ct) is long head ? head : 0;
    }
}
