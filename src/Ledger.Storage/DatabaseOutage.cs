using System.Net.Sockets;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Is this exception the database being out of reach (down, restarting, refusing connections, out of connections), so
/// that the request may succeed if sent again later? The API answers such failures 503 with Retry-After, not 500.
/// A query error, a constraint or a permission problem is not an outage.
/// <para>
/// With a replicated database (docs/replication.md) a failover is an outage too: the primary's connections break, a
/// multi-host connection string (<c>Target Session Attributes=primary</c>) finds no primary until the standby is
/// promoted (Npgsql: "No suitable host was found", or "Unable to connect to a suitable host" around the refused
/// connections), and a session that ended up on a server that is (again) a standby is refused writes (25006,
/// read-only transaction).
/// </para>
/// </summary>
public static class DatabaseOutage
{
    /// <summary>Seconds a client is asked to wait before retrying (Retry-After).</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Npgsql's message when a multi-host data source reached its hosts and none had the target session attributes.</summary>
    public const string NoSuitableHost = "No suitable host was found.";

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
                        || pg.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources (too many connections, …)
                        || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.DatabaseDropped
                            or PostgresErrorCodes.ReadOnlySqlTransaction;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true; // I/O, socket, timeout, pool exhausted
                case NpgsqlException { InnerException: null } npgsql when npgsql.Message == NoSuitableHost:
                    return true; // a multi-host data source: every host answered, none is (yet) what was asked for
                case SocketException or TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
