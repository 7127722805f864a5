using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ledger.LocalPostgres;

public sealed record LocalClusterOptions
{
    /// <summary>Folder that holds the cluster (<c>pgdata/</c>), its log and its generated credentials.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>False only for throwaway test clusters: fsync, synchronous_commit and full_page_writes off.</summary>
    public bool Durable { get; init; } = true;

    /// <summary>Delete the whole folder when the cluster is stopped (test clusters).</summary>
    public bool DeleteOnStop { get; init; }

    /// <summary>Receives one line per step, so the host can say where its database is.</summary>
    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>
/// A private PostgreSQL cluster started from the machine's own binaries: initdb on first use, pg_ctl start on a
/// free loopback port, pg_ctl stop on dispose. As root, every PostgreSQL binary runs as the <c>postgres</c> user
/// (initdb refuses root), in a folder that user can reach. Password (scram) authentication on 127.0.0.1 only;
/// no Unix socket, so nothing depends on /var/run/postgresql.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const string SuperUser = "ledger_super";
    private readonly LocalClusterOptions _options;
    private readonly string _binDir;
    private readonly bool _asPostgresUser;
    private bool _stopped;

    private LocalPostgresCluster(LocalClusterOptions options, string root, string binDir, bool asPostgresUser)
    {
        _options = options;
        Root = root;
        _binDir = binDir;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The folder actually used (it differs from the requested one when, as root, that one is out of the postgres user's reach).</summary>
    public string Root { get; }
    public string PgData => Path.Combine(Root, "pgdata");
    public string LogFile => Path.Combine(Root, "postgres.log");
    public int Port { get; private set; }

    /// <summary>
    /// False when the cluster was already running (another process, e.g. the service while the command line runs, or a
    /// crashed run's leftover): then <see cref="StopAsync"/> leaves it running, because it is not ours to stop.
    /// </summary>
    public bool StartedHere { get; private set; } = true;
    public string Password { get; private set; } = "";

    /// <summary>
    /// True when this process is root and so runs every PostgreSQL binary as the <c>postgres</c> user
    /// (<c>runuser -u postgres --</c>); a caller running another of the installation's programs does the same.
    /// </summary>
    public bool RunsAsPostgresUser => _asPostgresUser;

    /// <summary>
    /// A secret kept beside the cluster (mode 600), made on first use: e.g. a login role's password that every process
    /// using this cluster must agree on.
    /// </summary>
    public async Task<string> SecretAsync(string name, CancellationToken ct = default)
    {
        var file = Path.Combine(Root, $"secret-{name}");
        if (File.Exists(file)) return (await File.ReadAllTextAsync(file, ct)).Trim();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        await File.WriteAllTextAsync(file, secret, ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }

    /// <summary>Superuser connection string to the <c>postgres</c> maintenance database.</summary>
    public string SuperUserConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={SuperUser};Password={Password};Database={database}";

    public static async Task<LocalPostgresCluster> StartAsync(LocalClusterOptions options, CancellationToken ct = default)
    {
        var binDir = PostgresBinaries.LocateBinDirectory();
        var asRoot = IsRoot();
        if (asRoot && !PostgresUserExists())
            throw new PostgresBinariesNotFoundException(
                "Running as root, Ledger starts PostgreSQL as the 'postgres' user, but that user does not exist. " +
                "Install the 'postgresql' package (it creates the user) or set ConnectionStrings__Ledger.");

        var root = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(root);
        if (asRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", root], ct);
            if (!await ReachableByPostgresAsync(root, ct))
            {
                var fallback = Path.Combine("/var/tmp", "ledger-postgres-" + ShortHash(root));
                options.Log($"'{root}' is not reachable by the postgres user; using '{fallback}' instead.");
                root = fallback;
                Directory.CreateDirectory(root);
                await RunAsync("chown", ["-R", "postgres:postgres", root], ct);
            }
        }

        var cluster = new LocalPostgresCluster(options, root, binDir, asRoot);
        await cluster.InitIfNeededAsync(ct);
        await cluster.StartServerAsync(ct);
        return cluster;
    }

    private async Task InitIfNeededAsync(CancellationToken ct)
    {
        var credentialsFile = Path.Combine(Root, "credentials.json");
        if (File.Exists(Path.Combine(PgData, "PG_VERSION")) && File.Exists(credentialsFile))
        {
            Password = JsonSerializer.Deserialize<Credentials>(await File.ReadAllTextAsync(credentialsFile, ct))!.Password;
            return;
        }
        if (Directory.Exists(PgData)) Directory.Delete(PgData, recursive: true); // a half-made cluster from an interrupted first start

        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var pwFile = Path.Combine(Root, "initdb.pw");
        await File.WriteAllTextAsync(pwFile, Password, ct);
        try
        {
            if (_asPostgresUser) await RunAsync("chown", ["postgres:postgres", pwFile], ct);
            _options.Log($"Creating a local PostgreSQL cluster in {PgData} ({_binDir}).");
            await RunPgAsync("initdb", ["-D", PgData, "-U", SuperUser, "--pwfile", pwFile, "--auth", "scram-sha-256",
                "--encoding", "UTF8", "--locale", "C", "--no-instructions"], ct);
        }
        finally
        {
            File.Delete(pwFile);
        }

        var settings = new StringBuilder()
            .AppendLine()
            .AppendLine("# Added by Ledger: loopback only, no Unix socket.")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine("unix_socket_directories = ''")
            .AppendLine("max_connections = 200")
            .AppendLine("timezone = 'UTC'");
        if (!_options.Durable)
        {
            settings.AppendLine("# Throwaway test cluster: durability off.")
                .AppendLine("fsync = off").AppendLine("synchronous_commit = off").AppendLine("full_page_writes = off");
        }
        await File.AppendAllTextAsync(Path.Combine(PgData, "postgresql.conf"), settings.ToString(), ct);
        await File.WriteAllTextAsync(credentialsFile, JsonSerializer.Serialize(new Credentials(SuperUser, Password)), ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(credentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        var status = await RunPgAsync("pg_ctl", ["status", "-D", PgData], ct, throwOnError: false);
        if (status.ExitCode == 0 && ReadRunningPort() is { } running)
        {
            Port = running;
            StartedHere = false;
            _options.Log($"Using the local PostgreSQL cluster already running in {PgData} on 127.0.0.1:{Port}; it stays running when this process ends.");
            return;
        }

        Port = FreeLoopbackPort();
        await RunPgAsync("pg_ctl", ["start", "-D", PgData, "-l", LogFile, "-w", "-t", "60", "-o", $"-p {Port}"], ct);
        _options.Log($"Started local PostgreSQL in {PgData} on 127.0.0.1:{Port} (log: {LogFile}).");
    }

    private int? ReadRunningPort()
    {
        // postmaster.pid: line 4 is the port (documented in the PostgreSQL source, miscadmin.h LOCK_FILE_LINE_PORT).
        var pidFile = Path.Combine(PgData, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length >= 4 && int.TryParse(lines[3].Trim(), out var port) ? port : null;
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        if (!StartedHere) return;
        await RunPgAsync("pg_ctl", ["stop", "-D", PgData, "-m", "fast", "-w", "-t", "60"], CancellationToken.None, throwOnError: false);
        _options.Log($"Stopped local PostgreSQL in {PgData}.");
        if (_options.DeleteOnStop)
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException e) { _options.Log($"Could not delete {Root}: {e.Message}"); }
        }
    }

    /// <summary>Synchronous stop for process-exit handlers, where awaiting is not possible.</summary>
    public void Stop() => StopAsync().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync() => await StopAsync();

    private Task<ProcessResult> RunPgAsync(string tool, string[] args, CancellationToken ct, bool throwOnError = true)
    {
        var exe = Path.Combine(_binDir, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", exe, .. args], ct, throwOnError)
            : RunAsync(exe, args, ct, throwOnError);
    }

    private static async Task<ProcessResult> RunAsync(string exe, string[] args, CancellationToken ct, bool throwOnError = true)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {exe}.");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        var result = new ProcessResult(p.ExitCode, await stdout, await stderr);
        if (throwOnError && result.ExitCode != 0)
            throw new InvalidOperationException(
                $"'{exe} {string.Join(' ', args)}' failed with exit code {result.ExitCode}: {result.StdErr.Trim()} {result.StdOut.Trim()}");
        return result;
    }

    private static async Task<bool> ReachableByPostgresAsync(string dir, CancellationToken ct) =>
        (await RunAsync("runuser", ["-u", "postgres", "--", "test", "-w", dir, "-a", "-x", dir], ct, throwOnError: false)).ExitCode == 0;

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string ShortHash(string s) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..12].ToLowerInvariant();

    private static bool PostgresUserExists() =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal));

    private static bool IsRoot() => !OperatingSystem.IsWindows() && geteuid() == 0;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint geteuid();

    private sealed record Credentials(string User, string Password);
    private sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);
}
