using Ledger.Audit;
using Npgsql;

namespace Ledger.EventStore;

/// <summary>Creates and upgrades the store's schema, and grants the service role exactly what it needs.</summary>
public static class EventStoreSchema
{
    public const string Component = "eventstore";

    /// <summary>The store's numbered scripts (Migrations/*.sql), in order.</summary>
    public static IReadOnlyList<Migration> Migrations => SqlMigrator.FromEmbeddedResources(typeof(EventStoreSchema).Assembly);

    public static Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource owner, CancellationToken ct = default) =>
        SqlMigrator.ApplyAsync(owner, Component, Migrations, ct);

    /// <summary>
    /// The service role may read the store and call <c>eventstore.append</c> and <c>eventstore.append_many</c> (which run as the owner), nothing else:
    /// it cannot INSERT rows of its own making, nor UPDATE, DELETE or TRUNCATE, nor drop the append-only trigger.
    /// The one exception is <c>eventstore.idempotency</c> (remembered command responses, not part of the audit
    /// record), which it reads and writes through <see cref="IdempotencyStore"/>, and <c>eventstore.stream_snapshots</c>
    /// (derived states, see <see cref="PostgresStreamSnapshots"/>), which it reads, inserts and prunes (never updates).
    /// </summary>
    public static async Task GrantServiceRoleAsync(NpgsqlDataSource owner, string role, CancellationToken ct = default)
    {
        var r = Quote(role);
        await using var cmd = owner.CreateCommand($"""
            REVOKE ALL ON ALL TABLES IN SCHEMA eventstore FROM {r};
            GRANT USAGE ON SCHEMA eventstore TO {r};
            GRANT SELECT ON eventstore.streams, eventstore.events TO {r};
            REVOKE EXECUTE ON FUNCTION eventstore.append, eventstore.append_many FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION eventstore.append, eventstore.append_many, eventstore.canonical TO {r};
            GRANT SELECT ON SEQUENCE eventstore.event_seq TO {r};
            GRANT SELECT, INSERT, UPDATE, DELETE ON eventstore.idempotency TO {r};
            GRANT SELECT, INSERT, DELETE ON eventstore.stream_snapshots TO {r};
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Quotes an identifier for SQL (roles cannot be bound as parameters).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
