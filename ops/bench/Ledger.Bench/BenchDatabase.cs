using System.Diagnostics;
using Ledger.LocalPostgres;
using Npgsql;

namespace Ledger.Bench;

/// <summary>Counters read around a run: WAL from PostgreSQL, CPU from /proc/stat and this process.</summary>
internal readonly record struct Counters(
    long WalBytes, long WalRecords, long WalFpi, long WalSyncs, long CpuBusyTicks, long CpuAllTicks, TimeSpan ClientCpu,
    long ServerTicks)
{
    /// <summary>Linux reports process and machine CPU in USER_HZ ticks, 100 per second on every mainstream kernel.</summary>
    public const double TicksPerSecond = 100;

    public static Counters operator -(Counters a, Counters b) => new(
        a.WalBytes - b.WalBytes, a.WalRecords - b.WalRecords, a.WalFpi - b.WalFpi, a.WalSyncs - b.WalSyncs,
        a.CpuBusyTicks - b.CpuBusyTicks, a.CpuAllTicks - b.CpuAllTicks, a.ClientCpu - b.ClientCpu, a.ServerTicks - b.ServerTicks);
}

/// <summary>
/// The raw ceiling's database on the private cluster (<c>ledger_bench</c>): the plain table <c>bench.raw_events</c> and a
/// login role that may insert into it, which the .NET raw writers and pgbench use. Setup and counters use the superuser.
/// (Marten's databases, plain and Ledger path, are <see cref="MartenDatabase"/>s on the same cluster.)
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private const string Database = "ledger_bench";
    internal const string Role = "ledger_bench_svc";

    internal const string ComparisonSchema = """
        CREATE SCHEMA bench;
        -- The raw ceiling: a plain table with a uuid primary key, nothing else.
        CREATE TABLE bench.raw_events (
            id          uuid        PRIMARY KEY,
            stream      text        NOT NULL,
            version     bigint      NOT NULL,
            type        text        NOT NULL,
            data        jsonb       NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    private BenchDatabase(NpgsqlDataSource admin, NpgsqlDataSource service, string servicePassword)
    {
        ServicePassword = servicePassword;
        Admin = admin;
        Service = service;
    }

    public NpgsqlDataSource Admin { get; }

    /// <summary>The password of <see cref="Role"/> (for a program that logs in as it, e.g. pgbench).</summary>
    public string ServicePassword { get; }

    public static string DatabaseName => Database;

    /// <summary>The raw writers' role, pooled as the service pools its connections (No Reset On Close).</summary>
    public NpgsqlDataSource Service { get; }

    public static async Task<BenchDatabase> CreateAsync(LocalPostgresCluster cluster, CancellationToken ct)
    {
        await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
        await using (var cmd = root.CreateCommand($"CREATE DATABASE {Database}"))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }

        var admin = NpgsqlDataSource.Create(cluster.SuperUserConnectionString(Database));
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await using (var cmd = admin.CreateCommand($"""
            {ComparisonSchema}
            CREATE ROLE {Role} LOGIN PASSWORD '{password}';
            GRANT USAGE ON SCHEMA bench TO {Role};
            GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA bench TO {Role};
            """))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }

        var builder = new NpgsqlConnectionStringBuilder(cluster.SuperUserConnectionString(Database))
        {
            Username = Role, Password = password, MaxPoolSize = 100,
            // As the service runs (LedgerMarten.ForLedger): no DISCARD ALL when a pooled connection is reused.
            NoResetOnClose = true,
        };
        return new BenchDatabase(admin, NpgsqlDataSource.Create(builder.ConnectionString), password);
    }

    public async Task<string> ScalarTextAsync(string sql, CancellationToken ct)
    {
        await using var cmd = Admin.CreateCommand(sql);
        return (await cmd.ExecuteScalarAsync(ct))?.ToString() ?? "";
    }

    /// <summary>Every run starts right after a checkpoint, so none inherits another's dirty pages or lands on a timed checkpoint's start.</summary>
    public async Task CheckpointAsync(CancellationToken ct)
    {
        await using var cmd = Admin.CreateCommand("CHECKPOINT");
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Opens <paramref name="count"/> pooled connections at once and returns them, so no run pays for logins.</summary>
    public async Task WarmPoolAsync(NpgsqlDataSource pool, int count, CancellationToken ct)
    {
        var conns = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => pool.OpenConnectionAsync(ct).AsTask()));
        foreach (var c in conns) await c.DisposeAsync();
    }

    /// <summary>Closes the idle pooled connections (and those of <paramref name="other"/>, a scenario's own pool): their backends exit and flush their WAL statistics.</summary>
    public async Task DrainPoolAsync(NpgsqlDataSource? other, CancellationToken ct)
    {
        Service.Clear();
        other?.Clear();
        await Task.Delay(300, ct);
    }

    public async Task<Counters> ReadWalAsync(CancellationToken ct)
    {
        await using var cmd = Admin.CreateCommand(
            "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint, wal_records, wal_fpi, wal_sync FROM pg_stat_wal");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new Counters(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), 0, 0, TimeSpan.Zero, 0);
    }

    /// <summary>
    /// Machine-wide busy and total CPU ticks (/proc/stat), this process's CPU time (with that of the programs it ran and
    /// waited for, e.g. pgbench), and the CPU ticks of OUR PostgreSQL
    /// server: the postmaster (its own time plus that of its exited, reaped children) and its live children. The rest
    /// of the machine's busy time belongs to other processes (e.g. builds running beside the benchmark).
    /// </summary>
    public static Counters ReadCpu(int postmasterPid)
    {
        var server = ServerTicks(postmasterPid);
        long busy = 0, all = 0;
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            var f = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal
            busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f.Length > 7 ? f[7] : 0);
            all = busy + f[3] + f[4];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux: CPU columns stay empty.
        }
        return new Counters(0, 0, 0, 0, busy, all, Process.GetCurrentProcess().TotalProcessorTime + WaitedChildrenCpu(), server);
    }

    /// <summary>CPU time of this process's exited children (and theirs, when they waited): cutime + cstime of /proc/self/stat.</summary>
    private static TimeSpan WaitedChildrenCpu()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return TimeSpan.FromSeconds((long.Parse(f[13]) + long.Parse(f[14])) / Counters.TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return TimeSpan.Zero; // not Linux
        }
    }

    private static long ServerTicks(int postmasterPid)
    {
        if (postmasterPid <= 0 || !Directory.Exists("/proc")) return 0;
        long total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after "pid (comm) ": state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based overall.
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(f[1]);
                if (pid == postmasterPid)
                    total += long.Parse(f[11]) + long.Parse(f[12]) + long.Parse(f[13]) + long.Parse(f[14]);
                else if (ppid == postmasterPid)
                    total += long.Parse(f[11]) + long.Parse(f[12]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while we looked: its time is in the postmaster's cutime/cstime now (or was not ours).
            }
        }
        return total;
    }

    public static int PostmasterPid(LocalPostgresCluster cluster)
    {
        var file = Path.Combine(cluster.PgData, "postmaster.pid");
        return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), out var pid) ? pid : 0;
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Admin.DisposeAsync();
    }
}
