using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.LocalPostgres;

namespace Ledger.Bench;

/// <summary>
/// The raw single-row INSERT driven by the machine's own <c>pgbench</c> instead of .NET: the same statement into the
/// same table (<c>bench.raw_events</c>) as the same login role, with the same number of clients, for the same time, as
/// prepared statements (<c>-M prepared</c>), one pgbench process per run. Ids are time-ordered like
/// <c>Guid.CreateVersion7()</c> (a per-run base, then a per-client counter, as a 128-bit number), so the primary key
/// grows at its right edge on both sides. pgbench is found where the cluster's other binaries are
/// (<see cref="PostgresBinaries.FindTool"/>) and, when we are root, run as the <c>postgres</c> user as they are.
/// Throughput is pgbench's own tps (without connection time); latencies come from its per-transaction log.
/// </summary>
internal sealed partial class PgbenchLoad : IExternalLoad
{
    private const string Script = """
        \set n :n + 1
        \set id :base + :n * 64 + :client_id
        INSERT INTO bench.raw_events (id, stream, version, type, data) VALUES (lpad(to_hex(:id::bigint), 32, '0')::uuid, 'pgbench-c' || :client_id, :n, :type, :payload);
        """;

    private readonly string? _pgbench;
    private readonly LocalPostgresCluster _cluster;
    private readonly string _database, _user, _password, _payload, _scriptFile;
    private readonly Tally _tally;

    /// <summary>Runs of every instance (1 and N clients write into the same table): each run has its own id range.</summary>
    private static int s_runs;

    public PgbenchLoad(LocalPostgresCluster cluster, string database, string user, string password, int clients, Tally tally)
    {
        _pgbench = PostgresBinaries.FindTool("pgbench");
        _cluster = cluster;
        _database = database;
        _user = user;
        _password = password;
        _tally = tally;
        Clients = clients;
        _payload = new Payloads(4242).Next();
        _scriptFile = Path.Combine(cluster.Root, "pgbench-raw-insert.sql");
        Unavailable = _pgbench is null ? "pgbench not found (PATH, pg_config --bindir, /usr/lib/postgresql/*/bin)" : null;
    }

    public int Clients { get; }
    public string? Unavailable { get; }

    public async Task<RunResult> RunAsync(TimeSpan duration, CancellationToken ct)
    {
        if (_pgbench is null) throw new InvalidOperationException(Unavailable);
        if (!File.Exists(_scriptFile)) await File.WriteAllTextAsync(_scriptFile, Script + "\n", ct);

        var run = Interlocked.Increment(ref s_runs);
        var logPrefix = Path.Combine(_cluster.Root, $"pgbench-c{Clients}-r{run}");
        // Ids: 2^40 per run, 64 clients (--writers is at most 64): unique over the whole benchmark, increasing from run to run.
        var idBase = (long)run << 40;
        string[] args =
        [
            "-h", "127.0.0.1", "-p", _cluster.Port.ToString(CultureInfo.InvariantCulture), "-U", _user,
            "-n", "-M", "prepared", "-c", Clients.ToString(CultureInfo.InvariantCulture), "-j", "1",
            "-T", Math.Max(1, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
            "-f", _scriptFile, "-D", "n=0", "-D", $"base={idBase}", "-D", $"type={Payloads.EventType}", "-D", $"payload={_payload}",
            "-l", $"--log-prefix={logPrefix}", _database,
        ];
        var psi = _cluster.RunsAsPostgresUser
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", _pgbench } }
            : new ProcessStartInfo(_pgbench);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = _cluster.Root;
        psi.Environment["PGPASSWORD"] = _password;

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start pgbench.");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        var output = await stdout;
        var errors = await stderr;
        var latencies = ReadLatencyLogs(logPrefix);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"pgbench failed with exit code {p.ExitCode}: {errors.Trim()} {output.Trim()}");

        var processed = long.Parse(Processed().Match(output) is { Success: true } m1 ? m1.Groups[1].Value : throw Unparsed(output), CultureInfo.InvariantCulture);
        var tps = double.Parse(Tps().Match(output) is { Success: true } m2 ? m2.Groups[1].Value : throw Unparsed(output), CultureInfo.InvariantCulture);
        if (Failed().Match(output) is { Success: true } m3 && m3.Groups[1].Value != "0")
            throw new InvalidOperationException($"pgbench: {m3.Groups[1].Value} transactions failed: {errors.Trim()}");
        _tally.Add(processed);
        var elapsed = tps > 0 ? TimeSpan.FromSeconds(processed / tps) : duration;
        return new RunResult(elapsed, processed, processed, latencies);
    }

    /// <summary>Per-transaction latencies (third column, µs) from pgbench's log files, as Stopwatch ticks; the files are deleted.</summary>
    private static long[] ReadLatencyLogs(string prefix)
    {
        var dir = Path.GetDirectoryName(prefix)!;
        var list = new List<long>();
        foreach (var file in Directory.EnumerateFiles(dir, Path.GetFileName(prefix) + ".*"))
        {
            foreach (var line in File.ReadLines(file))
            {
                var f = line.Split(' ');
                if (f.Length > 2 && long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var us))
                    list.Add(us * Stopwatch.Frequency / 1_000_000);
            }
            File.Delete(file);
        }
        return list.ToArray();
    }

    private static InvalidOperationException Unparsed(string output) => new($"Could not read pgbench's result from: {output}");

    [GeneratedRegex(@"number of transactions actually processed: (\d+)")]
    private static partial Regex Processed();

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();

    [GeneratedRegex(@"number of failed transactions: (\d+)")]
    private static partial Regex Failed();
}
