namespace Ledger.Projections;

/// <summary>Every statement the projection engine runs, in one place (its schema is in Migrations/*.sql).</summary>
internal static class ProjectionSql
{
    /// <summary>The session-level advisory lock only the leading daemon of a database holds ("LedgerP").</summary>
    public const long DaemonLockKey = 0x4C_65_64_67_65_72_50;

    public const string TryLock = "SELECT pg_try_advisory_lock(@key)";
    public const string Unlock = "SELECT pg_advisory_unlock(@key)";
    public const string Ping = "SELECT 1";

    /// <summary>
    /// A projection's own lock: held for a whole rebuild (session level, on the rebuild's connection) and tried by the
    /// daemon inside each batch's transaction, so the daemon never applies a projection that is being rebuilt.
    /// </summary>
    private const string ProjectionKey = "hashtextextended('ledger.projection:' || @name, 0)";
    public const string LockProjection = $"SELECT pg_advisory_lock({ProjectionKey})";
    public const string UnlockProjection = $"SELECT pg_advisory_unlock({ProjectionKey})";
    public const string TryLockProjectionForTransaction = $"SELECT pg_try_advisory_xact_lock({ProjectionKey})";

    public const string Register = """
        INSERT INTO projections.projection_checkpoints (name, kind)
        SELECT unnest(@names::text[]), @kind
        ON CONFLICT (name) DO NOTHING
        """;

    public const string Kinds = "SELECT name, kind FROM projections.projection_checkpoints WHERE name = ANY(@names)";

    public const string Load = "SELECT name, position, status FROM projections.projection_checkpoints WHERE name = ANY(@names)";

    public const string Status = """
        SELECT name, kind, position, status, error, error_event_seq, updated
        FROM projections.projection_checkpoints ORDER BY name
        """;

    /// <summary>The checkpoint's compare-and-swap (style #7): 0 rows = someone else moved it; roll the batch back.</summary>
    public const string Advance = """
        UPDATE projections.projection_checkpoints
           SET position = @new, updated = clock_timestamp(), status = @status
         WHERE name = @name AND position = @old AND status <> 'failed'
        """;

    public const string MarkFailed = """
        UPDATE projections.projection_checkpoints
           SET status = 'failed', error = @error, error_event_seq = @seq, updated = clock_timestamp()
         WHERE name = @name AND position = @old AND status <> 'failed'
        """;

    public const string Retry = """
        UPDATE projections.projection_checkpoints
           SET status = 'running', error = NULL, error_event_seq = NULL, updated = clock_timestamp()
         WHERE name = @name AND status = 'failed'
        """;

    /// <summary>Start of a rebuild, in the transaction that also runs the projection's reset.</summary>
    public const string BeginRebuild = """
        UPDATE projections.projection_checkpoints
           SET position = 0, status = 'rebuilding', error = NULL, error_event_seq = NULL, updated = clock_timestamp()
         WHERE name = @name AND kind = 'async'
        """;

    public static string Grant(string role) => $"""
        GRANT USAGE ON SCHEMA projections, readmodel TO {role};
        GRANT SELECT, INSERT, UPDATE ON projections.projection_checkpoints TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA readmodel TO {role};
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA readmodel TO {role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA readmodel GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA readmodel GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role};
        """;
}
