using Ledger.Audit;
using Marten;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Creates and upgrades a Ledger database as its owner, in dependency order: Marten's own schema (through Marten), then
/// the audit layer's numbered migrations (they name Marten's tables), the snapshot cache, then the grants of the service role.
/// </summary>
public static class LedgerSchema
{
    /// <returns>what was applied, for the log.</returns>
    public static async Task<IReadOnlyList<string>> MigrateAsync(string ownerConnectionString, Action<StoreOptions>? more = null, CancellationToken ct = default)
    {
        var applied = new List<string>();
        using (var store = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, ownerConnectionString, applySchema: true);
            more?.Invoke(o);
            // This store only applies the schema and never hosts a daemon. With async projections registered and the mode
            // left Disabled, Marten's constructor prints "Warning: The async daemon is disabled" to the console, which an
            // operator reading the service's start-up would take to be about the service (whose daemon runs).
            o.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.Solo;
        }))
        {
            var patch = await store.Storage.Database.ApplyAllConfiguredChangesToDatabaseAsync(ct: ct);
            if (patch != Weasel.Core.SchemaPatchDifference.None) applied.Add($"marten schema ({patch})");
        }
        await using var owner = NpgsqlDataSource.Create(ownerConnectionString);
        applied.AddRange(await AuditSchema.MigrateAsync(owner, ct));
        applied.AddRange(await StreamSnapshots.MigrateAsync(owner, ct));
        return applied;
    }

    /// <summary>Grants the service role its rights (Marten's tables, the audit layer, the snapshot cache). Run as the owner at every start.</summary>
    public static async Task GrantServiceRoleAsync(NpgsqlDataSource owner, string role, CancellationToken ct = default)
    {
        await AuditSchema.GrantServiceRoleAsync(owner, role, ct);
        await StreamSnapshots.GrantServiceRoleAsync(owner, role, ct);
    }
}
