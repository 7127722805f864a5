using Ledger.Audit;
using Ledger.Storage;
using Ledger.LocalPostgres;
using Npgsql;

namespace Ledger.Testing.Postgres;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test process (fsync off: test data only), started on first use and
/// stopped and deleted at process exit. With <c>LEDGER_TEST_CONNECTION</c> set (a superuser connection string to an
/// existing server), that server is used instead and nothing is started.
/// </summary>
public static class TestCluster
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;
    private static LocalPostgresCluster? _cluster;
    private static int _counter;

    public static async Task<string> AdminConnectionStringAsync()
    {
        if (_adminConnectionString is not null) return _adminConnectionString;
        await Gate.WaitAsync();
        try
        {
            if (_adminConnectionString is not null) return _adminConnectionString;
            var external = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION");
            if (!string.IsNullOrWhiteSpace(external)) return _adminConnectionString = external;

            RemoveLeftovers();
            var dir = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            _cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
            {
                DataDirectory = dir, Durable = false, DeleteOnStop = true,
            });
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _cluster.Stop();
            return _adminConnectionString = _cluster.SuperUserConnectionString();
        }
        finally
        {
            Gate.Release();
        }
    }

    private const string Prefix = "ledger-test-";

    /// <summary>
    /// Deletes the folders of earlier test processes' clusters. The process-exit handler stops and deletes its cluster, but
    /// <c>dotnet test</c> ends the test host soon after the last test, often while the folder (hundreds of MB of WAL and
    /// databases) is still being deleted, so folders piled up in the temp directory. A folder is removed only when the
    /// process named in it is gone and its server is not running (no <c>postmaster.pid</c>, or one naming a dead process).
    /// </summary>
    public static void RemoveLeftovers()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            try
            {
                var name = Path.GetFileName(dir)[Prefix.Length..];
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                if (dash <= 0 || !int.TryParse(name[..dash], out var owner) || owner == Environment.ProcessId || IsRunning(owner)) continue;
                var pidFile = Path.Combine(dir, "pgdata", "postmaster.pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var postmaster) && IsRunning(postmaster)) continue;
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process may be deleting it too, or it is not ours to delete: leave it.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A new database with Marten's schema and the audit layer (Ledger.Storage's bootstrap); its owner is the superuser.</summary>
    public static async Task<TestDatabase> CreateLedgerDatabaseAsync(string prefix = "l")
    {
        var database = await CreateEmptyDatabaseAsync(prefix);
        await LedgerSchema.MigrateAsync(database.OwnerConnectionString);
        return database;
    }

    /// <summary>A new, empty database (no schema); its owner is the superuser. The service migrates it itself.</summary>
    public static async Task<TestDatabase> CreateEmptyDatabaseAsync(string prefix)
    {
        var admin = await AdminConnectionStringAsync();
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}".ToLowerInvariant();
        await using (var ds = NpgsqlDataSource.Create(admin))
        await using (var cmd = ds.CreateCommand($"CREATE DATABASE {AuditSchema.Quote(name)}"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new TestDatabase(name, cs, NpgsqlDataSource.Create(LedgerMarten.ForLedger(cs)));
    }
}

/// <summary>A database of the test cluster. <see cref="Owner"/> is a superuser connection (schema owner).</summary>
public sealed class TestDatabase(string name, string ownerConnectionString, NpgsqlDataSource owner) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string OwnerConnectionString { get; } = ownerConnectionString;
    public NpgsqlDataSource Owner { get; } = owner;

    /// <summary>
    /// Creates a restricted login role like the service's on a Ledger database (Marten + audit layer): a login role with
    /// exactly the service's grants (<see cref="LedgerSchema.GrantServiceRoleAsync"/>); returns its connection string
    /// (UTC, as the service uses). Role names are cluster-wide, so each database gets its own.
    /// </summary>
    public async Task<string> CreateLedgerServiceRoleAsync()
    {
        var role = await CreateLoginRoleAsync();
        await LedgerSchema.GrantServiceRoleAsync(Owner, role);
        return LedgerMarten.ForLedger(ServiceConnectionString(role));
    }

    private const string TestPassword = "test-only-password";

    /// <summary>A login role of this database's own (no grants yet: the service grants it at start with Ledger:ServiceRole).</summary>
    public async Task<string> CreateLoginRoleAsync()
    {
        var role = $"svc_{Name}";
        await using var cmd = Owner.CreateCommand(
            $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {AuditSchema.Quote(role)} LOGIN PASSWORD '{TestPassword}'; END IF; END $$;");
        await cmd.ExecuteNonQueryAsync();
        return role;
    }

    /// <summary>The connection string of a role made by <see cref="CreateLoginRoleAsync"/>.</summary>
    public string ServiceConnectionString(string role) =>
        new NpgsqlConnectionStringBuilder(OwnerConnectionString) { Username = role, Password = TestPassword }.ConnectionString;

    /// <summary>
    /// What a superuser can do behind the service's back: runs <paramref name="sql"/> with the append-only triggers off
    /// (<c>session_replication_role = replica</c>, in its own transaction) and returns its first column's value, if any.
    /// The tamper tests use it; the hash chain is what must catch the result.
    /// </summary>
    public async Task<object?> AsSuperuserBypassingTriggersAsync(string sql, params (string Name, object Value)[] ps)
    {
        await using var conn = await Owner.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var off = new NpgsqlCommand("SET LOCAL session_replication_role = replica", conn, tx)) await off.ExecuteNonQueryAsync();
        object? result;
        await using (var cmd = new NpgsqlCommand(sql, conn, tx))
        {
            foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
            result = await cmd.ExecuteScalarAsync();
        }
        await tx.CommitAsync();
        return result;
    }

    /// <summary>One value read as the owner.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] ps)
    {
        await using var cmd = Owner.CreateCommand(sql);
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync() => await Owner.DisposeAsync();
}
