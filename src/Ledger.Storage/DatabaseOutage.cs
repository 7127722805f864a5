using System.Net.Sockets;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Is this exception the database being out of reach (down, restarting, refusing connections, out of connections), so
/// that the request may succeed if sent again later? The API answers such failures 503 with Retry-After, not 500.
/// A query error, a constraint or a permission problem is not an outage.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>Seconds a client is asked to wait before retrying (Retry-After).</summary>
    public const int RetryAfterSeconds = 5;

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
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.DatabaseDropped;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true; // I/O, socket, timeout, pool exhausted
                case SocketException or TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
