using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// Whether an exception from an append means "another writer got there first; nothing of this append was written", in
/// every shape Marten and PostgreSQL give it. Such an append may be decided again on the new state (a lost race is never
/// a 500). Recognised by type, SQLSTATE, table and constraint name, never by message text.
/// </summary>
public static class AppendRace
{
    public static bool IsLost(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case JasperFx.ConcurrencyException: // includes EventStreamUnexpectedMaxEventIdException (MT003, a moved stream)
                case JasperFx.Events.ExistingStreamIdCollisionException:
                case Marten.Exceptions.ExistingStreamIdCollisionException:
                case JasperFx.Events.StreamLockedException:
                case Marten.Exceptions.StreamLockedException:
                    return true;
                case PostgresException pg when IsRace(pg):
                    return true;
            }
        }
        return false;
    }

    private static bool IsRace(PostgresException pg) => pg.SqlState switch
    {
        // two creators of one stream (the stream row's key), or two appenders of one version
        PostgresErrorCodes.UniqueViolation => pg.TableName is "mt_streams" || pg.ConstraintName is "pk_mt_events_stream_and_version",
        "MT003" => true, // Marten's quick append: the stream is not at the expected version
        PostgresErrorCodes.SerializationFailure => true, // the seal: recorded time would go backwards (decide again, later)
        PostgresErrorCodes.DeadlockDetected => true,
        PostgresErrorCodes.LockNotAvailable => true,
        _ => false,
    };
}
