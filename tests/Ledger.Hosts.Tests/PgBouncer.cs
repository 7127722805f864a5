using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Ledger.Hosts.Tests;

/// <summary>
/// Debian's PgBouncer (package <c>pgbouncer</c>, which <c>.ci/run</c> installs) in front of one test database, as its own
/// process on a free loopback port, with three virtual databases over it: <c>{db}_session</c>, <c>{db}_transaction</c> and
/// <c>{db}_statement</c> (pool_mode session, transaction, statement; the rest PgBouncer's defaults, so
/// <c>server_reset_query = DISCARD ALL</c> and server sessions reused last-in first-out). Clients log in with SCRAM as the
/// one role given (its password in the auth file). As root it runs as the <c>postgres</c> user (<c>-u</c>; it refuses
/// root). Disposing kills it and deletes its folder.
/// </summary>
public sealed class PgBouncer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly string _database;
    private readonly StringBuilder _output = new();

    private PgBouncer(Process process, string dir, int port, string database)
    {
        _process = process;
        _dir = dir;
        Port = port;
        _database = database;
    }

    public int Port { get; }
    public int Pid => _process.Id;

    public string Log => File.Exists(Path.Combine(_dir, "pgbouncer.log")) ? File.ReadAllText(Path.Combine(_dir, "pgbouncer.log")) : "";

    /// <summary>A connection string to the pool of <paramref name="mode"/> (session, transaction or statement), as <paramref name="direct"/>'s user.</summary>
    public string ConnectionString(string direct, string mode) =>
        new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = Port, Database = $"{_database}_{mode}" }.ConnectionString;

    public static string Binary() =>
        new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "pgbouncer")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("PgBouncer is not installed: install Debian's pgbouncer package (.ci/run does).");

    /// <param name="direct">a direct connection string to the database, as the role clients log in as (its password goes in the auth file).</param>
    public static async Task<PgBouncer> StartAsync(string direct)
    {
        var target = new NpgsqlConnectionStringBuilder(direct);
        var dir = Path.Combine(Path.GetTempPath(), "ledger-pgbouncer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = ServiceProcess.FreePort();
        var pools = string.Concat(new[] { "session", "transaction", "statement" }.Select(mode =>
            $"{target.Database}_{mode} = host={target.Host} port={target.Port} dbname={target.Database} pool_mode={mode}\n"));
        await File.WriteAllTextAsync(Path.Combine(dir, "pgbouncer.ini"), $"""
            [databases]
            {pools}
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = {dir}/userlist.txt
            logfile = {dir}/pgbouncer.log
            pidfile = {dir}/pgbouncer.pid
            default_pool_size = 60
            max_client_conn = 400
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "userlist.txt"), $"\"{target.Username}\" \"{target.Password}\"\n");
        var root = Environment.UserName == "root";
        if (root)
        {
            using var chown = Process.Start("chown", ["-R", "postgres:postgres", dir])!;
            await chown.WaitForExitAsync();
        }
        var psi = new ProcessStartInfo(Binary()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (root) psi.ArgumentList.Add("-u"); // PgBouncer refuses to run as root; it switches to this user itself (same pid)
        if (root) psi.ArgumentList.Add("postgres");
        psi.ArgumentList.Add(Path.Combine(dir, "pgbouncer.ini"));
        var process = Process.Start(psi)!;
        var bouncer = new PgBouncer(process, dir, port, target.Database!);
        process.OutputDataReceived += (_, e) => { lock (bouncer._output) bouncer._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (bouncer._output) bouncer._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"PgBouncer exited ({process.ExitCode}): {bouncer._output}\n{bouncer.Log}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return bouncer;
            }
            catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        var log = Path.Combine(_dir, "pgbouncer.log");
        if (File.Exists(log)) File.Copy(log, Path.Combine(AppContext.BaseDirectory, "pgbouncer.log"), overwrite: true);
        Directory.Delete(_dir, recursive: true);
    }
}
