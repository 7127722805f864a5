using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Weasel.Postgresql;

namespace Ledger.ReadModels;

/// <summary>
/// The advisory lock Marten's coordinator holds for a shard while a node runs it (HotCold in Marten 9 leads per shard:
/// <see cref="ProjectionLockIds.Compute"/> over the events schema, the shard and the store's <c>DaemonLockId</c>, taken
/// with Weasel's <c>pg_try_advisory_lock</c>). A rebuild outside the node that runs the shard (the command line, or an
/// admin request on another node) takes it first, so the two never apply the same projection at once; while it is held,
/// no coordinator starts the shard.
/// </summary>
public sealed class ShardLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly int _lockId;

    private ShardLock(NpgsqlConnection connection, int lockId)
    {
        _connection = connection;
        _lockId = lockId;
    }

    public static int LockIdOf(IDocumentStore store, string projection)
    {
        var options = (store as DocumentStore)?.Options ?? throw new ArgumentException("A Marten DocumentStore is needed for its daemon settings.", nameof(store));
        return ProjectionLockIds.Compute(options.Events.DatabaseSchemaName, ShardName.Compose(projection), options.Projections.DaemonLockId);
    }

    /// <returns>the lock, held on a connection of its own until disposed; null when another session (a running node) holds it.</returns>
    public static async Task<ShardLock?> TryTakeAsync(IDocumentStore store, string projection, CancellationToken ct = default)
    {
        var id = LockIdOf(store, projection);
        var connection = await SakipReadModels.DataSourceOf(store).OpenConnectionAsync(ct);
        try
        {
            if ((await connection.TryGetGlobalLock(id, ct)).Succeeded) return new ShardLock(connection, id);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _connection.ReleaseGlobalLock(_lockId);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken session has released its locks already.
        }
        await _connection.DisposeAsync();
    }
}
