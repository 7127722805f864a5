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
    /// <summary>The component name of Marten's schema in <see cref="SchemaFingerprints"/>.</summary>
    public const string MartenComponent = "marten";

    /// <param name="check">
    /// <see cref="SchemaCheck.Full"/> (the default) always runs Marten's comparison with the catalog;
    /// <see cref="SchemaCheck.Fingerprint"/> skips it when the DDL Marten would create is the DDL last applied to this database.
    /// The audit layer's and the snapshot cache's numbered migrations run either way (one query each when current).
    /// </param>
    /// <returns>what was applied, for the log.</returns>
    public static async Task<IReadOnlyList<string>> MigrateAsync(string ownerConnectionString, Action<StoreOptions>? more = null,
        CancellationToken ct = default, SchemaCheck check = SchemaCheck.Full)
    {
        using var marten = PreparedMartenSchema.Prepare(ownerConnectionString, more);
        await using var owner = NpgsqlDataSource.Create(ownerConnectionString);
        return await MigrateAsync(marten, owner, ct, check);
    }

    /// <summary>
    /// The same with Marten's store and DDL already built (<see cref="PreparedMartenSchema.Prepare"/>: CPU work only, which
    /// the service does while it waits for the database at start), on the caller's owner connections.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(PreparedMartenSchema marten, NpgsqlDataSource owner, CancellationToken ct = default,
        SchemaCheck check = SchemaCheck.Full)
    {
        var applied = new List<string>();
        if (check == SchemaCheck.Full || !await SchemaFingerprints.MatchesAsync(owner, MartenComponent, marten.Fingerprint, ct))
        {
            var patch = await marten.Store.Storage.Database.ApplyAllConfiguredChangesToDatabaseAsync(ct: ct);
            if (patch != Weasel.Core.SchemaPatchDifference.None) applied.Add($"marten schema ({patch})");
            await SchemaFingerprints.RecordAsync(owner, MartenComponent, marten.Fingerprint, ct);
        }
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

/// <summary>
/// A Marten store configured as Ledger's schema owner (it applies the schema and never hosts a daemon) and the fingerprint
/// of the whole DDL it would create (tables, indexes, functions), built without touching the database.
/// </summary>
public sealed class PreparedMartenSchema : IDisposable
{
    private PreparedMartenSchema(DocumentStore store)
    {
        Store = store;
        Fingerprint = SchemaFingerprints.Of(store.Storage.Database.ToDatabaseScript());
    }

    public DocumentStore Store { get; }
    public string Fingerprint { get; }

    public static PreparedMartenSchema Prepare(string ownerConnectionString, Action<StoreOptions>? more = null)
    {
        var store = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, ownerConnectionString, applySchema: true);
            more?.Invoke(o);
            // With async projections registered and the mode left Disabled, Marten's constructor prints "Warning: The async
            // daemon is disabled" to the console, which an operator reading the service's start-up would take to be about the
            // service (whose daemon runs).
            o.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.Solo;
        });
        try
        {
            return new PreparedMartenSchema(store);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Store.Dispose();
    }
}
