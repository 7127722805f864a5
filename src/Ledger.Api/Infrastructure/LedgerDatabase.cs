using Ledger.ReadModels;
using System.Security.Cryptography;
using Ledger.Audit;
using Wolverine;
using Wolverine.Postgresql;
using Ledger.Api.Commands;
using Ledger.LocalPostgres;
using Ledger.Storage;
using Npgsql;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Where Ledger's data lives. With <c>ConnectionStrings:Ledger</c> set, that database (migrations run with
/// <c>ConnectionStrings:LedgerOwner</c> if given, else with the same connection; <c>Ledger:ServiceRole</c> names the
/// restricted role to grant). Without it, a private cluster under
/// <c>Ledger:DataDirectory</c> (default <c>./.ledger</c>), started now (or joined, when already running) and stopped when the
/// last process using it ends, killed or not (<see cref="LocalPostgresCluster"/>: owner files and a watchdog); the service then runs as the restricted role <c>ledger_app</c>, which can read the log and
/// append to it through Marten, and nothing that would change the record (docs/security.md).
/// <para>
/// <see cref="ServiceConnectionString"/> is what Marten connects with; <see cref="SnapshotKey"/> authenticates the stream
/// snapshots this service writes (kept outside the database: <c>Ledger:SnapshotKey</c> as hex, the local cluster's secret
/// file, or a fresh key per process: then earlier processes' snapshots are not used, and verify reports them as not authentic).
/// </para>
/// </summary>
/// <summary>The configured database stayed out of reach for the whole start-up wait; the message says where and what to do.</summary>
public sealed class DatabaseUnreachableException(string message, Exception inner) : Exception(message, inner);

public sealed class LedgerDatabase : IAsyncDisposable
{
    public const string ServiceRole = "ledger_app";
    public const string DatabaseName = "ledger";

    private LedgerDatabase(string serviceConnectionString, NpgsqlDataSource owner, LocalPostgresCluster? cluster, string description, byte[] snapshotKey)
    {
        ServiceConnectionString = Named(LedgerMarten.ForLedger(serviceConnectionString), "ledger");
        Service = NpgsqlDataSource.Create(ServiceConnectionString);
        Owner = owner;
        Cluster = cluster;
        Description = description;
        SnapshotKey = snapshotKey;
    }

    /// <summary>The connection string the service (and Marten) works with: the restricted role, UTC sessions.</summary>
    public string ServiceConnectionString { get; }

    /// <summary>The connection the service works with (the same role as Marten).</summary>
    public NpgsqlDataSource Service { get; }

    /// <summary>The HMAC key of stream snapshots (never stored in the database).</summary>
    public byte[] SnapshotKey { get; }

    /// <summary>
    /// Whether <see cref="SnapshotKey"/> outlives this process (<c>Ledger:SnapshotKey</c>, or the local cluster's secret
    /// file). When false, snapshots another process wrote are never authentic here, and verification cannot tell them
    /// from forged ones (it says so).
    /// </summary>
    public bool SnapshotKeyKept { get; private init; } = true;

    /// <summary>
    /// The local cluster's administrator token (kept beside it as <c>secret-admin-token</c>), for a newcomer who set no
    /// <c>Ledger:BootstrapAdminToken</c>: the service uses it as the bootstrap token and prints it at start. Null with a
    /// configured database.
    /// </summary>
    public string? LocalAdminToken { get; private init; }

    /// <summary>The restricted role to grant Wolverine's tables to (null: the configured connection's own role is used as is).</summary>
    public string? GrantedRole { get; private init; }

    /// <summary>
    /// How this start checks Marten's schema and Wolverine's tables (<c>Ledger:SchemaCheck</c>: <c>fingerprint</c>, the default,
    /// or <c>full</c>; <see cref="SchemaFingerprints"/>, docs/deployment.md "Schema checks at start").
    /// </summary>
    public SchemaCheck SchemaCheck { get; private init; } = SchemaCheck.Fingerprint;

    /// <summary><c>Ledger:SchemaCheck</c>: <c>fingerprint</c> (default) or <c>full</c>; anything else is refused with the reason.</summary>
    public static SchemaCheck SchemaCheckFrom(IConfiguration config) => config["Ledger:SchemaCheck"] switch
    {
        null or "" => SchemaCheck.Fingerprint,
        var v when v.Equals("fingerprint", StringComparison.OrdinalIgnoreCase) => SchemaCheck.Fingerprint,
        var v when v.Equals("full", StringComparison.OrdinalIgnoreCase) => SchemaCheck.Full,
        var v => throw new StartupRefusedException($"Ledger refuses to start: Ledger__SchemaCheck is '{v}'; use 'fingerprint' (the default) or 'full'."),
    };

    /// <summary>
    /// A streaming standby of the database (<c>ConnectionStrings:LedgerStandby</c>, the service's role), for the reads that
    /// may be served from it (<see cref="Features.Reads.StandbyReads"/>); null when not configured.
    /// </summary>
    public NpgsqlDataSource? Standby { get; private init; }

    /// <summary>The schema owner's connection: migrations and administrative work only.</summary>
    public NpgsqlDataSource Owner { get; }

    public LocalPostgresCluster? Cluster { get; }
    public string Description { get; }

    /// <summary>How long start-up waits for a configured database that is out of reach (<c>Ledger:DatabaseWaitSeconds</c>).</summary>
    public const int DefaultDatabaseWaitSeconds = 120;

    /// <summary>
    /// <see cref="OpenAsync"/>, waiting for a configured database that is out of reach (down, restarting, failing over,
    /// not accepting connections yet: <see cref="DatabaseOutage"/>) for up to <c>Ledger:DatabaseWaitSeconds</c> (default
    /// 120; 0: do not wait), trying again every 1–5 s and saying so in the log. A service started together with its database
    /// (a reboot, a compose file, a failover) then comes up by itself instead of exiting. Past the wait, or on any other
    /// error, start-up fails: <see cref="DatabaseUnreachableException"/> says where and for how long. The local cluster
    /// (no connection string) is started, not waited for.
    /// </summary>
    public static async Task<LedgerDatabase> OpenWaitingAsync(IConfiguration config, ILogger log, CancellationToken ct = default)
    {
        var configured = config.GetConnectionString("Ledger");
        if (string.IsNullOrWhiteSpace(configured)) return await OpenAsync(config, log, ct);
        var wait = TimeSpan.FromSeconds(Math.Max(0, config.GetValue("Ledger:DatabaseWaitSeconds", DefaultDatabaseWaitSeconds)));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var database = await OpenAsync(config, log, ct);
                if (attempt > 1) log.LogInformation("PostgreSQL answered after {Seconds:F0} s of waiting.", waited.Elapsed.TotalSeconds);
                return database;
            }
            catch (Exception e) when (DatabaseOutage.Is(e) && !ct.IsCancellationRequested)
            {
                var reason = e.GetBaseException().Message;
                if (waited.Elapsed >= wait)
                    throw new DatabaseUnreachableException(
                        $"Ledger could not start: PostgreSQL ({Describe(configured)}) was out of reach for {waited.Elapsed.TotalSeconds:F0} s " +
                        $"({reason}). Start the database, check ConnectionStrings__Ledger, or wait longer with Ledger__DatabaseWaitSeconds " +
                        $"(now {wait.TotalSeconds:F0}).", e);
                var delay = TimeSpan.FromSeconds(Math.Min(5, attempt));
                log.LogWarning("PostgreSQL ({Where}) is out of reach: {Reason}. Trying again in {Delay:F0} s (waited {Waited:F0} of {Wait:F0} s, Ledger__DatabaseWaitSeconds).",
                    Describe(configured), reason, delay.TotalSeconds, waited.Elapsed.TotalSeconds, wait.TotalSeconds);
                await Task.Delay(delay, ct);
            }
        }
    }

    public static async Task<LedgerDatabase> OpenAsync(IConfiguration config, ILogger log, CancellationToken ct = default)
    {
        var configured = config.GetConnectionString("Ledger");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var ownerCs = Named(LedgerMarten.ForLedger(config.GetConnectionString("LedgerOwner") ?? configured), "ledger-owner");
            var check = SchemaCheckFrom(config);
            var phases = new StartupPhases();
            // Marten's store and DDL for the migration are built (CPU only) while the probe waits for PostgreSQL.
            var preparing = PrepareMartenSchema(ownerCs);
            try
            {
                await RefuseTransactionPoolingAsync(configured, config.GetConnectionString("LedgerOwner"), ct);
            }
            catch
            {
                await DisposeQuietlyAsync(preparing);
                throw;
            }
            phases.Done("pooling probe");
            using var marten = await preparing;
            phases.Done("Marten's DDL");
            var owner = NpgsqlDataSource.Create(ownerCs);
            try
            {
                await using (await StartupLock.TakeAsync(owner, ct))
                {
                    phases.Done("start-up lock");
                    await MigrateAsync(marten, owner, log, ct, check);
                    phases.Done("migrations");
                    // With a separate owner, the service's own role gets exactly the grants it needs (docker-compose.yml does this).
                    if (config["Ledger:ServiceRole"] is { Length: > 0 } role) await GrantAsync(owner, role, ct);
                    phases.Done("grants");
                }
                log.LogInformation("Database opened: {Phases}.", phases);
            }
            catch
            {
                await owner.DisposeAsync();
                throw;
            }
            var where = Describe(configured);
            log.LogInformation("Using the configured PostgreSQL database {Where}.", where);
            var kept = config["Ledger:SnapshotKey"] is { Length: > 0 };
            var key = kept ? Convert.FromHexString(config["Ledger:SnapshotKey"]!) : StreamSnapshots.NewKey();
            var standby = config.GetConnectionString("LedgerStandby");
            if (!string.IsNullOrWhiteSpace(standby)) log.LogInformation("Reads may be served from the standby {Where}.", Describe(standby));
            return new LedgerDatabase(configured, owner, null, where, key)
            {
                GrantedRole = config["Ledger:ServiceRole"] is { Length: > 0 } granted ? granted : null, SnapshotKeyKept = kept, SchemaCheck = check,
                Standby = string.IsNullOrWhiteSpace(standby) ? null : NpgsqlDataSource.Create(Named(LedgerMarten.ForLedger(standby), "ledger-standby")),
            };
        }

        var localCheck = SchemaCheckFrom(config);
        var dataDirectory = config["Ledger:DataDirectory"] ?? "./.ledger";
        log.LogInformation("No ConnectionStrings__Ledger configured: starting a local PostgreSQL cluster under {Dir}.", Path.GetFullPath(dataDirectory));
        var cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
        {
            DataDirectory = dataDirectory,
            Log = line => log.LogInformation("{Line}", line),
        }, ct);
        var localOwnerCs = Named(LedgerMarten.ForLedger(cluster.SuperUserConnectionString(DatabaseName)), "ledger-owner");
        // Built (CPU only) while the database is created if missing and the secrets are read.
        var localPreparing = PrepareMartenSchema(localOwnerCs);
        try
        {
            await using (var admin = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
            {
                await EnsureDatabaseAsync(admin, DatabaseName, ct);
            }
            var ownerDs = NpgsqlDataSource.Create(localOwnerCs);
            // One password per cluster, kept beside it: the service and the command line (rebuild, verify) may run at the
            // same time and must not lock each other out by resetting it.
            var password = await cluster.SecretAsync(ServiceRole, ct);
            var phases = new StartupPhases();
            using var marten = await localPreparing;
            phases.Done("Marten's DDL");
            await using (await StartupLock.TakeAsync(ownerDs, ct))
            {
                phases.Done("start-up lock");
                await MigrateAsync(marten, ownerDs, log, ct, localCheck);
                phases.Done("migrations");
                await EnsureServiceRoleAsync(ownerDs, ServiceRole, password, ct);
                await GrantAsync(ownerDs, ServiceRole, ct);
                phases.Done("role and grants");
            }
            log.LogInformation("Database opened: {Phases}.", phases);
            var serviceCs = new NpgsqlConnectionStringBuilder(cluster.SuperUserConnectionString(DatabaseName))
            {
                Username = ServiceRole, Password = password,
            }.ConnectionString;
            var where = $"local cluster {cluster.PgData} on 127.0.0.1:{cluster.Port}, database '{DatabaseName}', role '{ServiceRole}'";
            log.LogInformation("Ledger's database: {Where}.", where);
            var key = Convert.FromHexString(await cluster.SecretAsync("snapshot-key", ct));
            return new LedgerDatabase(serviceCs, ownerDs, cluster, where, key)
            {
                GrantedRole = ServiceRole, LocalAdminToken = "ldg_local_" + await cluster.SecretAsync("admin-token", ct), SchemaCheck = localCheck,
            };
        }
        catch
        {
            await DisposeQuietlyAsync(localPreparing);
            await cluster.StopAsync();
            throw;
        }
    }

    /// <summary>
    /// Every component's migrations, in dependency order: Marten's schema, the audit layer and the snapshot cache
    /// (<see cref="LedgerSchema"/>), then the SAKIP read models (Wolverine's tables are migrated at start, by
    /// <c>MigrateWolverineAsync</c>). Refuses a
    /// database that still holds events of the home-made store Ledger used before Marten (schema <c>eventstore</c>): those
    /// events would silently not be part of the ledger, and there is no migration of them.
    /// </summary>
    public static async Task MigrateAsync(PreparedMartenSchema marten, NpgsqlDataSource owner, ILogger log, CancellationToken ct,
        SchemaCheck check = SchemaCheck.Full)
    {
        await RefuseOldStoreAsync(owner, ct);
        var applied = new List<string>();
        applied.AddRange(await LedgerSchema.MigrateAsync(marten, owner, ct, check));
        applied.AddRange(await ReadModelSchema.MigrateAsync(owner, ct));
        foreach (var name in applied) log.LogInformation("Applied migration {Name}.", name);
    }

    /// <summary>Ledger's Marten schema as the owner applies it (with the SAKIP read models), built on a pool thread.</summary>
    private static Task<PreparedMartenSchema> PrepareMartenSchema(string ownerCs) =>
        Task.Run(() => PreparedMartenSchema.Prepare(ownerCs, ReadModelRegistration.Configure));

    private static async Task DisposeQuietlyAsync(Task<PreparedMartenSchema> preparing)
    {
        try { (await preparing).Dispose(); }
        catch (Exception) { /* the start is failing already; its own exception is the one to report */ }
    }

    public const string WolverineComponent = "wolverine";

    /// <summary>
    /// Wolverine's tables (deduplicated responses, its node and envelope tables) in schema <c>wolverine</c>, created by the
    /// owner with the same durability settings as the service (<see cref="Commands.CommandRegistration.Configure"/>), which
    /// never creates tables itself; then the service role's grants on them. Run when the service starts, before Wolverine
    /// does: the throwaway host it builds must not be the first host of the process (a test host would take it for the
    /// service). Skipped, but for the grants, when this build migrated them last (<see cref="SchemaCheck"/>).
    /// </summary>
    public async Task MigrateWolverineAsync(string? serviceRole, CancellationToken ct)
    {
        await using var startup = await StartupLock.TakeAsync(Owner, ct);
        // Building Wolverine's throwaway host and comparing its tables is most of this step. Its tables are a function of
        // Wolverine's code (its core, RDBMS and PostgreSQL assemblies) and of the settings in MigrateWolverineAsync (this
        // assembly), so the fingerprint is those assemblies' module ids: a restart of the same build skips the step.
        var fingerprint = SchemaFingerprints.Of(string.Join("\n",
            new[] { typeof(IMessageBus).Assembly, typeof(Wolverine.RDBMS.IMessageDatabase).Assembly, typeof(PostgresqlConfigurationExtensions).Assembly, typeof(LedgerDatabase).Assembly }
                .Select(a => $"{a.GetName().Name} {a.ManifestModule.ModuleVersionId}")
                .Append(Commands.CommandRegistration.WolverineSchema)));
        if (SchemaCheck == SchemaCheck.Full || !await SchemaFingerprints.MatchesAsync(Owner, WolverineComponent, fingerprint, ct))
        {
            await MigrateWolverineAsync(Owner);
            await SchemaFingerprints.RecordAsync(Owner, WolverineComponent, fingerprint, ct);
        }
        if (serviceRole is null) return;
        var r = AuditSchema.Quote(serviceRole);
        await using var cmd = Owner.CreateCommand($"""
            GRANT USAGE ON SCHEMA {Commands.CommandRegistration.WolverineSchema} TO {r};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {Commands.CommandRegistration.WolverineSchema} TO {r};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {Commands.CommandRegistration.WolverineSchema} TO {r};
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task MigrateWolverineAsync(NpgsqlDataSource owner)
    {
        // A host that is built, never started: only its message store is used, to create its tables as the owner.
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .UseWolverine(o =>
            {
                o.Durability.EnableDeduplicatedResponses = true;
                o.Discovery.DisableConventionalDiscovery();
                o.PersistMessagesWithPostgresql(owner, Commands.CommandRegistration.WolverineSchema);
            })
            .Build();
        await host.Services.GetRequiredService<Wolverine.Persistence.Durability.IMessageStore>().Admin.MigrateAsync();
    }

    /// <summary>
    /// Refuses a connection that goes through a pooler in transaction or statement mode (<see cref="PoolingProbe"/>):
    /// the daemon's leadership and the migrations hold session-level advisory locks, which such a pooler shares between
    /// clients. Checked before anything is migrated; the service then serves only the refusal (<see cref="StartupRefusal"/>).
    /// </summary>
    private static async Task RefuseTransactionPoolingAsync(string serviceCs, string? ownerCs, CancellationToken ct)
    {
        var checks = new List<(string, string)> { ("ConnectionStrings__Ledger", serviceCs) };
        if (!string.IsNullOrWhiteSpace(ownerCs) && ownerCs != serviceCs) checks.Add(("ConnectionStrings__LedgerOwner", ownerCs));
        // Both strings at once: each probe mostly waits for its connections' handshakes.
        var seenBy = await Task.WhenAll(checks.Select(c => PoolingProbe.CheckAsync(c.Item2, ct)));
        foreach (var ((what, cs), seen) in checks.Zip(seenBy))
        {
            if (seen is not null)
                throw new StartupRefusedException(
                    $"Ledger refuses to start: {what} ({Describe(cs)}) does not keep a PostgreSQL session per connection — {seen}. " +
                    "The async daemon's leadership is a session-level advisory lock, which such a pooler shares between clients, so two " +
                    "service processes could both project the same events. Connect directly or through PgBouncer with pool_mode = session " +
                    "(docs/deployment.md, \"PgBouncer\").");
        }
    }

    /// <summary>
    /// Gives a connection string without an Application Name one that says which process it is,
    /// <c>{prefix}/{host}/{pid}</c> (at most 63 bytes, PostgreSQL's limit), so that <c>pg_stat_activity</c> and
    /// <c>pg_locks</c> show which service process holds the daemon's leadership (docs/deployment.md). A configured name is kept.
    /// </summary>
    public static string Named(string connectionString, string prefix)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(b.ApplicationName)) return connectionString;
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var host = Environment.MachineName;
        var room = 63 - prefix.Length - pid.Length - 2;
        b.ApplicationName = $"{prefix}/{(host.Length > room ? host[..Math.Max(0, room)] : host)}/{pid}";
        return b.ConnectionString;
    }

    private static async Task RefuseOldStoreAsync(NpgsqlDataSource owner, CancellationToken ct)
    {
        await using (var exists = owner.CreateCommand("SELECT to_regclass('eventstore.events') IS NOT NULL"))
            if (await exists.ExecuteScalarAsync(ct) is not true) return;
        await using var cmd = owner.CreateCommand("SELECT EXISTS (SELECT 1 FROM eventstore.events)");
        if (await cmd.ExecuteScalarAsync(ct) is true)
            throw new InvalidOperationException(
                "This database holds events of Ledger's earlier, home-made event store (table eventstore.events). Ledger now keeps its " +
                "events in Marten (schema ledger) and does not migrate them: start with a new database, or keep running the earlier version.");
    }

    /// <summary>Grants for the restricted service role; idempotent, run at every start.</summary>
    public static async Task GrantAsync(NpgsqlDataSource owner, string role, CancellationToken ct)
    {
        await LedgerSchema.GrantServiceRoleAsync(owner, role, ct);
        await ReadModelSchema.GrantServiceRoleAsync(owner, role, ct);
    }

    public static async Task EnsureDatabaseAsync(NpgsqlDataSource admin, string name, CancellationToken ct)
    {
        await using var exists = admin.CreateCommand("SELECT 1 FROM pg_database WHERE datname = @n");
        exists.Parameters.AddWithValue("n", name);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        await using var create = admin.CreateCommand($"CREATE DATABASE {AuditSchema.Quote(name)}");
        try { await create.ExecuteNonQueryAsync(ct); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { /* created meanwhile by another process */ }
    }

    /// <summary>Creates the login role if missing and sets its password (never logged).</summary>
    public static async Task EnsureServiceRoleAsync(NpgsqlDataSource owner, string role, string password, CancellationToken ct)
    {
        if (password.Any(c => !char.IsAsciiLetterOrDigit(c))) throw new ArgumentException("The role password must be alphanumeric.", nameof(password));
        var quoted = AuditSchema.Quote(role);
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

    private static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database} as {b.Username}";
    }

    /// <summary>
    /// Start-up's schema work (Marten's schema, the audit layer, read models, the service role and its grants, Wolverine's
    /// tables) by one process at a time: two service processes starting together on a database that needs a migration
    /// raced in Marten's DDL and one of them died (42P07, "relation … already exists"; issue 13, two hosts). A
    /// transaction-scoped advisory lock in a transaction held open on a connection of its own, waited for; disposing rolls
    /// the transaction back, which releases it (also when the process dies: PostgreSQL ends the session).
    /// </summary>
    private sealed class StartupLock : IAsyncDisposable
    {
        private const long Key = 0x4C_65_64_67_65_72_53; // "LedgerS" (SqlMigrator's own lock, taken inside, is "LedgerM")
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _tx;

        private StartupLock(NpgsqlConnection connection, NpgsqlTransaction tx) => (_connection, _tx) = (connection, tx);

        public static async Task<StartupLock> TakeAsync(NpgsqlDataSource owner, CancellationToken ct)
        {
            var connection = await owner.OpenConnectionAsync(ct);
            try
            {
                var tx = await connection.BeginTransactionAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", connection, tx) { CommandTimeout = 0 };
                cmd.Parameters.AddWithValue("k", Key);
                await cmd.ExecuteNonQueryAsync(ct);
                return new StartupLock(connection, tx);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _tx.RollbackAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // A broken session has released the lock already.
            }
            await _tx.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Owner.DisposeAsync();
        if (Standby is not null) await Standby.DisposeAsync();
        if (Cluster is not null) await Cluster.StopAsync();
    }
}

/// <summary>How long each step of opening the database took, for the start-up log (cold start goal: docs/performance.md).</summary>
internal sealed class StartupPhases
{
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<string> _done = [];
    private TimeSpan _last;

    public void Done(string phase)
    {
        var now = _watch.Elapsed;
        _done.Add(FormattableString.Invariant($"{phase} {(now - _last).TotalMilliseconds:F0} ms"));
        _last = now;
    }

    public override string ToString() => string.Join(", ", _done);
}
