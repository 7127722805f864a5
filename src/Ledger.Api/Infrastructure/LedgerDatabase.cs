using System.Security.Cryptography;
using Ledger.EventStore;
using Ledger.LocalPostgres;
using Ledger.Projections;
using Ledger.ReadModels;
using Npgsql;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Where Ledger's data lives. With <c>ConnectionStrings:Ledger</c> set, that database (migrations run with
/// <c>ConnectionStrings:LedgerOwner</c> if given, else with the same connection; <c>Ledger:ServiceRole</c> names the
/// restricted role to grant). Without it, a private cluster under
/// <c>Ledger:DataDirectory</c> (default <c>./.ledger</c>), started now and stopped when the service stops (unless another
/// process had started it); the service then runs as the restricted role <c>ledger_app</c>, which can only read the store
/// and call its append function.
/// </summary>
public sealed class LedgerDatabase : IAsyncDisposable
{
    public const string ServiceRole = "ledger_app";
    public const string DatabaseName = "ledger";

    private LedgerDatabase(NpgsqlDataSource service, NpgsqlDataSource owner, LocalPostgresCluster? cluster, string description)
    {
        Service = service;
        Owner = owner;
        Cluster = cluster;
        Description = description;
    }

    /// <summary>The connection the service works with.</summary>
    public NpgsqlDataSource Service { get; }

    /// <summary>The schema owner's connection: migrations and administrative work only.</summary>
    public NpgsqlDataSource Owner { get; }

    public LocalPostgresCluster? Cluster { get; }
    public string Description { get; }

    public static async Task<LedgerDatabase> OpenAsync(IConfiguration config, ILogger log, CancellationToken ct = default)
    {
        var configured = config.GetConnectionString("Ledger");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var ownerCs = config.GetConnectionString("LedgerOwner") ?? configured;
            var owner = NpgsqlDataSource.Create(ownerCs);
            await MigrateAsync(owner, log, ct);
            // With a separate owner, the service's own role gets exactly the grants it needs (docker-compose.yml does this).
            if (config["Ledger:ServiceRole"] is { Length: > 0 } role) await GrantAsync(owner, role, ct);
            var service = NpgsqlDataSource.Create(ServiceConnectionString(configured));
            var where = Describe(configured);
            log.LogInformation("Using the configured PostgreSQL database {Where}.", where);
            return new LedgerDatabase(service, owner, null, where);
        }

        var dataDirectory = config["Ledger:DataDirectory"] ?? "./.ledger";
        log.LogInformation("No ConnectionStrings__Ledger configured: starting a local PostgreSQL cluster under {Dir}.", Path.GetFullPath(dataDirectory));
        var cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
        {
            DataDirectory = dataDirectory,
            Log = line => log.LogInformation("{Line}", line),
        }, ct);
        try
        {
            await using (var admin = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
            {
                await EnsureDatabaseAsync(admin, DatabaseName, ct);
            }
            var ownerDs = NpgsqlDataSource.Create(cluster.SuperUserConnectionString(DatabaseName));
            await MigrateAsync(ownerDs, log, ct);
            // One password per cluster, kept beside it: the service and the command line (rebuild, verify) may run at the
            // same time and must not lock each other out by resetting it.
            var password = await cluster.SecretAsync(ServiceRole, ct);
            await EnsureServiceRoleAsync(ownerDs, ServiceRole, password, ct);
            await GrantAsync(ownerDs, ServiceRole, ct);
            var serviceCs = new NpgsqlConnectionStringBuilder(cluster.SuperUserConnectionString(DatabaseName))
            {
                Username = ServiceRole, Password = password,
            }.ConnectionString;
            var where = $"local cluster {cluster.PgData} on 127.0.0.1:{cluster.Port}, database '{DatabaseName}', role '{ServiceRole}'";
            log.LogInformation("Ledger's database: {Where}.", where);
            return new LedgerDatabase(NpgsqlDataSource.Create(ServiceConnectionString(serviceCs)), ownerDs, cluster, where);
        }
        catch
        {
            await cluster.StopAsync();
            throw;
        }
    }

    /// <summary>Every component's migrations, in dependency order: the store, the projection engine (checkpoints and
    /// schema readmodel), then the SAKIP read models' tables (issue 4).</summary>
    public static async Task MigrateAsync(NpgsqlDataSource owner, ILogger log, CancellationToken ct)
    {
        var applied = new List<string>();
        applied.AddRange(await EventStoreSchema.MigrateAsync(owner, ct));
        applied.AddRange(await ProjectionSchema.MigrateAsync(owner, ct));
        applied.AddRange(await ReadModelSchema.MigrateAsync(owner, ct));
        foreach (var name in applied) log.LogInformation("Applied migration {Name}.", name);
    }

    /// <summary>Grants for the restricted service role; idempotent, run at every start. The projection grants come after
    /// the store's and after the read-model migrations (they cover every table of schema readmodel).</summary>
    public static async Task GrantAsync(NpgsqlDataSource owner, string role, CancellationToken ct)
    {
        await EventStoreSchema.GrantServiceRoleAsync(owner, role, ct);
        await ProjectionSchema.GrantServiceRoleAsync(owner, role, ct);
    }

    public static async Task EnsureDatabaseAsync(NpgsqlDataSource admin, string name, CancellationToken ct)
    {
        await using var exists = admin.CreateCommand("SELECT 1 FROM pg_database WHERE datname = @n");
        exists.Parameters.AddWithValue("n", name);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        await using var create = admin.CreateCommand($"CREATE DATABASE {EventStoreSchema.Quote(name)}");
        try { await create.ExecuteNonQueryAsync(ct); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { /* created meanwhile by another process */ }
    }

    /// <summary>Creates the login role if missing and sets its password (never logged).</summary>
    public static async Task EnsureServiceRoleAsync(NpgsqlDataSource owner, string role, string password, CancellationToken ct)
    {
        if (password.Any(c => !char.IsAsciiLetterOrDigit(c))) throw new ArgumentException("The role password must be alphanumeric.", nameof(password));
        var quoted = EventStoreSchema.Quote(role);
        await using var cmd = owner.CreateCommand($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role.Replace("'", "''")}') THEN
                CREATE ROLE {quoted} LOGIN;
              END IF;
            END $$;
            ALTER ROLE {quoted} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}';
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The service sets no session state, so pooled connections need no DISCARD ALL on reuse; keeping the session keeps
    /// eventstore.append's cached plans, which halves its server CPU per event (docs/performance.md).
    /// </summary>
    public static string ServiceConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;

    private static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database} as {b.Username}";
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Owner.DisposeAsync();
        if (Cluster is not null) await Cluster.StopAsync();
    }
}
