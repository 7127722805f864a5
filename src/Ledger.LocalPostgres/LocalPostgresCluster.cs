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

    /// <summary>
    /// More server settings given at start (<c>-c name=value</c>, after Ledger's own, so they win), e.g. a test's shorter
    /// TCP keepalives or an extra listen address. Values must not contain quotes or spaces.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A private PostgreSQL cluster started from the machine's own binaries: initdb on first use, pg_ctl start on a
/// free loopback port, pg_ctl stop on dispose. As root, every PostgreSQL binary runs as the <c>postgres</c> user
/// (initdb refuses root), in a folder that user can reach. Password (scram) authentication on 127.0.0.1 only;
/// no Unix socket, so nothing depends on /var/run/postgresql.
/// <para>
/// No leaks (issue 13): pg_ctl detaches the postmaster from this process, so without help it outlives a process that is
/// killed (kill -9, its terminal closed) and a later start would reuse it and never stop it. On Linux therefore:
/// <list type="bullet">
/// <item><b>Owners.</b> Every process that opens the cluster, whether it started it or found it running, is an owner: a
/// file <c>owners/{pid}-{start time}-{id}</c> beside the cluster (the start time, from <c>/proc/{pid}/stat</c>, tells a
/// reused pid from the owner). Whoever leaves last stops the cluster, at <see cref="StopAsync"/> or, killed, through the
/// watchdog. So the service and the <c>rebuild</c>/<c>verify</c> verbs may share one cluster (neither stops it under the
/// other), and a running cluster whose owners have all died is adopted by the next process, which then stops it.</item>
/// <item><b>Watchdog.</b> With the postmaster, a tiny <c>sh</c> loop is started in a session of its own
/// (<c>setsid -f</c>: neither a kill of this process, a kill of its process tree nor the terminal's hang-up reach it).
/// Every second it forgets owners that no longer run, and when none is left it stops the postmaster
/// (<c>pg_ctl stop -m fast</c>, as the <c>postgres</c> user when root) and ends; it also ends when the postmaster it
/// watches is gone. One per postmaster (<c>watchdog.pid</c>); an adopter starts a new one if it is missing.</item>
/// <item><b>Lock.</b> Start, stop and the watchdog's decision hold an exclusive <c>flock</c> on <c>owners.lock</c>
/// (.NET's <see cref="FileShare.None"/> is a flock on Linux, <c>flock(1)</c> in the watchdog), so a process that joins
/// while the last owner leaves either keeps the cluster running or finds it stopped and starts it again.</item>
/// </list>
/// Chosen over a watchdog alone (it would stop a cluster still used by a second process when the first dies) and over an
/// owner file alone (a killed last owner would leave PostgreSQL running until some later start). Elsewhere (no
/// <c>/proc</c>), the earlier rule applies: the process that started the cluster stops it.
/// </para>
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
    /// <summary>What PostgreSQL prints before its log collector starts (a few lines per start; it is rewritten at each start).</summary>
    public string LogFile => Path.Combine(Root, "postgres.log");

    /// <summary>
    /// The server log's retention (issue 13 item 6: logs must not grow without bound): the collector writes
    /// <c>pgdata/log/postgresql-Mon.log</c> … <c>-Sun.log</c>, each truncated when its weekday comes round again, so at
    /// most seven days are kept. Given at every start, so clusters made before this setting get it too.
    /// </summary>
    public const string LogRetention =
        "-c logging_collector=on -c log_directory=log -c log_filename=postgresql-%a.log -c log_truncate_on_rotation=on " +
        "-c log_rotation_age=1d -c log_rotation_size=0";

    /// <summary>
    /// Server-side TCP keepalives (issue 13, two hosts): a client that vanishes without closing its connection (its host
    /// powered off, its network cut) is found dead after 30 s idle + 3 unanswered probes 10 s apart, so PostgreSQL ends its
    /// session within about a minute and releases its advisory locks — the daemon leader's among them, which another
    /// service process then takes. PostgreSQL's default (0) is the kernel's: 2 h idle, then 9 probes 75 s apart. Given at
    /// every start, like <see cref="LogRetention"/>; docs/deployment.md says what to set on a server Ledger did not start.
    /// </summary>
    public const string Keepalives = "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3";
    public int Port { get; private set; }

    /// <summary>The postmaster's options at every start and restart (one place, so that a restart keeps every setting).</summary>
    private string ServerOptions => $"-p {Port} {LogRetention} {Keepalives}{MoreSettings()}";

    /// <summary>
    /// False when the cluster was already running (another process, e.g. the service while the command line runs, or a
    /// killed run's leftover). On Linux this process is then one of its owners, and <see cref="StopAsync"/> stops it if no
    /// other owner still runs; elsewhere <see cref="StopAsync"/> leaves it running.
    /// </summary>
    public bool StartedHere { get; private set; } = true;

    /// <summary>True when the cluster was found running and none of the processes that had opened it still runs.</summary>
    public bool Adopted { get; private set; }

    /// <summary>Owner files and the watchdog need <c>/proc</c> (process start times) and util-linux (setsid, flock).</summary>
    private static bool Supervised => OperatingSystem.IsLinux() && File.Exists("/proc/self/stat");

    private string OwnersDirectory => Path.Combine(Root, "owners");
    private string? _ownerFile;
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
        await using (await cluster.LockAsync(ct))
        {
            await cluster.InitIfNeededAsync(ct);
            await cluster.StartServerAsync(ct);
        }
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
            if (!Supervised)
            {
                _options.Log($"Using the local PostgreSQL cluster already running in {PgData} on 127.0.0.1:{Port}; it stays running when this process ends.");
                return;
            }
            var others = LiveOwners();
            Adopted = others.Count == 0;
            RegisterOwner();
            await EnsureWatchdogAsync(ct);
            _options.Log(Adopted
                ? $"Adopted the local PostgreSQL cluster left running in {PgData} on 127.0.0.1:{Port} by a process that has ended; it is stopped when this process ends."
                : $"Sharing the local PostgreSQL cluster running in {PgData} on 127.0.0.1:{Port} with process {string.Join(", ", others)}; the last of us to end stops it.");
            return;
        }

        Port = FreeLoopbackPort();
        // Owner first: killed between here and the watchdog's start, this process leaves a cluster a later start adopts.
        if (Supervised)
        {
            LiveOwners(); // forgets owners that have ended
            RegisterOwner();
        }
        await RunPgAsync("pg_ctl", ["start", "-D", PgData, "-l", LogFile, "-w", "-t", "60", "-o", ServerOptions], ct);
        if (Supervised)
        {
            // A throwaway cluster: the watchdog also deletes the folder once no owner runs, because the test host often
            // ends its process before StopAsync's delete of a 1 GB folder is done (issue 13 item 6).
            if (_options.DeleteOnStop) File.WriteAllText(Path.Combine(Root, DeleteOnStopMarker), "");
            await StartWatchdogAsync(ct);
        }
        _options.Log($"Started local PostgreSQL in {PgData} on 127.0.0.1:{Port} (log: {LogFile}).");
    }

    private string MoreSettings()
    {
        var more = new StringBuilder();
        foreach (var (name, value) in _options.ServerSettings)
        {
            if (value.Any(c => c is '\'' or '"' or ' ' or '\\') || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.')))
                throw new ArgumentException($"Server setting {name}={value}: names are letters, digits, _ and .; values have no quotes, spaces or backslashes.");
            more.Append(" -c ").Append(name).Append('=').Append(value);
        }
        return more.ToString();
    }

    private int? ReadPostmasterPid()
    {
        var pidFile = Path.Combine(PgData, "postmaster.pid");
        try
        {
            return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null; // removed meanwhile
        }
    }

    /// <summary>
    /// Exclusive lock of the cluster's start, stop and ownership (see the class summary): a flock on <c>owners.lock</c>,
    /// waited for (another process may be running initdb, which takes seconds).
    /// </summary>
    private async Task<IAsyncDisposable> LockAsync(CancellationToken ct)
    {
        var path = Path.Combine(Root, "owners.lock");
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(100, ct);
            }
        }
    }

    private void RegisterOwner()
    {
        Directory.CreateDirectory(OwnersDirectory);
        var self = Environment.ProcessId;
        _ownerFile = Path.Combine(OwnersDirectory, $"{self}-{ProcessStartTime(self)}-{Guid.NewGuid().ToString("N")[..8]}");
        File.WriteAllText(_ownerFile, string.Join(' ', Environment.GetCommandLineArgs()) + Environment.NewLine);
    }

    /// <summary>The pids of the owners that still run (other than this instance); deletes the files of those that ended.</summary>
    private List<int> LiveOwners()
    {
        var live = new List<int>();
        if (!Directory.Exists(OwnersDirectory)) return live;
        foreach (var file in Directory.EnumerateFiles(OwnersDirectory))
        {
            if (file == _ownerFile) continue;
            var parts = Path.GetFileName(file).Split('-');
            if (parts.Length >= 2 && int.TryParse(parts[0], out var pid) && ProcessStartTime(pid) is { } started && started == parts[1])
                live.Add(pid);
            else
                File.Delete(file);
        }
        return live;
    }

    /// <summary>Field 22 of <c>/proc/{pid}/stat</c> (clock ticks after boot), read after the command name's last ')'; null when the process is gone.</summary>
    public static string? ProcessStartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 && fields[0] != "Z" ? fields[19] : null; // a zombie (killed, not yet reaped) has ended
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Starts a watchdog unless one is watching the running postmaster (an adopted cluster's may be missing).</summary>
    private async Task EnsureWatchdogAsync(CancellationToken ct)
    {
        var file = Path.Combine(Root, "watchdog.pid");
        var postmaster = ReadPostmasterPid();
        if (File.Exists(file) && (await File.ReadAllTextAsync(file, ct)).Split(' ', StringSplitOptions.TrimEntries) is [var pid, var started, var watched]
            && int.TryParse(pid, out var watchdog) && ProcessStartTime(watchdog) == started && watched == postmaster?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return;
        await StartWatchdogAsync(ct);
    }

    /// <summary>
    /// The watchdog (see the class summary): <c>setsid -f sh -c SCRIPT</c>, detached at once, its output in
    /// <c>watchdog.log</c>. Arguments: the cluster's folder, pgdata, the postmaster's pid, then the pg_ctl command.
    /// </summary>
    private async Task StartWatchdogAsync(CancellationToken ct)
    {
        if (ReadPostmasterPid() is not { } postmaster) return;
        var pgCtl = Path.Combine(_binDir, "pg_ctl");
        string[] stop = _asPostgresUser ? ["runuser", "-u", "postgres", "--", pgCtl] : [pgCtl];
        try
        {
            await RunAsync("setsid", ["-f", "sh", "-c", WatchdogScript, "ledger-postgres-watchdog", Root, PgData,
                postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture), .. stop], ct);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _options.Log($"Could not start the watchdog ({e.Message}): if this process is killed, PostgreSQL keeps running until a later start adopts it.");
        }
    }

    /// <summary>In a cluster's folder: the watchdog deletes the folder when it has stopped the cluster (or seen it stopped).</summary>
    public const string DeleteOnStopMarker = "delete-on-stop";

    private const string WatchdogScript = """
        root=$1; pgdata=$2; pm=$3; shift 3
        exec >"$root/watchdog.log" 2>&1 </dev/null
        cd / || exit 1
        started() { s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; [ "$1" != Z ] && echo "${20}"; }
        echo "$$ $(started $$) $pm" >"$root/watchdog.pid"
        echo "$(date -u +%FT%TZ) watching postmaster $pm of $pgdata"
        finish() {
          # A throwaway cluster's folder goes too, once its postmaster is down and no owner runs (owners that ended are
          # forgotten above; one that runs is deleting or reusing it itself).
          if [ -e "$root/delete-on-stop" ] && [ ! -e "$pgdata/postmaster.pid" ]; then
            for f in "$root"/owners/*; do
              [ -e "$f" ] || continue
              n=${f##*/}; pid=${n%%-*}; rest=${n#*-}
              [ "$(started "$pid")" = "${rest%%-*}" ] && exit 0
            done
            rm -rf "$root"
          fi
          exit 0
        }
        while :; do
          sleep 1
          [ "$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null)" = "$pm" ] || finish
          (
            flock -w 60 9 || exit 1
            [ "$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null)" = "$pm" ] || exit 2
            for f in "$root"/owners/*; do
              [ -e "$f" ] || continue
              n=${f##*/}; pid=${n%%-*}; rest=${n#*-}
              if [ "$(started "$pid")" = "${rest%%-*}" ]; then exit 1; fi
              rm -f "$f"
            done
            echo "$(date -u +%FT%TZ) no owner runs any more: stopping postmaster $pm"
            "$@" stop -D "$pgdata" -m fast -w -t 60
            exit 2
          ) 9>>"$root/owners.lock"
          [ $? -eq 2 ] && finish
        done
        """;

    private int? ReadRunningPort()
    {
        // postmaster.pid: line 4 is the port (documented in the PostgreSQL source, miscadmin.h LOCK_FILE_LINE_PORT).
        var pidFile = Path.Combine(PgData, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length >= 4 && int.TryParse(lines[3].Trim(), out var port) ? port : null;
    }

    /// <summary>
    /// Leaves the cluster: on Linux this process's owner file is removed, and the cluster is stopped unless another owner
    /// still runs (see the class summary); elsewhere it is stopped when it was started here.
    /// </summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        if (!Supervised)
        {
            if (!StartedHere) return;
            await RunPgAsync("pg_ctl", ["stop", "-D", PgData, "-m", "fast", "-w", "-t", "60"], CancellationToken.None, throwOnError: false);
        }
        else
        {
            await using (await LockAsync(CancellationToken.None))
            {
                if (_ownerFile is not null) File.Delete(_ownerFile);
                var others = LiveOwners();
                if (others.Count > 0)
                {
                    _options.Log($"Local PostgreSQL in {PgData} keeps running for process {string.Join(", ", others)}.");
                    return;
                }
                await RunPgAsync("pg_ctl", ["stop", "-D", PgData, "-m", "fast", "-w", "-t", "60"], CancellationToken.None, throwOnError: false);
            }
        }
        _options.Log($"Stopped local PostgreSQL in {PgData}.");
        if (_options.DeleteOnStop)
        {
            // The watchdog deletes a throwaway cluster too, once no owner runs: racing it is not a failure (a file it
            // removed first makes Directory.Delete throw while the folder still exists), so try again before reporting.
            for (var attempt = 1; ; attempt++)
            {
                try { Directory.Delete(Root, recursive: true); break; }
                catch (IOException) when (!Directory.Exists(Root)) { break; }
                catch (IOException e) when (attempt == 3) { _options.Log($"Could not delete {Root}: {e.Message}"); break; }
                catch (IOException) { await Task.Delay(500); }
            }
        }
    }

    /// <summary>
    /// Restarts the running server on the same port with the same settings: <paramref name="immediate"/> is
    /// <c>-m immediate</c> (every process quits at once, no checkpoint; the next start recovers from the WAL, as after a
    /// crash), else <c>-m fast</c> (sessions are ended, a checkpoint, a clean stop). With <paramref name="downFor"/> the
    /// server stays stopped that long (<c>pg_ctl stop</c>, a wait, <c>pg_ctl start</c>), else <c>pg_ctl restart</c>.
    /// Waits until it accepts connections again. The crash tests use it (issue 13, <c>docs/reliability.md</c>). A new
    /// postmaster means a new watchdog: the old one ends when it sees its postmaster gone, so one is started for the new
    /// one here (under the cluster's lock, which also keeps the old one from deciding anything meanwhile).
    /// </summary>
    public async Task RestartAsync(bool immediate, TimeSpan downFor = default, CancellationToken ct = default)
    {
        var mode = immediate ? "immediate" : "fast";
        string[] options = ["-o", ServerOptions];
        await using (await LockAsync(ct))
        {
            if (downFor <= TimeSpan.Zero)
                await RunPgAsync("pg_ctl", ["restart", "-D", PgData, "-m", mode, "-l", LogFile, "-w", "-t", "60", .. options], ct);
            else
            {
                await RunPgAsync("pg_ctl", ["stop", "-D", PgData, "-m", mode, "-w", "-t", "60"], ct);
                try
                {
                    await Task.Delay(downFor, ct);
                }
                finally
                {
                    await RunPgAsync("pg_ctl", ["start", "-D", PgData, "-l", LogFile, "-w", "-t", "60", .. options], CancellationToken.None);
                }
            }
            if (Supervised) await EnsureWatchdogAsync(ct);
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
