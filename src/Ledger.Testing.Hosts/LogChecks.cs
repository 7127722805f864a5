using System.Globalization;
using Ledger.Api.Infrastructure;
using Ledger.ReadModels;
using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.Testing.Hosts;

/// <summary>
/// What the database says, read as the owner (a superuser) beside the services: the log, and who holds the daemon's
/// leadership. The leadership of <c>sakip</c> is the advisory lock Marten's HotCold coordinator takes for the shard
/// (<see cref="ShardLock.LockIdOf"/>, the id Marten computes); its holder is a backend of the process whose
/// Application Name (<c>ledger/{host}/{pid}</c>, <see cref="LedgerDatabase.Named"/>) names its pid.
/// </summary>
public sealed class LogChecks(NpgsqlDataSource owner, int sakipLockId)
{
    public NpgsqlDataSource Owner { get; } = owner;

    /// <summary>The lock id Marten's coordinator uses for sakip, from a store configured as the service's.</summary>
    public static int SakipLockId()
    {
        using var store = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, "Host=never.invalid;Database=never");
            ReadModelRegistration.Configure(o);
            o.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.Solo;
        });
        return ShardLock.LockIdOf(store, "sakip");
    }

    public sealed record Holder(int BackendPid, string ApplicationName)
    {
        /// <summary>The service process's pid from its Application Name, or null when it is not one of ours.</summary>
        public int? ServicePid => ApplicationName.Split('/') is [_, _, var pid] && int.TryParse(pid, CultureInfo.InvariantCulture, out var p) ? p : null;
    }

    /// <summary>The backends holding sakip's leadership lock now (PostgreSQL grants an exclusive advisory lock to one).</summary>
    public async Task<IReadOnlyList<Holder>> SakipHoldersAsync()
    {
        // A bigint advisory key is (classid << 32) | objid, objsubid 1; Marten's int id is sign-extended.
        await using var cmd = Owner.CreateCommand("""
            SELECT a.pid, coalesce(a.application_name, '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((l.classid::bigint << 32) | l.objid::bigint) = @id
            """);
        cmd.Parameters.AddWithValue("id", (long)sakipLockId);
        var holders = new List<Holder>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) holders.Add(new Holder(r.GetInt32(0), r.GetString(1)));
        return holders;
    }

    /// <summary>How many events the log holds, and its highest sequence number.</summary>
    public async Task<(long Events, long Head)> SizeAsync()
    {
        await using var cmd = Owner.CreateCommand("SELECT count(*), coalesce(max(seq_id), 0) FROM ledger.mt_events");
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    /// <summary>Every event of the log by id: stream and version.</summary>
    public async Task<Dictionary<Guid, (string Stream, long Version)>> EventsAsync()
    {
        var events = new Dictionary<Guid, (string, long)>();
        await using var cmd = Owner.CreateCommand("SELECT id, stream_id, version FROM ledger.mt_events");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) events[r.GetGuid(0)] = (r.GetString(1), r.GetInt64(2));
        return events;
    }

    /// <summary>Streams whose versions are not exactly 1..n without a duplicate, or whose stream row is not at n.</summary>
    public async Task<IReadOnlyList<string>> BrokenStreamsAsync()
    {
        await using var cmd = Owner.CreateCommand("""
            SELECT e.stream_id || ': ' || count(*) || ' events, versions ' || min(e.version) || '..' || max(e.version)
                   || ', ' || count(DISTINCT e.version) || ' distinct, stream row at ' || coalesce(max(s.version)::text, 'none')
            FROM ledger.mt_events e LEFT JOIN ledger.mt_streams s ON s.id = e.stream_id
            GROUP BY e.stream_id
            HAVING min(e.version) <> 1 OR max(e.version) <> count(*) OR count(DISTINCT e.version) <> count(*) OR max(s.version) IS DISTINCT FROM max(e.version)
            """);
        var broken = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) broken.Add(r.GetString(0));
        return broken;
    }

    /// <summary>How many events carry this Idempotency-Key (the command pipeline records it as the <c>idempotencyKey</c> header).</summary>
    public async Task<long> EventsWithKeyAsync(string key)
    {
        await using var cmd = Owner.CreateCommand("SELECT count(*) FROM ledger.mt_events WHERE headers ->> 'idempotencyKey' = @k");
        cmd.Parameters.AddWithValue("k", key);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
