using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Api.Features.Audit;
using Ledger.Api.Features.Reads;
using Ledger.Audit;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.CorrectingRealization;
using Ledger.LocalPostgres;
using Ledger.ReadModels;
using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.Bench;

internal sealed record NationalOptions
{
    /// <summary>Levels to measure at, in events: 0 (one region), 1m, 10m, full, or a number.</summary>
    public IReadOnlyList<string> Levels { get; init; } = ["0", "1m", "10m", "full"];
    public int Regions { get; init; } = 550;
    public int AgenciesPerRegion { get; init; } = 40;
    /// <summary>Requests per operation, each on an agency of its own (at 1 M, 506 agencies qualify: NationalScaleBenchmark.HttpAsync).</summary>
    public int Samples { get; init; } = 500;
    /// <summary>Year closes per level, and the agency-years whose snapshot inputs are read (p50s: 60 since the fifteenth session, 20 before).</summary>
    public int Closes { get; init; } = 60;
    /// <summary>
    /// Log heads read per level, each after 20 single-event appends (a p50). 20: with 60 (run 9 of the fifteenth session)
    /// the service started with three times the daemon's catch-up to do, and its cold start and catch-up moved with it.
    /// </summary>
    public int LogHeads { get; init; } = 20;
    /// <summary>How many times the "again" phases repeat the same agency-years (their p99 is taken over all of them).</summary>
    public int AgainPasses { get; init; } = 3;
    public int Writers { get; init; } = 4;
    public int Appends { get; init; } = 100;
    /// <summary>The agencies the store appends go to, in all (the daemon re-folds each after the service starts).</summary>
    public int AppendAgencies { get; init; } = 100;
    /// <summary>PostgreSQL's shared_buffers for the benchmark's cluster (e.g. 4GB); null: PostgreSQL's default (128 MB).</summary>
    public string? SharedBuffers { get; init; }
    /// <summary>Drop the operating system's page cache before the service starts at each level (root only).</summary>
    public bool ColdCache { get; init; }
    public int Batch { get; init; } = 20;
    /// <summary>
    /// --layout scattered (the default since the twentieth session): the copy interleaves a batch's agencies event by event
    /// in the heap, as years of agencies writing side by side would (<see cref="NationalCloner"/>); --layout grouped (every
    /// run before): agency by agency, so that one agency's events fill about a tenth as many pages.
    /// </summary>
    public bool Scattered { get; init; } = true;
    /// <summary>
    /// --cluster: after the copy, the event table rewritten in (stream, version) order by its owner
    /// (<c>CLUSTER ledger.mt_events USING pk_mt_events_stream_and_version</c>), as a yearly maintenance would, timed;
    /// the events appended afterwards land at the table's end as in service.
    /// </summary>
    public bool Cluster { get; init; }
    public int CloneWorkers { get; init; } = 2;
    public int ReserveGb { get; init; } = 10;
    public string? Markdown { get; init; }
    /// <summary>Skip the rebuild of the read models at every level (its rows then say "not run").</summary>
    public bool SkipRebuild { get; init; }
    /// <summary>
    /// 0: the levels one after the other in one database (each level grows it). n &gt; 0: every level built in a database
    /// of its own first, then the service parts in n rounds, the levels' order reversed every round, each part with
    /// 1/n of the samples, closes and log heads (sixteenth session).
    /// </summary>
    public int Interleave { get; init; }
    /// <summary>
    /// Diagnostic: as many log heads again, each after 20 more appends, with their parts timed apart and PostgreSQL's
    /// statements over them (their appends double the daemon's catch-up after the start: off by default).
    /// </summary>
    public bool LogHeadParts { get; init; }
    /// <summary>
    /// Diagnostic, with --interleave: seconds of rest after the builds (and autovacuum) before the first round
    /// (seventeenth session: the log head's first part at 10 M, a minute after its build, was slower in every run).
    /// </summary>
    public int RestBeforeRounds { get; init; }
    /// <summary>
    /// Diagnostic: the service role's connection pool of the level's database emptied before every part, so that every
    /// part's log heads start on new backends, after as many heads on the pool as found (logged, not counted). Eighteenth
    /// session: the first round's log head at 10 M was the slow one in every run; it could find the build's backends
    /// still in its pool (the copy's among them; 300 s idle closes them, and its rebuild takes about that long), while
    /// 1 M's first round always found its pool closed.
    /// </summary>
    public bool FreshPoolEachPart { get; init; }
    /// <summary>
    /// --work-agencies n (twenty-fifth session): every level's sampled agencies and store-append agencies drawn from agencies
    /// 1 … n−1 only, so that the requests touch the same copy batches, in the same proportion, at every level; a larger
    /// level's other agencies are volume they never touch. Null (the default): drawn from all of the level's agencies.
    /// With the scattered layout a copy batch's agencies share their heap pages, so at 1 M (607 agencies, 500 samples) most
    /// first touches follow a batch mate's, and at 10 M by default few do (the log splits each first touch by that).
    /// </summary>
    public int? WorkAgencies { get; init; }
    /// <summary>
    /// --warm-up n (twenty-sixth session): before every part's first-touch phases, two rounds of n corrections, n as-of
    /// reads and n performance tables (and, in the first, one close while two of its years are open) on the level's warm-up
    /// agencies, copies reserved for it (never sampled, never a store append's), the i-th request on the
    /// (i mod --warm-up-agencies)-th; after each round the daemon's catch-up and a wait until the service is idle (at most
    /// 60 s). The service's code is then compiled, and its hot methods re-compiled by the tiered JIT, before a first touch
    /// is timed, so that a first touch measures the data's first touch, not the JIT's as well. Each service start's first
    /// request on a warm-up agency takes the first-touch path (the service's caches and the daemon's start empty), its next
    /// ones the warm path. 0 (the default): no warm-up, as every run before.
    /// </summary>
    public int WarmUp { get; init; }
    /// <summary>--warm-up-agencies k: how many warm-up agencies each level reserves (its last k copies before its newest); default 1.</summary>
    public int WarmUpAgencies { get; init; } = 1;

    /// <summary>The agencies a level's requests and store appends are drawn from: 1 … this − 1 (<see cref="WorkAgencies"/>).</summary>
    public int WorkRange(int agencies) => WorkAgencies is { } w ? Math.Min(w, agencies) : agencies;

    public string CommandLine { get; init; } = "";

    public static NationalOptions Parse(string[] args)
    {
        var o = new NationalOptions { CommandLine = string.Join(' ', args) };
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--levels" => o with { Levels = a.Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--regions" => o with { Regions = a.Int(1, 10_000) },
                "--agencies-per-region" => o with { AgenciesPerRegion = a.Int(1, 1_000) },
                "--samples" => o with { Samples = a.Int(10, 10_000) },
                "--closes" => o with { Closes = a.Int(0, 1_000) },
                "--again-passes" => o with { AgainPasses = a.Int(1, 20) },
                "--log-heads" => o with { LogHeads = a.Int(1, 1_000) },
                "--writers" => o with { Writers = a.Int(1, 64) },
                "--appends" => o with { Appends = a.Int(1, 100_000) },
                "--append-agencies" => o with { AppendAgencies = a.Int(1, 100_000) },
                "--cold-cache" => o with { ColdCache = true },
                "--shared-buffers" => o with { SharedBuffers = a.Value() },
                "--batch" => o with { Batch = a.Int(1, 1_000) },
                "--cluster" => o with { Cluster = true },
                "--layout" => o with { Scattered = a.Value() switch { "scattered" => true, "grouped" => false, var v => throw new ArgumentException($"--layout takes grouped or scattered, not '{v}'.") } },
                "--clone-workers" => o with { CloneWorkers = a.Int(1, 16) },
                "--reserve-gb" => o with { ReserveGb = a.Int(0, 1_000) },
                "--markdown" => o with { Markdown = a.Value() },
                "--skip-rebuild" => o with { SkipRebuild = true },
                "--interleave" => o with { Interleave = a.Int(0, 20) },
                "--log-head-parts" => o with { LogHeadParts = true },
                "--rest-before-rounds" => o with { RestBeforeRounds = a.Int(0, 3_600) },
                "--fresh-pool-each-part" => o with { FreshPoolEachPart = true },
                "--work-agencies" => o with { WorkAgencies = a.Int(2, 10_000_000) },
                "--warm-up" => o with { WarmUp = a.Int(0, 1_000) },
                "--warm-up-agencies" => o with { WarmUpAgencies = a.Int(1, 1_000) },
                _ => throw a.Unknown(),
            };
        }
        if (o.ColdCache && Environment.UserName != "root")
            throw new ArgumentException("--cold-cache drops the operating system's page cache (/proc/sys/vm/drop_caches), which needs root.");
        foreach (var level in o.Levels)
            if (ParseLevel(level) is null && level != "full") throw new ArgumentException($"--levels takes 0, 1m, 10m, full or a number of events, not '{level}'.");
        return o;
    }

    /// <summary>Events of a level (1m = 1 000 000); null for "full".</summary>
    public static long? ParseLevel(string level)
    {
        var l = level.ToLowerInvariant();
        var factor = l.EndsWith('m') ? 1_000_000L : l.EndsWith('k') ? 1_000L : 1L;
        var digits = factor == 1 ? l : l[..^1];
        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 ? (long)(v * factor) : null;
    }
}

/// <summary>
/// national-scale (issue 13 item 2): a whole country's SAKIP data on one machine. One template agency is written through
/// the real service over HTTP (<see cref="NationalTemplate"/>), then copied in SQL to as many agencies as each level
/// needs (<see cref="NationalCloner"/>: as the service role, sealed by the audit layer at every commit), up to
/// --regions × --agencies-per-region agencies (550 × 40 = 22 000, about 36 M events). At each level it measures, on one
/// private durable cluster: the generation rate, single-event appends on Ledger's store path (Marten + seal, the
/// service role), a rebuild of all read models (Marten's daemon, RebuildProjectionAsync), the log head a year close
/// takes, then the service itself (Release build, a child process as in http-load): cold start, corrections (command
/// latency), as-of reads, an agency's performance table and year closes on random agencies, and last the verifier over
/// the whole log with the heads the closes published. Before each level it estimates the disk the level needs from the
/// bytes per event measured so far and stops with a message rather than fill the disk.
/// </summary>
internal static class NationalScaleBenchmark
{
    public const string Heading = "## National scale (issue 13)";
    private const string Database = "ledger";
    private const string TemplateCode = "pd-000-00";
    private const long MinimumFreeBytes = 3_000_000_000;
    private static readonly string[] ReadModelTables = ["indicator_state", "lkjip_rows", "budget_lines", "performance_years", "indicator_history", "pk_versions"];

    /// <summary>Clone n (1-based) of the template: region (n-1)/perRegion + 1, agency (n-1)%perRegion + 1.</summary>
    private static string AgencyCode(int n, int perRegion) => n == 0 ? TemplateCode : $"pd-{(n - 1) / perRegion + 1:D3}-{(n - 1) % perRegion + 1:D2}";

    /// <summary>
    /// A latency distribution: how many requests, how many were not 2xx, and the 2xx requests' times in ms, sorted
    /// ascending (what <see cref="ChangeInterval"/> resamples); its quantiles by nearest rank.
    /// </summary>
    private sealed record Latencies(int Count, int Failures, double[] Ok)
    {
        /// <summary>Both distributions' samples as one (<paramref name="a"/> null: <paramref name="b"/>): the parts of an interleaved level.</summary>
        public static Latencies Merge(Latencies? a, Latencies b) =>
            a is null ? b : new(a.Count + b.Count, a.Failures + b.Failures, [.. a.Ok.Concat(b.Ok).Order()]);

        public static Latencies Of(List<(double Ms, bool Ok)> samples) =>
            new(samples.Count, samples.Count(s => !s.Ok), samples.Where(s => s.Ok).Select(s => s.Ms).Order().ToArray());

        public double P50 => Quantile(0.5);

        public double P99 => Quantile(0.99);

        private double Quantile(double q) => Ok.Length == 0 ? double.NaN : Ok[Report.NearestRank(Ok.Length, q)];

        public override string ToString() => Count == 0 ? "–" : FormattableString.Invariant($"{P50:F1} / {P99:F1}");
    }

    /// <summary>
    /// How far the change of a latency quantile from <paramref name="before"/> to <paramref name="after"/> can be trusted
    /// from the samples alone: a percentile bootstrap (each level's samples drawn again with replacement, the
    /// quantile's ratio taken, 2 000 times) giving the 5th and 95th percentiles of the change (a 90 % interval). It
    /// covers the sampling error of a tail quantile over a few hundred requests, not a machine that is busier for one
    /// level than the other. Seeded, so the same samples give the same interval. NaN when either level has too few samples.
    /// </summary>
    private static (double Low, double High) ChangeInterval(Latencies before, Latencies after, double q, int resamples = 2_000)
    {
        if (before.Ok.Length < 20 || after.Ok.Length < 20) return (double.NaN, double.NaN);
        var rng = new Random(2026);
        var a = new double[before.Ok.Length];
        var b = new double[after.Ok.Length];
        var changes = new double[resamples];
        for (var i = 0; i < resamples; i++)
        {
            for (var k = 0; k < a.Length; k++) a[k] = before.Ok[rng.Next(a.Length)];
            for (var k = 0; k < b.Length; k++) b[k] = after.Ok[rng.Next(b.Length)];
            Array.Sort(a);
            Array.Sort(b);
            changes[i] = b[Report.NearestRank(b.Length, q)] / a[Report.NearestRank(a.Length, q)] - 1;
        }
        Array.Sort(changes);
        return (changes[Report.NearestRank(resamples, 0.05)], changes[Report.NearestRank(resamples, 0.95)]);
    }

    private sealed class LevelResult
    {
        public required string Label { get; init; }
        public int Agencies { get; set; }
        public long Events { get; set; }
        public long Streams { get; set; }
        public long Added { get; set; }
        public TimeSpan Generation { get; set; }
        public TimeSpan Vacuum { get; set; }
        /// <summary>The CHECKPOINT and the machine's sync after the rebuild, before the measurements.</summary>
        public TimeSpan Checkpoint { get; set; }
        public TimeSpan Sync { get; set; }
        public long DatabaseBytes { get; set; }
        public long EventTableBytes { get; set; }
        public long HashTableBytes { get; set; }
        public long ReadModelBytes { get; set; }
        /// <summary>The store appends compared between levels: the build's (sequential runs), or every part's pooled (--interleave).</summary>
        public Latencies Appends { get; set; } = null!;
        public double AppendRate => AppendWriterSeconds > 0 ? Appends.Ok.Length / AppendWriterSeconds : double.NaN;
        /// <summary>Append time per writer, summed over the parts (the rate's denominator).</summary>
        public double AppendWriterSeconds { get; set; }
        /// <summary>With --interleave: the store appends made while the level was built (not alternated; shown beside the parts').</summary>
        public Latencies? AppendsAtBuild { get; set; }
        public double AppendRateAtBuild { get; set; }
        /// <summary>The level's pool of agencies every store append went to, the measured ones and the log head's (the daemon re-folds each after the service starts).</summary>
        public HashSet<int> AppendedTo { get; set; } = [];
        /// <summary>Each first-touch operation's samples split by whether a copy batch mate was touched before (HttpAsync), all parts.</summary>
        public Dictionary<string, (List<(double, bool)> AfterMate, List<(double, bool)> First)> ByCopyBatch { get; } = [];
        public int AppendAgencies => AppendedTo.Count;
        /// <summary>Every rebuild of the level (two with --interleave: one while built, one after the rounds), with the events it folded.</summary>
        public List<(long Events, TimeSpan Time)> Rebuilds { get; } = [];
        /// <summary>Events per second over all the level's rebuilds.</summary>
        public double RebuildRate => Rebuilds.Count == 0 ? double.NaN : Rebuilds.Sum(b => b.Events) / Rebuilds.Sum(b => b.Time.TotalSeconds);
        /// <summary>Each rebuild's teardown (with --interleave the first finds the copied level's read models empty; the second, full ones).</summary>
        public List<TimeSpan> Teardowns { get; } = [];
        public string? RebuildFailure { get; set; }
        public Latencies LogHead { get; set; } = null!;
        /// <summary>Each part's log heads (one part without --interleave), in the order the parts ran.</summary>
        public List<Latencies> LogHeadParts { get; } = [];
        public Latencies CloseInputs { get; set; } = null!;
        public Latencies CloseInputsAgain { get; set; } = null!;
        /// <summary>The chain of heads brought up to date after the copy (LogHeads.CatchUpAsync: every copied event, audit/0003).</summary>
        public TimeSpan HeadCatchUp { get; set; }
        /// <summary>Every cold start of the level (one per service part: more than one with --interleave).</summary>
        public List<TimeSpan> ColdStarts { get; } = [];
        public TimeSpan ColdStart => Mean(ColdStarts);
        /// <summary>The daemon's catch-up after the service's start (the level's store appends, made while it was stopped), and its backlog in events.</summary>
        /// <summary>The daemon's catch-up after every start; its backlog summed over them (the report shows both per start).</summary>
        public List<TimeSpan> DaemonCatchUps { get; } = [];
        public TimeSpan DaemonCatchUp => Mean(DaemonCatchUps);

        private static TimeSpan Mean(List<TimeSpan> times) => times.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)times.Average(t => t.Ticks));
        public long DaemonBacklog { get; set; }
        public Latencies Commands { get; set; } = null!;
        public Latencies AsOf { get; set; } = null!;
        public Latencies Table { get; set; } = null!;
        public Latencies Close { get; set; } = null!;
        public Latencies CommandsAgain { get; set; } = null!;
        public Latencies AsOfAgain { get; set; } = null!;
        public Latencies TableAgain { get; set; } = null!;
        public TimeSpan HeadsLoad { get; set; }
        public (double Before, double After) HeadSql { get; set; }
        public (double Before, double After) PageSql { get; set; }
        /// <summary>The verifier page (after the fix) inside PostgreSQL: EXPLAIN ANALYZE's execution time, ms.</summary>
        public double PageServer { get; set; }
        /// <summary>The same page's planning time (EXPLAIN ANALYZE's), ms: the client's time includes it, the execution time does not.</summary>
        public double PagePlanning { get; set; }
        public int Heads { get; set; }
        /// <summary>Every run of the verifier over the level's whole log (two with --interleave: the levels in order, then reversed), with the events it checked.</summary>
        public List<(long Events, TimeSpan Time, bool Ok)> Verifications { get; } = [];
        public TimeSpan Verify => TimeSpan.FromTicks(Verifications.Sum(v => v.Time.Ticks));
        public long Verified => Verifications.Sum(v => v.Events);
        /// <summary>Verified at least once, and every time without a problem.</summary>
        public bool VerifyOk => Verifications.Count > 0 && Verifications.All(v => v.Ok);
        public string LoadBefore { get; set; } = "";
        public string LoadAfter { get; set; } = "";
        public string Started { get; set; } = "";
        public string CloneCheck { get; set; } = "";
        /// <summary>Copied agencies' events and the heap pages that hold them (means over a few of the level's copies).</summary>
        public (double Events, double Pages) AgencyPages { get; set; }
        /// <summary>The same after --cluster; and the CLUSTER's and its ANALYZE's time.</summary>
        public (double Events, double Pages)? AgencyPagesClustered { get; set; }
        public TimeSpan Clustering { get; set; }
    }

    /// <summary>
    /// One database of the benchmark's cluster with what the benchmark holds on it: the template agency (written through
    /// the service), Marten's stores, the cloner, and which agencies are copied, closed, reserved or sampled. Sequential
    /// runs grow one; --interleave builds one per level (<see cref="RunAsync"/>).
    /// </summary>
    private sealed class Lab
    {
        public required string Database { get; init; }
        public required string Owner { get; init; }
        public required string ServiceCs { get; init; }
        public required NpgsqlDataSource Admin { get; init; }
        public required NpgsqlDataSource ServiceDs { get; init; }
        public required DocumentStore Store { get; init; }
        public required DocumentStore PatientStore { get; init; }
        public required NationalCloner Cloner { get; init; }
        public int Requests { get; init; }
        public TimeSpan TemplateTime { get; init; }
        public int Agencies { get; set; } = 1; // the template
        public HashSet<(int Agency, int Year)> Closed { get; } = [];
        /// <summary>Per level, its newest copy: never written to, read against the template (CheckCloneAsync).</summary>
        public HashSet<int> Reserved { get; } = [];
        /// <summary>--warm-up: the warm-up agencies of the level built last (copies, reserved too: never sampled, never a store append's).</summary>
        public List<int> WarmUpAgencies { get; } = [];
        /// <summary>The agencies the HTTP parts used (HttpAsync): not sampled again, at a later level or in a later round.</summary>
        public HashSet<int> Sampled { get; } = [];
        /// <summary>The first agency of every copy (one per level built in this database): its batches of --batch agencies start there.</summary>
        public List<int> CopyStarts { get; } = [];
        public long LastBytes { get; set; }
        public long LastEvents { get; set; }
        public double? BytesPerEvent { get; set; }

        public async ValueTask DisposeAsync()
        {
            Store.Dispose();
            PatientStore.Dispose();
            await ServiceDs.DisposeAsync();
            await Admin.DisposeAsync();
        }
    }

    public static async Task<int> RunAsync(NationalOptions o, CancellationToken ct)
    {
        var api = HttpLoadBenchmark.FindService();
        var dir = Path.Combine(Path.GetTempPath(), "ledger-bench-national-" + Guid.NewGuid().ToString("N")[..8]);
        LocalPostgresCluster? cluster = null;
        var running = new Running();
        var results = new List<LevelResult>();
        var notReached = new List<string>();
        var labs = new List<Lab>();
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            // pg_stat_statements and auto_explain (PostgreSQL's own contrib modules, in Debian's server package): which
            // statements read the blocks of each HTTP phase, and the plans of the slow ones (the diagnostics of HttpAsync).
            // auto_explain's settings are set by ALTER SYSTEM there, not here: a setting on the server's command line
            // outranks ALTER SYSTEM.
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
            {
                DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log,
                ServerSettings = new Dictionary<string, string> { ["shared_preload_libraries"] = "pg_stat_statements", ["pg_stat_statements.track"] = "all",
                                                                   ["session_preload_libraries"] = "auto_explain" }
                    .Concat(o.SharedBuffers is { } sb ? [new KeyValuePair<string, string>("shared_buffers", sb)] : []).ToDictionary(),
            }, ct);
            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
            await using (var c = root.CreateCommand($"CREATE ROLE {HttpLoadBenchmark.ServiceRole} LOGIN PASSWORD '{password}'"))
                await c.ExecuteNonQueryAsync(ct);

            var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            var port = Ledger.Testing.Hosts.ServiceProcess.FreePort();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5),
            };
            var clock = Stopwatch.StartNew();
            string environment = "";

            // A database with the template agency written through the service (which also migrates the empty database on
            // its first start), Marten's stores and the cloner on it.
            async Task<Lab> OpenLabAsync(string database)
            {
                await using (var root = NpgsqlDataSource.Create(cluster.SuperUserConnectionString()))
                await using (var c = root.CreateCommand($"CREATE DATABASE {database}"))
                    await c.ExecuteNonQueryAsync(ct);
                var owner = cluster.SuperUserConnectionString(database);
                var serviceCs = new NpgsqlConnectionStringBuilder(owner) { Username = HttpLoadBenchmark.ServiceRole, Password = password }.ConnectionString;
                var admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(owner) { CommandTimeout = 0 }.ConnectionString);
                if (labs.Count == 0)
                {
                    environment = await ScenarioRunner.DescribeEnvironmentAsync(admin, ct);
                    Log(environment);
                }
                await ExecAsync(admin, "CREATE EXTENSION pg_stat_statements", ct);
                await ExecAsync(admin, "CREATE EXTENSION pg_freespacemap", ct);

                Log($"Starting the service on the empty database {database} and writing the template agency over HTTP ...");
                (running.Service, _) = await HttpLoadBenchmark.StartAsync(api, port, serviceCs, owner, token, http, $"cold-template-{labs.Count + 1}", ct);
                clock.Restart();
                var requests = await NationalTemplate.CreateAsync(http, token, TemplateCode, ct);
                var templateTime = clock.Elapsed;
                await HttpLoadBenchmark.StopAsync(running.Service);
                running.Service = null;
                Log($"Template agency {TemplateCode}: {requests} requests in {templateTime.TotalSeconds:F1} s.");

                // Marten as the service configures it (the connection string's command timeout, Npgsql's default 30 s, is
                // Marten's too); the bench's own statements (copies, verifier, teardown) without a timeout.
                var storeCs = LedgerMarten.ForLedger(new NpgsqlConnectionStringBuilder(serviceCs) { MaxPoolSize = 50 }.ConnectionString);
                var serviceDs = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(storeCs) { CommandTimeout = 0, ApplicationName = ServicePoolName }.ConnectionString);
                var lab = new Lab
                {
                    Database = database, Owner = owner, ServiceCs = serviceCs, Admin = admin, ServiceDs = serviceDs,
                    Store = DocumentStore.For(opts =>
                    {
                        LedgerMarten.Configure(opts, storeCs);
                        SakipReadModels.Register(opts);
                    }),
                    // Only if a rebuild fails under the service's timeout: the same store with a long one, to still measure the rate.
                    PatientStore = DocumentStore.For(opts =>
                    {
                        LedgerMarten.Configure(opts, storeCs);
                        SakipReadModels.Register(opts);
                        opts.CommandTimeout = 7200;
                    }),
                    Cloner = new NationalCloner(serviceDs, TemplateCode, dir, o.Scattered,
                        new StreamSnapshots(serviceDs, Convert.FromHexString(HttpLoadBenchmark.SnapshotKeyHex))),
                    Requests = requests, TemplateTime = templateTime,
                };
                labs.Add(lab);
                await (await lab.Cloner.OpenAsync(ct)).DisposeAsync();
                Log($"Template agency {TemplateCode}: {lab.Cloner.SnapshotsPerCopy} stream snapshot rows (the service's, written as its year streams crossed each {ReadLoaderOptions.DefaultSnapshotEvery} versions and its Renstra stream each {ReadLoaderOptions.DefaultRenstraSnapshotEvery}), copied with each agency.");
                lab.LastBytes = await ScalarAsync<long>(admin, "SELECT pg_database_size(current_database())", ct);
                lab.LastEvents = await CountEventsAsync(admin, ct);
                return lab;
            }

            var first = await OpenLabAsync(Database);
            var perAgency = first.Cloner.EventsPerCopy;
            var full = o.Regions * o.AgenciesPerRegion;
            Log($"The template has {perAgency:N0} events in {NationalTemplate.StreamsPerAgency} streams; the full volume is {full:N0} agencies ≈ {full * perAgency:N0} events.");

            await using (var cmd = first.Admin.CreateCommand("""
                SELECT tablename || ': ' || indexdef FROM pg_indexes
                 WHERE schemaname IN ('ledger', 'ledger_audit') AND tablename IN ('mt_events', 'mt_streams', 'event_hashes') ORDER BY 1
                """))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) Log("  index " + reader.GetString(0));

            await using (var cmd = first.Admin.CreateCommand("""
                SELECT avg((id > before)::int) FROM (SELECT id, lag(id) OVER (ORDER BY seq_id) AS before FROM ledger.mt_events WHERE stream_id = ANY($1)) x
                 WHERE before IS NOT NULL
                """))
            {
                cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = NationalTemplate.Streams(TemplateCode).ToArray() });
                Log($"  Marten's event ids (the template's) rise with the sequence in {(decimal)(await cmd.ExecuteScalarAsync(ct))!:P0} of consecutive events " +
                    "(about 50 %: random in PostgreSQL's uuid order; near 100 %: time-ordered, as the copies' ids, from the same generator)");
            }

            var rng = new Random(13);
            var levelIndex = 0;
            var parts = Math.Max(1, o.Interleave);
            var built = new List<(Lab Lab, LevelResult R)>();
            foreach (var label in o.Levels)
            {
                levelIndex++;
                var wanted = OptionsLevel(label, o, perAgency, full);
                // Interleaved: every level in a database of its own (the first level's is the first one's).
                var lab = o.Interleave > 0 && results.Count > 0 ? await OpenLabAsync($"{Database}_{levelIndex}") : first;
                if (wanted <= lab.Agencies && results.Count > 0 && o.Interleave == 0)
                {
                    notReached.Add($"level {label}: no more agencies than the level before ({wanted:N0}); skipped");
                    continue;
                }
                wanted = Math.Max(wanted, lab.Agencies);
                // Disk: what the new agencies will take (bytes per event measured so far, database and read models), plus the reserve.
                var free = new DriveInfo(dir).AvailableFreeSpace;
                var bytesPerEvent = lab.BytesPerEvent ?? first.BytesPerEvent ?? 3_000;
                var need = (long)((wanted - lab.Agencies) * perAgency * bytesPerEvent * 1.15) + o.ReserveGb * 1_073_741_824L;
                if (need > free)
                {
                    var message = $"level {label} ({wanted:N0} agencies, ≈ {wanted * perAgency / 1e6:F1} M events): not run. It needs about " +
                                  $"{(need - o.ReserveGb * 1_073_741_824L) / 1e9:F1} GB more ({bytesPerEvent:N0} bytes per event measured so far, +15 %) " +
                                  $"and {o.ReserveGb} GB are kept free; {free / 1e9:F1} GB were free.";
                    Log("STOP: " + message);
                    notReached.Add(message);
                    break;
                }

                var r = new LevelResult { Label = label, LoadBefore = SakipRebuildBenchmark.LoadAverage(), Started = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) };
                results.Add(r);
                await BuildLevelAsync(lab, r, wanted, o, rng, ct);
                if (o.Interleave == 0)
                {
                    await MeasureLevelAsync(lab, r, levelIndex, o, rng, running, api, port, token, http, dir, ct);
                    await VerifyLevelAsync(lab, r, ct);
                    await FinishLevelAsync(lab, r, o, rng, ct);
                    if (o.Markdown is { } path) Report.WriteSection(path, Section(o, environment, perAgency, first.Requests, first.TemplateTime, full, results, notReached), Heading);
                }
                else built.Add((lab, r));
            }

            if (o.Interleave > 0)
            {
                await WaitForAutovacuumAsync(first.Admin, TimeSpan.FromMinutes(5), ct);
                if (o.RestBeforeRounds > 0)
                {
                    Log($"  resting {o.RestBeforeRounds} s before the rounds (--rest-before-rounds)");
                    await Task.Delay(TimeSpan.FromSeconds(o.RestBeforeRounds), ct);
                }
                // The service parts in rounds, the levels' order reversed every round (1 M, 10 M, then 10 M, 1 M, …), each on
                // 1/--interleave of the samples, log heads and closes: a machine busier for some minutes then weighs on every level.
                var part = o with
                {
                    Samples = o.Samples / parts, Closes = o.Closes / parts, LogHeads = Math.Max(1, o.LogHeads / parts), Appends = Math.Max(1, o.Appends / parts),
                };
                for (var round = 0; round < parts; round++)
                {
                    foreach (var (lab, r) in RoundOrder(built, round))
                    {
                        Log($"Round {round + 1} of {parts}: level {r.Label} (database {lab.Database}) ...");
                        await MeasureLevelAsync(lab, r, results.IndexOf(r) + 1, part, rng, running, api, port, token, http, dir, ct);
                    }
                }
                // The rebuild again after the rounds: one rebuild per level, made while each was built, said little about a
                // machine busier during one of them. A smaller level is rebuilt more often (nineteenth session: 1 M's rebuild
                // takes about 25 s, and its two rebuilds' rates differed by up to 20 % within a run), half before the
                // largest level's rebuild and half after (1 M, 1 M, 10 M, 1 M, 1 M).
                if (!o.SkipRebuild)
                    foreach (var (lab, r) in RebuildOrder(built, b => b.Item2.Events))
                    {
                        await RecordSizesAsync(lab, r, ct);
                        Log($"Level {r.Label} (database {lab.Database}): {r.DatabaseBytes / 1e9:F2} GB; the rebuild again ...");
                        await RebuildAsync(lab, r, await CountEventsAsync(lab.Admin, ct), ct);
                        await VacuumReadModelsAsync(lab, ct);
                    }
                // The verifier twice per level, the levels in order and then reversed (1 M, 10 M, 10 M, 1 M; nineteenth
                // session): one run each, one after the other, said little about a machine busier during one of them.
                foreach (var (lab, r) in built.Concat(built.AsEnumerable().Reverse()))
                {
                    Log($"Level {r.Label} (database {lab.Database}): the verifier ...");
                    await VerifyLevelAsync(lab, r, ct);
                }
                foreach (var (lab, r) in built)
                {
                    Log($"Level {r.Label} (database {lab.Database}): the diagnostics ...");
                    await FinishLevelAsync(lab, r, o, rng, ct);
                }
            }

            var final = Section(o, environment, perAgency, first.Requests, first.TemplateTime, full, results, notReached);
            Console.WriteLine(final);
            if (o.Markdown is { } md)
            {
                Report.WriteSection(md, final, Heading);
                Log($"Wrote the section to {md}.");
            }
            return results.All(r => r.VerifyOk && r.Commands.Failures + r.AsOf.Failures + r.Table.Failures + r.Close.Failures == 0) ? 0 : 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Log("Cancelled.");
            return 130;
        }
        finally
        {
            if (running.Service is not null) await HttpLoadBenchmark.StopAsync(running.Service);
            foreach (var lab in labs) await lab.DisposeAsync();
            if (cluster is not null) await cluster.StopAsync();
        }
    }

    /// <summary>
    /// Waits until no autovacuum worker runs anywhere in the cluster (at most <paramref name="limit"/>), so that the first
    /// rounds do not share the machine with the builds' maintenance; logs what ran and for how long it was waited for.
    /// </summary>
    private static async Task WaitForAutovacuumAsync(NpgsqlDataSource admin, TimeSpan limit, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var running = await AutovacuumAsync(admin, ct);
            if (running.Length == 0) break;
            foreach (var q in running.Split("; ")) seen.Add(q);
            if (clock.Elapsed > limit)
            {
                Log($"  autovacuum still running after {limit.TotalMinutes:F0} min ({running}); the rounds start anyway");
                return;
            }
            await Task.Delay(500, ct);
        }
        Log(seen.Count == 0
            ? "  no autovacuum running before the rounds"
            : FormattableString.Invariant($"  waited {clock.Elapsed.TotalSeconds:F0} s for autovacuum before the rounds ({string.Join("; ", seen)})"));
    }

    /// <summary>What every autovacuum worker in the cluster is doing ("database: query", sorted), empty when none runs.</summary>
    private static async Task<string> AutovacuumAsync(NpgsqlDataSource admin, CancellationToken ct)
    {
        await using var cmd = admin.CreateCommand(
            "SELECT coalesce(string_agg(datname || ': ' || query, '; ' ORDER BY datname, query), '') FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'");
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The service process a measurement part has started, so that RunAsync's finally stops it if the part throws.</summary>
    private sealed class Running
    {
        public Process? Service { get; set; }
    }

    /// <summary>
    /// A level's build, on <paramref name="lab"/>'s database: the template copied up to <paramref name="wanted"/> agencies,
    /// VACUUM ANALYZE, the chain of heads caught up, the store appends, the rebuild of every read model, VACUUM ANALYZE of
    /// the read models, a checkpoint and a sync.
    /// </summary>
    private static async Task BuildLevelAsync(Lab lab, LevelResult r, int wanted, NationalOptions o, Random rng, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Log($"Level {r.Label} (database {lab.Database}): copying the template to agencies {lab.Agencies:N0} … {wanted - 1:N0} ({o.CloneWorkers} workers, {o.Batch} agencies per batch, {NationalCloner.Phases} transactions each) ...");
        var copiedFrom = lab.Agencies;
        lab.CopyStarts.Add(copiedFrom);
        lab.Agencies = await CloneAsync(lab.Cloner, lab.Agencies, wanted, o, ct);
        lab.Reserved.Add(lab.Agencies - 1);
        if (o.WarmUp > 0)
        {
            // Its last --warm-up-agencies copies before the reserved newest one (fewer if it copied fewer).
            var first = Math.Max(copiedFrom, lab.Agencies - 1 - o.WarmUpAgencies);
            lab.WarmUpAgencies.Clear();
            lab.WarmUpAgencies.AddRange(Enumerable.Range(first, Math.Max(0, lab.Agencies - 1 - first)));
            lab.Reserved.UnionWith(lab.WarmUpAgencies);
        }
        r.Generation = clock.Elapsed;
        r.Agencies = lab.Agencies;
        clock.Restart();
        await ExecAsync(lab.Admin, "VACUUM (ANALYZE) ledger.mt_events, ledger.mt_streams, ledger_audit.event_hashes", ct);
        r.Vacuum = clock.Elapsed;
        r.Events = await CountEventsAsync(lab.Admin, ct);
        r.Added = r.Events - lab.LastEvents;
        r.Streams = await ScalarAsync<long>(lab.Admin, "SELECT count(*) FROM ledger.mt_streams", ct);
        // A few of this level's copies (their own Random: the level's other draws stay as in earlier runs).
        var pick = new Random(wanted);
        var picked = Enumerable.Range(0, 5).Select(_ => pick.Next(copiedFrom, Math.Max(copiedFrom + 1, lab.Agencies - 1))).Distinct().ToList();
        r.AgencyPages = await AgencyPagesAsync(lab.Admin, picked, o, ct);
        Log($"  {r.Added:N0} events copied in {r.Generation.TotalSeconds:F0} s ({r.Added / r.Generation.TotalSeconds:N0} events/s); VACUUM ANALYZE {r.Vacuum.TotalSeconds:F0} s; " +
            $"{r.Events:N0} events in {r.Streams:N0} streams; a copied agency's {r.AgencyPages.Events:N0} events on {r.AgencyPages.Pages:N0} heap pages ({(o.Scattered ? "scattered" : "grouped")} layout); " +
            $"{lab.Cloner.SnapshotsCopied:N0} stream snapshot rows copied so far.");
        if (o.Cluster)
        {
            // As the yearly maintenance of docs/deployment.md would, by the table's owner (the service role may not).
            clock.Restart();
            await ExecAsync(lab.Admin, "CLUSTER ledger.mt_events USING pk_mt_events_stream_and_version", ct);
            await ExecAsync(lab.Admin, "ANALYZE ledger.mt_events", ct);
            r.Clustering = clock.Elapsed;
            r.AgencyPagesClustered = await AgencyPagesAsync(lab.Admin, picked, o, ct);
            Log(FormattableString.Invariant($"  CLUSTER ledger.mt_events USING pk_mt_events_stream_and_version, then ANALYZE: {r.Clustering.TotalSeconds:F0} s; a copied agency's {r.AgencyPagesClustered.Value.Events:N0} events now on {r.AgencyPagesClustered.Value.Pages:N0} heap pages"));
        }

        clock.Restart();
        await LogHeads.CatchUpAsync(lab.ServiceDs, settleTimeout: TimeSpan.FromSeconds(30), ct: ct);
        r.HeadCatchUp = clock.Elapsed;
        Log($"  chain of heads caught up after the copy (the {r.Added:N0} copied events, as the service does at start) {r.HeadCatchUp.TotalSeconds:F1} s");

        Log($"  Store level: {o.Writers} writers × {o.Appends} single-event appends (Marten + seal, the service role) ...");
        r.AppendedTo = AppendPool(lab.Agencies, lab.Closed, lab.Reserved, o, rng).ToHashSet();
        var (appends, rate) = await StoreAppendsAsync(lab.Store, lab.ServiceDs, lab.Closed, [.. r.AppendedTo], o, rng.Next(), ct);
        if (o.Interleave > 0) (r.AppendsAtBuild, r.AppendRateAtBuild) = (appends, rate);
        else AddAppends(r, appends, rate);
        Log($"  appends p50/p99 {appends} ms, {rate:N0} events/s, on {r.AppendAgencies:N0} agencies" +
            (o.Interleave > 0 ? " (while built; the compared appends are made in every part)" : ""));

        if (o.SkipRebuild) Log("  Rebuild skipped (--skip-rebuild).");
        else
        {
            await RebuildAsync(lab, r, r.Events, ct);
        }
        // VACUUM too, not only ANALYZE (seventeenth session): the rebuild inserted every read-model row, and autovacuum's
        // pass over them (ten times the rows at 10 M; half a minute or more there) otherwise ran through the first parts
        // after the builds, on the two cores the measurements share.
        await VacuumReadModelsAsync(lab, ct);

        // The copy and the rebuild write gigabytes at 10 M (a tenth of that at 1 M). What PostgreSQL's checkpointer
        // and the kernel have not written back yet, they write over the next minutes, while the measurements below
        // run: at 10 M far more than at 1 M. So at every level: a checkpoint, then a sync of the whole machine,
        // before any measurement, and both timed (fifteenth session: they took under a second, so little was pending).
        clock.Restart();
        await ExecAsync(lab.Admin, "CHECKPOINT", ct);
        r.Checkpoint = clock.Elapsed;
        clock.Restart();
        using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!) await sync.WaitForExitAsync(ct);
        r.Sync = clock.Elapsed;
        Log(FormattableString.Invariant($"  checkpoint {r.Checkpoint.TotalSeconds:F1} s, then sync {r.Sync.TotalSeconds:F1} s (no writes pending before the measurements)"));
        // The build's backends (the copy's, the catch-up's, the appends' reads) are not the measurements' (eighteenth
        // session): Npgsql closes a connection after 300 s idle, so the first round could find the last-built level's pool
        // still holding four of them (its rebuild takes about that long at 10 M; one run of three did) and the other
        // levels' closed. Its log heads then went to four backends new to their statements, one per round trip.
        lab.ServiceDs.Clear();
    }

    private static async Task VacuumReadModelsAsync(Lab lab, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await ExecAsync(lab.Admin, "VACUUM (ANALYZE) " + string.Join(", ", ReadModelTables.Select(t => "readmodel." + t)), ct);
        Log(FormattableString.Invariant($"  VACUUM (ANALYZE) of the read models {clock.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>
    /// A rebuild of every read model by Marten's daemon (RebuildProjectionAsync), its teardown (the DELETE of every
    /// read-model row, its first step) timed on its own first, as the service role; added to the level's rebuilds. With the
    /// service's command timeout (30 s) first, and a 2 h one if that fails (the failure is reported).
    /// </summary>
    private static async Task RebuildAsync(Lab lab, LevelResult r, long events, CancellationToken ct)
    {
        Log("  Rebuilding every read model (Marten's daemon, RebuildProjectionAsync) ...");
        var clock = Stopwatch.StartNew();
        await ExecAsync(lab.ServiceDs, string.Join("; ", ReadModelTables.Append("rows_pending").Select(t => $"DELETE FROM readmodel.{t}")), ct);
        r.Teardowns.Add(clock.Elapsed);
        Log($"  teardown (DELETE of every read-model row) {clock.Elapsed.TotalSeconds:F0} s");
        clock.Restart();
        try
        {
            using var daemon = await lab.Store.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(SakipReadModels.Names[0], TimeSpan.FromHours(6), ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            r.RebuildFailure = $"failed after {clock.Elapsed.TotalSeconds:F0} s with the service's command timeout (30 s): {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()} {e.InnerException?.Message.Split('\n')[0].Trim()}";
            Log("  REBUILD " + r.RebuildFailure + "; again with a 2 h command timeout ...");
            clock.Restart();
            using var daemon = await lab.PatientStore.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(SakipReadModels.Names[0], TimeSpan.FromHours(6), ct);
        }
        r.Rebuilds.Add((events, clock.Elapsed));
        Log($"  rebuild {clock.Elapsed.TotalSeconds:F0} s ({events / clock.Elapsed.TotalSeconds:N0} events/s)");
    }

    /// <summary>
    /// A level's measurements with the service stopped and then running (one part of them with --interleave; every
    /// latency is added to the level's): the log heads, a close's inputs, the service's cold start, the clone check,
    /// the daemon's catch-up, the HTTP requests (HttpAsync); the service is stopped at the end.
    /// </summary>
    private static async Task MeasureLevelAsync(Lab lab, LevelResult r, int levelIndex, NationalOptions o, Random rng, Running running,
        string api, int port, string token, HttpClient http, string dir, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        // A close's head chains the events since the previous head: --log-heads heads, each after 20 new single-event appends.
        // Diagnostic (fifteenth session): the head waits until no transaction older than it runs (SettledSequence),
        // so which other transactions hold a transaction id just before each read is logged, with the reads' times.
        async Task<(List<(double, bool)> Heads, List<string> Holders)> HeadsAsync()
        {
            var heads = new List<(double, bool)>();
            var holders = new List<string>();
            for (var i = 0; i < o.LogHeads; i++)
            {
                await StoreAppendsAsync(lab.Store, lab.ServiceDs, lab.Closed, [.. r.AppendedTo], o with { Writers = 1, Appends = 20 }, rng.Next(), ct);
                await using (var cmd = lab.Admin.CreateCommand(
                    "SELECT coalesce(string_agg(backend_type || ': ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60), '; '), '') FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"))
                    holders.Add((string)(await cmd.ExecuteScalarAsync(ct))!);
                clock.Restart();
                await LogHeads.ReadAsync(lab.ServiceDs, TimeSpan.FromSeconds(30), ct);
                heads.Add((clock.Elapsed.TotalMilliseconds, true));
            }
            return (heads, holders);
        }
        static string Each(List<(double, bool)> heads) => string.Join(" | ", heads.Select(h => FormattableString.Invariant($"{h.Item1:F1} ms")));
        // Eighteenth session: whether the heads start on the pool's idle backends (a round a few tens of seconds after the
        // level's last part; in the first round at the last level built, the build's, the copy's among them) or on new
        // ones (Npgsql closes a connection idle for 300 s).
        var pool = await ServiceBackendsAsync(lab, ct);
        if (o.FreshPoolEachPart)
        {
            // As many heads first on the pool as found (not counted), then on new backends.
            if (pool.Count > 0)
            {
                var (found, _) = await HeadsAsync();
                Log($"  log heads on the pool as found ({pool.Text}; not counted) p50/p99 {Latencies.Of(found)} ms: {Each(found)}");
            }
            lab.ServiceDs.Clear();
            // The closed backends leave pg_stat_activity a moment later.
            var gone = Stopwatch.StartNew();
            var now = await ServiceBackendsAsync(lab, ct);
            while (now.Count > 0 && gone.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20, ct);
                now = await ServiceBackendsAsync(lab, ct);
            }
            Log($"  the service role's pool before the heads: {pool.Text}; emptied (--fresh-pool-each-part), now {now.Text}");
        }
        else Log($"  the service role's pool before the heads: {pool.Text}");
        var (heads, holders) = await HeadsAsync();
        r.LogHead = Latencies.Merge(r.LogHead, Latencies.Of(heads));
        r.LogHeadParts.Add(Latencies.Of(heads));
        Log($"  log head (what a close takes) p50/p99 {Latencies.Of(heads)} ms over {r.Streams:N0} streams");
        Log("    each read's time, and the transactions holding an id just before it: " + string.Join(" | ", heads.Select((h, k) =>
            FormattableString.Invariant($"{h.Item1:F1} ms{(holders[k].Length > 0 ? " (" + holders[k] + ")" : "")}"))));
        if (o.LogHeadParts) await LogHeadPartsAsync(lab, r, o, rng, ct);

        // A close's other reads: its snapshot's inputs (agency, Renstras, the year before), read twice for the same
        // agency-years, first and again, to tell the cache's part from the reads' own cost. Loaded as the close loads
        // them (since 2026-12-07: the year before from its usable snapshot, under the service's key), with no fold cache
        // (a first touch; the service's close may find the states cached by the agency's earlier requests).
        var loader = new ReadLoader(new StreamLoader(lab.Store, lab.ServiceDs),
            new StreamSnapshots(lab.ServiceDs, Convert.FromHexString(HttpLoadBenchmark.SnapshotKeyHex)),
            new ReadLoaderOptions { SaveSnapshots = false });
        // On the store appends' agencies (since the fifteenth session; random ones before), which the HTTP part below
        // leaves out: these reads would otherwise warm some of its first touches, more of them at 1 M than at 10 M.
        var inputsFor = r.AppendedTo.OrderBy(_ => rng.Next()).Take(Math.Max(1, o.Closes))
            .Select(n => (Agency: AgencyCode(n, o.AgenciesPerRegion), Year: NationalTemplate.FirstYear + rng.Next(NationalTemplate.Years)))
            .ToList();
        foreach (var pass in new[] { 0, 1 })
        {
            var times = new List<(double, bool)>();
            foreach (var (agency, year) in inputsFor)
            {
                clock.Restart();
                // Nineteenth session: one of these reads took 9.4 s at 10 M (the others 8–110 ms), with nothing logged to
                // say why; a read still running after a second now has PostgreSQL's busy backends and the machine's
                // pressure logged every second.
                await using (WatchSlow(lab.Admin, $"a close's inputs ({agency} {year}, {(pass == 0 ? "first" : "again")})", ct))
                    await Ledger.Api.Features.Snapshots.YearSnapshotReader.LoadCurrentAsync(loader, agency, year, ct);
                times.Add((clock.Elapsed.TotalMilliseconds, true));
            }
            if (pass == 0) r.CloseInputs = Latencies.Merge(r.CloseInputs, Latencies.Of(times));
            else r.CloseInputsAgain = Latencies.Merge(r.CloseInputsAgain, Latencies.Of(times));
        }
        Log($"  a close's snapshot inputs ({inputsFor.Count} agency-years), first read p50/p99 {r.CloseInputs} ms, again {r.CloseInputsAgain} ms (so far)");

        if (o.Interleave > 0)
        {
            // The store appends, in every part like the rest (seventeenth session: made once while each level was built,
            // their p99 moved from -12 % to +886 % between runs, with nothing to tell a busier machine from the level).
            // After a close's inputs, whose agencies they share, so that those reads find the cache as before.
            var (appends, rate) = await StoreAppendsAsync(lab.Store, lab.ServiceDs, lab.Closed, [.. r.AppendedTo], o, rng.Next(), ct);
            AddAppends(r, appends, rate);
            Log($"  store appends ({o.Writers} writers × {o.Appends}) p50/p99 {appends} ms, {rate:N0} events/s; the level's so far {r.Appends} ms, {r.AppendRate:N0} events/s");
        }

        if (o.ColdCache)
        {
            clock.Restart();
            await DropPageCacheAsync(ct);
            Log($"  --cold-cache: the operating system's page cache dropped ({clock.Elapsed.TotalSeconds:F1} s); PostgreSQL's shared_buffers kept");
        }
        Log("  Starting the service ...");
        (running.Service, var cold) = await HttpLoadBenchmark.StartAsync(api, port, lab.ServiceCs, lab.Owner, token, http, $"cold-{levelIndex}-{r.ColdStarts.Count + 1}", ct);
        r.ColdStarts.Add(cold);
        Log($"  cold start to the first command {cold.TotalMilliseconds:F0} ms");
        r.CloneCheck = await CheckCloneAsync(http, token, lab.Agencies - 1, o, ct);
        Log("  clone check: " + r.CloneCheck);
        if (!o.SkipRebuild)
        {
            // The log head's store appends above were made while the service was stopped: its daemon's first pages
            // hold events of the --append-agencies pool, each agency re-folded from the log (its cold cache: its
            // own stream, its Renstra and the years its events need; its whole history until 2026-12-06; with
            // ~300–400 random agencies 5–6 s on the two cores, 12 s at 1 M and 18 s at 10 M before the fix of
            // 2026-12-05), which overlapped the corrections below. Timed on its own here, so that the requests'
            // figures are the requests'.
            var (catchUp, backlog) = await WaitForDaemonAsync(lab.Admin, ct);
            r.DaemonCatchUps.Add(catchUp);
            r.DaemonBacklog += backlog;
            Log(FormattableString.Invariant($"  the daemon caught up with {backlog:N0} events (the store appends on {r.AppendAgencies:N0} agencies) {catchUp.TotalSeconds:F1} s after the clone check ({catchUp.TotalMilliseconds / Math.Max(1, r.AppendAgencies):F1} ms per agency)"));
        }
        await HttpAsync(http, token, lab.Admin, running.Service, Path.Combine(dir, "pgdata"), lab.Agencies, lab.Closed, lab.Reserved, lab.Sampled, lab.WarmUpAgencies,
            n => CopyBatchOf(lab.CopyStarts, n, o.Batch), r, o, rng, ct);
        await HttpLoadBenchmark.StopAsync(running.Service);
        running.Service = null;
    }

    /// <summary>How many backends of the service role's pool (lab.ServiceDs, not Marten's) are connected, and since when.</summary>
    private static async Task<(int Count, string Text)> ServiceBackendsAsync(Lab lab, CancellationToken ct)
    {
        await using var cmd = lab.Admin.CreateCommand("""
            SELECT count(*)::int, coalesce(min(extract(epoch FROM now() - backend_start)), 0)::float8, coalesce(max(extract(epoch FROM now() - backend_start)), 0)::float8
              FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ServicePoolName });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var n = r.GetInt32(0);
        return (n, n == 0 ? "no backend (the heads open new ones)"
            : FormattableString.Invariant($"{n} backends, opened {r.GetDouble(1):F0}–{r.GetDouble(2):F0} s ago"));
    }

    /// <summary>
    /// While the returned handle is held: after a second and every second from then on, logs what every
    /// busy backend of the cluster is doing (state, wait event, for how long, its statement's start) and the machine's
    /// load and I/O pressure. Disposing it stops the watch. A diagnostic for one slow operation among fast ones.
    /// </summary>
    private static SlowWatch WatchSlow(NpgsqlDataSource admin, string what, CancellationToken ct)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var started = Stopwatch.StartNew();
        var task = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
            while (!stop.IsCancellationRequested)
            {
                await using var cmd = admin.CreateCommand("""
                    SELECT coalesce(string_agg(format('%s %s %s/%s %ss: %s', pid, coalesce(nullif(backend_type, 'client backend'), application_name),
                                                      state, coalesce(wait_event_type || ':' || wait_event, 'cpu'),
                                                      round(extract(epoch FROM now() - query_start)::numeric, 1),
                                                      left(regexp_replace(query, '\s+', ' ', 'g'), 70)), ' | '), 'none')
                      FROM pg_stat_activity
                     WHERE pid <> pg_backend_pid()
                       AND (state <> 'idle' OR (state IS NULL AND wait_event_type IS DISTINCT FROM 'Activity'))
                    """);
                var busy = (string)(await cmd.ExecuteScalarAsync(stop.Token))!;
                static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Split('\n')[0].Trim() : "-";
                Log(FormattableString.Invariant($"    SLOW {what}: still running after {started.Elapsed.TotalSeconds:F1} s; load {Read("/proc/loadavg")}; io pressure {Read("/proc/pressure/io")}; busy backends: {busy}"));
                await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
            }
        }, stop.Token);
        return new SlowWatch(stop, task);
    }

    private sealed class SlowWatch(CancellationTokenSource stop, Task task) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try { await task; }
            catch (OperationCanceledException) { }
            catch (Exception e) { Log($"    (the slow-operation watch failed: {e.GetType().Name}: {e.Message})"); }
            stop.Dispose();
        }
    }

    /// <summary>The application_name of lab.ServiceDs's connections, to tell its backends from Marten's.</summary>
    private const string ServicePoolName = "national-scale service-role pool";

    /// <summary>
    /// SettledSequence.ReadAsync, and at every wait which backends hold a transaction id older than its bound (seventeenth
    /// session: the settle's time had been read as waits, and the statement just before each head never showed a holder).
    /// Returns the settled sequence, the milliseconds spent asking who held it (to subtract), and the holders seen.
    /// </summary>
    private static async Task<(long Settled, double AskingMs, List<string> Held)> SettleNamingHoldersAsync(Lab lab, NpgsqlConnection conn, CancellationToken ct)
    {
        var held = new List<string>();
        var asking = 0.0;
        var settled = await SettledSequence.ReadAsync(conn, TimeSpan.FromSeconds(30), ct, async bound =>
        {
            var t0 = Stopwatch.GetTimestamp();
            await using var cmd = lab.Admin.CreateCommand("""
                SELECT coalesce(string_agg(coalesce(datname, '-') || ' ' || backend_type || ' (' || coalesce(state, '-') || '): ' || left(regexp_replace(coalesce(query, ''), '\s+', ' ', 'g'), 50), '; '), 'gone when asked')
                  FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND backend_xid::text::bigint < $1 AND pid <> pg_backend_pid()
                """);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)(bound & 0xFFFF_FFFF) });
            held.Add((string)(await cmd.ExecuteScalarAsync(ct))!);
            asking += Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        });
        return (settled, asking, held);
    }

    /// <summary>
    /// Diagnostic, --log-head-parts (sixteenth session: the interleaved run 1 had the log head's p50 at 2.2–3.8 ms at 1 M
    /// and 2.9–5.5 ms at 10 M, higher in three rounds of four): as many heads again, each after 20 appends, with its
    /// parts timed apart, as LogHeads.ReadAsync runs them: the settle (SettledSequence: two probes, an xid in a rolled-back transaction, and any waits), the latest head's
    /// sequence, and the take_log_head statement. Then PostgreSQL's statements over those heads and their appends
    /// (pg_stat_statements, track = all: the function's own statements too), slowest first, per call; and for the
    /// latest head, over how many heap pages its events and hashes lie, and the plan of its digest's join.
    /// </summary>
    private static async Task LogHeadPartsAsync(Lab lab, LevelResult r, NationalOptions o, Random rng, CancellationToken ct)
    {
        // Planning time too (off by default), for these heads only.
        await ExecAsync(lab.Admin, "ALTER SYSTEM SET pg_stat_statements.track_planning = on", ct);
        await ExecAsync(lab.Admin, "SELECT pg_reload_conf()", ct);
        await Task.Delay(100, ct);
        await ExecAsync(lab.Admin, "SELECT pg_stat_statements_reset()", ct);
        var parts = new List<string>();
        var waits = new List<string>();
        for (var i = 0; i < o.LogHeads; i++)
        {
            await StoreAppendsAsync(lab.Store, lab.ServiceDs, lab.Closed, [.. r.AppendedTo], o with { Writers = 1, Appends = 20 }, rng.Next(), ct);
            // On one connection, as LogHeads.ReadAsync runs them since the eighteenth session (opening it is timed in the settle).
            var t0 = Stopwatch.GetTimestamp();
            await using var conn = await lab.ServiceDs.OpenConnectionAsync(ct);
            var (settled, asking, held) = await SettleNamingHoldersAsync(lab, conn, ct);
            var settle = Stopwatch.GetElapsedTime(t0).TotalMilliseconds - asking;
            if (held.Count > 0) waits.Add(FormattableString.Invariant($"head {i + 1}: {held.Count} waits, on {string.Join(" / ", held.Distinct())}"));
            t0 = Stopwatch.GetTimestamp();
            await using (var cmd = new NpgsqlCommand(AuditSql.LatestLogHead, conn)) await cmd.ExecuteScalarAsync(ct);
            var latest = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            t0 = Stopwatch.GetTimestamp();
            await using (var cmd = new NpgsqlCommand(AuditSql.TakeLogHead, conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter<long>("settled", settled));
                cmd.Parameters.Add(new NpgsqlParameter<string[]>("streams", []));
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) { }
            }
            var take = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            parts.Add(FormattableString.Invariant($"{settle:F1} + {latest:F1} + {take:F1}"));
        }
        Log("    the same again, each head's parts (settle + latest head + take_log_head, ms): " + string.Join(" | ", parts));
        Log($"    settles that waited: {waits.Count} of {o.LogHeads}" + (waits.Count > 0 ? " (" + string.Join("; ", waits) + ")" : ""));
        await using var stats = lab.Admin.CreateCommand("""
            SELECT calls, total_exec_time / greatest(calls, 1), total_plan_time / greatest(plans, 1), shared_blks_read::float8 / greatest(calls, 1), shared_blks_hit::float8 / greatest(calls, 1),
                   left(regexp_replace(query, '\s+', ' ', 'g'), 160)
              FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND query NOT LIKE '%pg_stat_%' AND query NOT ILIKE '%mt_quick_append_events%' AND query NOT ILIKE 'insert into ledger.mt_events%'
               AND query NOT ILIKE 'INSERT INTO ledger_audit.event_hashes%' AND query NOT ILIKE '%ledger.mt_streams%' AND query NOT ILIKE 'BEGIN%'
               AND query NOT ILIKE 'SELECT (SELECT max(version)%' AND query NOT ILIKE '%"mt_streams"%'
             ORDER BY total_exec_time + total_plan_time DESC LIMIT 12
            """);
        await using (var rows = await stats.ExecuteReaderAsync(ct))
            while (await rows.ReadAsync(ct))
                Log(FormattableString.Invariant(
                    $"      statement (not the appends'): {rows.GetInt64(0)} calls, {rows.GetDouble(1):F3} ms executing and {rows.GetDouble(2):F3} planning, {rows.GetDouble(3):F1} blocks read and {rows.GetDouble(4):F1} hit per call: {rows.GetString(5)}"));
        // Where the latest head's buffers go: the plan of its digest's join over the events since the head before it,
        // and over how many heap pages those events and their hashes lie (new rows packed at the table's end, or
        // spread over pages with free space).
        long previous = 0, latestSeq = 0;
        await using (var cmd = lab.Admin.CreateCommand("SELECT previous_seq, seq FROM ledger_audit.log_heads ORDER BY seq DESC LIMIT 1"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            if (await reader.ReadAsync(ct)) (previous, latestSeq) = (reader.GetInt64(0), reader.GetInt64(1));
        // $1 and $2: the latest head's range of sequence numbers.
        NpgsqlCommand InRange(string sql)
        {
            var cmd = lab.Admin.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = previous });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = latestSeq });
            return cmd;
        }
        await using (var cmd = InRange("""
            SELECT (SELECT count(*) FROM ledger.mt_events WHERE seq_id > $1 AND seq_id <= $2),
                   (SELECT count(DISTINCT (ctid::text::point)[0]) FROM ledger.mt_events WHERE seq_id > $1 AND seq_id <= $2),
                   (SELECT count(DISTINCT (ctid::text::point)[0]) FROM ledger_audit.event_hashes WHERE seq_id > $1 AND seq_id <= $2),
                   pg_relation_size('ledger.mt_events') / 8192, pg_relation_size('ledger_audit.event_hashes') / 8192,
                   (SELECT min((ctid::text::point)[0]) FROM ledger.mt_events WHERE seq_id > $1 AND seq_id <= $2)
            """))
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            Log(FormattableString.Invariant(
                $"      the latest head's {reader.GetInt64(0)} events ({previous}, {latestSeq}] lie on {reader.GetInt64(1)} heap pages of mt_events (its lowest page {(reader.IsDBNull(5) ? double.NaN : reader.GetDouble(5)):F0} of {reader.GetInt64(3):N0}), their hashes on {reader.GetInt64(2)} of event_hashes ({reader.GetInt64(4):N0} pages)"));
        }
        // Why the newest events sometimes scatter (sixteenth session: in run 4 on 20 pages from the middle of the table at
        // 10 M and on 2–3 at its end at 1 M; in run 5 packed at 10 M and once scattered at 1 M): how many pages the free
        // space map offers an insert of that size.
        await using (var cmd = InRange("""
            SELECT (SELECT avg(pg_column_size(e.*)) FROM ledger.mt_events e WHERE seq_id > $1 AND seq_id <= $2),
                   count(*) FILTER (WHERE avail >= 512), count(*) FILTER (WHERE avail >= 1024), count(*) FILTER (WHERE avail >= 2048), count(*)
              FROM pg_freespace('ledger.mt_events')
            """))
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            Log(FormattableString.Invariant(
                $"      those events' rows {(reader.IsDBNull(0) ? 0 : reader.GetDecimal(0)):F0} bytes on average; mt_events' free space map offers {reader.GetInt64(1):N0} pages with at least 512 bytes free, {reader.GetInt64(2):N0} with 1 kB, {reader.GetInt64(3):N0} with 2 kB, of {reader.GetInt64(4):N0}"));
        }
        await using (var cmd = InRange("""
            EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)
            SELECT e.seq_id, e.stream_id, e.version, h.hash FROM ledger.mt_events e
              LEFT JOIN ledger_audit.event_hashes h ON h.seq_id = e.seq_id AND h.seq_id > $1 AND h.seq_id <= $2
             WHERE e.seq_id > $1 AND e.seq_id <= $2 ORDER BY e.seq_id
            """))
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) Log("        " + reader.GetString(0));
        }
        await ExecAsync(lab.Admin, "ALTER SYSTEM RESET pg_stat_statements.track_planning", ct);
        await ExecAsync(lab.Admin, "SELECT pg_reload_conf()", ct);
    }

    /// <summary>The verifier over the level's whole log (ChainVerifier, with the heads the closes published), with the service stopped.</summary>
    private static async Task VerifyLevelAsync(Lab lab, LevelResult r, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Log("  Verifying the whole log (ChainVerifier) with the heads the closes published ...");
        var published = await PublishedLogHeads.LoadAsync(new StreamLoader(lab.Store, lab.ServiceDs), ct);
        r.HeadsLoad = clock.Elapsed;
        r.Heads = published.Count;
        clock.Restart();
        var verification = await ChainVerifier.VerifyAsync(lab.ServiceDs, published, ct);
        var time = clock.Elapsed;
        r.Verifications.Add((verification.EventsChecked, time, verification.Ok));
        Log($"  verify: ok={verification.Ok}, {verification.EventsChecked:N0} events in {time.TotalSeconds:F0} s ({verification.EventsChecked / time.TotalSeconds:N0} events/s); " +
            $"{published.Count} published heads loaded in {r.HeadsLoad.TotalSeconds:F1} s");
        if (!verification.Ok) Log("  PROBLEM: " + string.Join("; ", verification.Problems.Take(5).Select(p => $"{p.Sequence} {p.Stream}: {p.Problem}")));
    }

    /// <summary>A level's end, with the service stopped: the plans, the statements before and after issue 13's fixes, the sizes (the verifier before it: <see cref="VerifyLevelAsync"/>).</summary>
    private static async Task FinishLevelAsync(Lab lab, LevelResult r, NationalOptions o, Random rng, CancellationToken ct)
    {
        await ExplainAsync(lab.Admin, lab.Agencies, o, rng, ct);
        (r.HeadSql, r.PageSql, r.PageServer, r.PagePlanning) = await BeforeAndAfterAsync(lab.ServiceDs, lab.Admin, ct);
        Log($"  log head statement before/after the fix {r.HeadSql.Before:F0} / {r.HeadSql.After:F0} ms; a verifier page at the log's end {r.PageSql.Before:F0} / {r.PageSql.After:F0} ms " +
            $"({r.PageServer:F1} ms executing inside PostgreSQL, {r.PagePlanning:F1} ms planning)");
        if (r.DatabaseBytes == 0) await RecordSizesAsync(lab, r, ct);
        r.LoadAfter = SakipRebuildBenchmark.LoadAverage();
        Log($"  database {r.DatabaseBytes / 1e9:F2} GB ({lab.BytesPerEvent:N0} bytes per added event); load average {r.LoadBefore} → {r.LoadAfter}");
    }

    /// <summary>
    /// The level's database size and its parts, and the bytes per event added since the lab's previous level. With
    /// --interleave taken before the second rebuild: its teardown leaves the first rebuild's rows dead in the read models'
    /// files (26 % more database at 10 M in the first such run).
    /// </summary>
    private static async Task RecordSizesAsync(Lab lab, LevelResult r, CancellationToken ct)
    {
        (r.DatabaseBytes, r.EventTableBytes, r.HashTableBytes, r.ReadModelBytes) = await SizesAsync(lab.Admin, ct);
        var nowEvents = await CountEventsAsync(lab.Admin, ct);
        if (nowEvents > lab.LastEvents) lab.BytesPerEvent = (double)(r.DatabaseBytes - lab.LastBytes) / (nowEvents - lab.LastEvents);
        (lab.LastBytes, lab.LastEvents) = (r.DatabaseBytes, nowEvents);
    }

    /// <summary>The levels in the order round <paramref name="round"/> (0-based) of --interleave measures them: as given in even rounds, reversed in odd ones.</summary>
    private static IEnumerable<T> RoundOrder<T>(IReadOnlyList<T> levels, int round) => round % 2 == 0 ? levels : levels.Reverse();

    /// <summary>
    /// The rebuilds after the rounds, <paramref name="levels"/> in the order built (smallest first): every level but the
    /// largest k times, k = the largest level's events over its own, rounded, from 1 to 4; ⌈k/2⌉ of them before the
    /// largest level's one rebuild (the levels in order), ⌊k/2⌋ after (reversed). 1 M and 10 M: 1 M, 1 M, 10 M, 1 M, 1 M.
    /// </summary>
    internal static List<T> RebuildOrder<T>(IReadOnlyList<T> levels, Func<T, long> events)
    {
        if (levels.Count == 0) return [];
        var largest = Enumerable.Range(0, levels.Count).MaxBy(i => events(levels[i]));
        var others = Enumerable.Range(0, levels.Count).Where(i => i != largest).ToList();
        int Times(int i) => (int)Math.Clamp(Math.Round(events(levels[largest]) / (double)Math.Max(1, events(levels[i]))), 1, 4);
        var order = new List<T>();
        foreach (var i in others) order.AddRange(Enumerable.Repeat(levels[i], (Times(i) + 1) / 2));
        order.Add(levels[largest]);
        foreach (var i in others.AsEnumerable().Reverse()) order.AddRange(Enumerable.Repeat(levels[i], Times(i) / 2));
        return order;
    }

    private static int OptionsLevel(string label, NationalOptions o, long perAgency, int full)
    {
        if (label == "full") return full + 1;
        var events = NationalOptions.ParseLevel(label)!.Value;
        // "0": one region (the template's, as if the country had only it); otherwise enough agencies for the events.
        return events == 0 ? o.AgenciesPerRegion : (int)Math.Min(full + 1, Math.Max(1, (events + perAgency - 1) / perAgency));
    }

    /// <summary>
    /// The mean, over <paramref name="agencies"/>, of an agency's events and of the heap pages of <c>ledger.mt_events</c>
    /// that hold them (the block of each row's ctid): what a first touch reads from the heap, with the layout the copy made.
    /// </summary>
    private static async Task<(double Events, double Pages)> AgencyPagesAsync(NpgsqlDataSource admin, IReadOnlyList<int> agencies, NationalOptions o, CancellationToken ct)
    {
        double events = 0, pages = 0;
        foreach (var n in agencies)
        {
            await using var cmd = admin.CreateCommand(
                "SELECT count(*), count(DISTINCT (ctid::text::point)[0]) FROM ledger.mt_events WHERE stream_id = ANY($1)");
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = NationalTemplate.Streams(AgencyCode(n, o.AgenciesPerRegion)).ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            events += reader.GetInt64(0);
            pages += reader.GetInt64(1);
        }
        return agencies.Count == 0 ? (0, 0) : (events / agencies.Count, pages / agencies.Count);
    }

    /// <summary>Copies the template to agencies [from, to) in batches, <see cref="NationalOptions.CloneWorkers"/> at a time; returns <paramref name="to"/>.</summary>
    private static async Task<int> CloneAsync(NationalCloner cloner, int from, int to, NationalOptions o, CancellationToken ct)
    {
        var next = from;
        var done = 0L;
        var clock = Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        await Task.WhenAll(Enumerable.Range(0, o.CloneWorkers).Select(_ => Task.Run(async () =>
        {
            await using var conn = await cloner.OpenAsync(ct);
            while (true)
            {
                int start;
                lock (cloner)
                {
                    if (next >= to) return;
                    start = next;
                    next = Math.Min(to, next + o.Batch);
                }
                if (new DriveInfo(cloner.Folder).AvailableFreeSpace < MinimumFreeBytes)
                    throw new InvalidOperationException($"Less than {MinimumFreeBytes / 1e9:F0} GB left on the disk while copying: stopped (other processes use the disk too).");
                var codes = Enumerable.Range(start, Math.Min(o.Batch, to - start)).Select(n => AgencyCode(n, o.AgenciesPerRegion)).ToList();
                await cloner.CloneAsync(conn, codes, ct);
                var total = Interlocked.Add(ref done, codes.Count * cloner.EventsPerCopy);
                lock (cloner)
                {
                    if (clock.Elapsed - lastLog > TimeSpan.FromMinutes(1))
                    {
                        lastLog = clock.Elapsed;
                        Log($"    {total:N0} events copied, {total / clock.Elapsed.TotalSeconds:N0} events/s");
                    }
                }
            }
        }, ct)));
        return to;
    }

    /// <summary>
    /// The level's --append-agencies agencies (never the template, nor a reserved copy, each with a year still open) that
    /// every store append goes to, the measured ones and the log head's: after the service starts its daemon re-folds each
    /// (its cache is cold), so the same number at every level keeps that catch-up comparable (400 appends on random
    /// agencies touched ~290 of 1 M's 607 agencies but ~390 of 10 M's 6 071).
    /// </summary>
    private static List<int> AppendPool(int agencies, HashSet<(int, int)> closed, HashSet<int> reserved, NationalOptions o, Random rng) =>
        Enumerable.Range(1, o.WorkRange(agencies) - 1)
            .Where(n => !reserved.Contains(n) && Enumerable.Range(NationalTemplate.FirstYear, NationalTemplate.Years).Any(y => !closed.Contains((n, y))))
            .OrderBy(_ => rng.Next()).Take(o.AppendAgencies).ToList();

    /// <summary>
    /// The copy batch of agency <paramref name="n"/>: the copy that made it (the newest start at or below it) and its batch
    /// of <paramref name="batch"/> agencies from that start (<see cref="CloneAsync"/> takes them in that order).
    /// </summary>
    private static (int Start, int Batch) CopyBatchOf(List<int> starts, int n, int batch)
    {
        var start = starts.Where(s => s <= n).DefaultIfEmpty(0).Max();
        return (start, (n - start) / batch);
    }

    /// <summary>Adds a run of store appends to the level's: samples pooled, append time per writer summed (the rate over all of them).</summary>
    private static void AddAppends(LevelResult r, Latencies appends, double rate)
    {
        r.Appends = Latencies.Merge(r.Appends, appends);
        if (rate > 0) r.AppendWriterSeconds += appends.Ok.Length / rate;
    }

    /// <summary>
    /// Single-event appends on Ledger's store path, as the service role: each writer appends a realization correction to
    /// a random open year of a random agency of its share of <paramref name="pool"/>, with the stream's version as expected version
    /// and Ledger's headers, Marten's Quick append, the seal at commit. Timed: Append + SaveChangesAsync; the stream's
    /// version and the value being corrected are read before (untimed), so the event is a true correction.
    /// </summary>
    private static async Task<(Latencies, double)> StoreAppendsAsync(DocumentStore store, NpgsqlDataSource service,
        HashSet<(int, int)> closed, IReadOnlyList<int> pool, NationalOptions o, int seed, CancellationToken ct)
    {
        var ticks = 0L;
        // Only the level's pool of agencies (AppendPool), each writer its own share of it, so no two race for a stream.
        var writers = Math.Min(o.Writers, pool.Count);
        var all = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var rnd = new Random(seed + w);
            var samples = new List<(double, bool)>();
            var mine = pool.Where((_, i) => i % writers == w).ToList();
            for (var k = 0; k < o.Appends; k++)
            {
                var n = mine[rnd.Next(mine.Count)];
                var open = Enumerable.Range(NationalTemplate.FirstYear, NationalTemplate.Years).Where(y => !closed.Contains((n, y))).ToList();
                if (open.Count == 0) continue;
                var year = open[rnd.Next(open.Count)];
                var code = AgencyCode(n, o.AgenciesPerRegion);
                var stream = PerformanceYear.StreamName(code, year);
                var indicator = NationalTemplate.Code(rnd.Next(NationalTemplate.Indicators));
                await using var cmd = service.CreateCommand("""
                    SELECT (SELECT max(version) FROM ledger.mt_events WHERE stream_id = $1),
                           (SELECT coalesce(data->>'after', data->>'value') FROM ledger.mt_events
                             WHERE stream_id = $1 AND type IN ('realization.recorded.v1', 'realization.corrected.v1')
                               AND data->>'indicator' = $2 AND data->>'period' = 'Q4' ORDER BY version DESC LIMIT 1)
                    """);
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = indicator });
                long version;
                decimal before;
                await using (var r = await cmd.ExecuteReaderAsync(ct))
                {
                    await r.ReadAsync(ct);
                    version = r.GetInt64(0);
                    before = decimal.Parse(r.GetString(1), CultureInfo.InvariantCulture);
                }
                var t0 = Stopwatch.GetTimestamp();
                await using (var session = store.LightweightSession())
                {
                    session.SetHeader(EventHeaders.Actor, new Dictionary<string, string> { ["name"] = "Perencana " + code, ["nip"] = "198004122000031003", ["role"] = "staff" });
                    session.SetHeader(EventHeaders.Reason, "Koreksi data (bench: store-level append)");
                    session.SetHeader(EventHeaders.Agency, code);
                    session.Events.Append(stream, version + 1, new RealizationCorrected(indicator, "Q4", before, before + 0.25m, "Koreksi data (bench: store-level append)", false));
                    await session.SaveChangesAsync(ct);
                }
                var elapsed = Stopwatch.GetTimestamp() - t0;
                Interlocked.Add(ref ticks, elapsed);
                samples.Add((elapsed * 1000.0 / Stopwatch.Frequency, true));
            }
            return samples;
        }, ct)));
        var merged = all.SelectMany(s => s).ToList();
        // Rate: appends per second of append time per writer (the untimed reads excluded), times the writers.
        var perWriterSeconds = ticks / (double)Stopwatch.Frequency / writers;
        return (Latencies.Of(merged), merged.Count / perWriterSeconds);
    }

    /// <summary>
    /// The service at this level, one request at a time: corrections, as-of reads, performance tables and year closes,
    /// on --samples (closes: --closes) agencies drawn at random, the same agencies for every operation, each with a year of
    /// its own: every request is the service's first touch of that year stream, and the correction the first touch of
    /// the agency (see the sampling below).
    /// </summary>
    private static async Task HttpAsync(HttpClient http, string token, NpgsqlDataSource admin, Process service, string pgdata, int agencies,
        HashSet<(int, int)> closed, HashSet<int> reserved, HashSet<int> sampled, List<int> warmUps, Func<int, (int, int)> batchOf, LevelResult r,
        NationalOptions o, Random rng, CancellationToken ct)
    {
        // Where a request's time goes (diagnostics, logged per phase): PostgreSQL's block reads outside shared_buffers and
        // their time (track_io_timing), the service's CPU, and every statement over 100 ms from the server's log.
        await ExecAsync(admin, "ALTER SYSTEM SET track_io_timing = on", ct);
        await ExecAsync(admin, "ALTER SYSTEM SET log_min_duration_statement = 100", ct);
        await ExecAsync(admin, "ALTER SYSTEM SET log_lock_waits = on", ct);
        await ExecAsync(admin, "ALTER SYSTEM SET log_autovacuum_min_duration = 0", ct);
        // The plans, with buffers, of the statements over 250 ms (auto_explain is loaded in every session; off until now).
        await ExecAsync(admin, "ALTER SYSTEM SET auto_explain.log_min_duration = 250", ct);
        await ExecAsync(admin, "ALTER SYSTEM SET auto_explain.log_analyze = on", ct);
        await ExecAsync(admin, "ALTER SYSTEM SET auto_explain.log_buffers = on", ct);
        await ExecAsync(admin, "ALTER SYSTEM SET auto_explain.log_timing = off", ct);
        await ExecAsync(admin, "SELECT pg_reload_conf()", ct);
        var logsFrom = LogSizes(pgdata);
        // The blocks and read time of every statement finished since the phase's pg_stat_statements_reset (the service's
        // and the daemon's; top-level ones only, as a function's counts include its nested statements', which
        // pg_stat_statements.track = all lists too). Until the twenty-sixth session they came from pg_stat_database, which a backend updates at most
        // once a second (PostgreSQL 15's pending statistics): a phase under a second, as the warmed first touches are, then
        // showed 1 block read per correction where its statements had read 11.
        async Task<(long Read, long Hit, double ReadMs)> DbIo()
        {
            await using var cmd = admin.CreateCommand("""
                SELECT coalesce(sum(shared_blks_read), 0)::bigint, coalesce(sum(shared_blks_hit), 0)::bigint, coalesce(sum(blk_read_time), 0)::float8
                  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND toplevel AND query NOT LIKE '%pg_stat_%'
                """);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2));
        }
        // Autovacuum workers at work (e.g. on the read-model tables a rebuild has just written): they take CPU and disk
        // from the requests (their reads are not the phase's statements').
        Task<string> Autovacuum() => AutovacuumAsync(admin, ct);
        // The statements (the service's, the daemon's) that read or hit the most blocks during a phase, per request.
        async Task Statements(int requests)
        {
            await using var cmd = admin.CreateCommand("""
                SELECT calls, rows, shared_blks_read, shared_blks_hit, total_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 240)
                  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND query NOT LIKE '%pg_stat_%'
                 ORDER BY shared_blks_read + shared_blks_hit DESC LIMIT 6
                """);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                Log(FormattableString.Invariant(
                    $"      statement: {reader.GetInt64(0)} calls, {reader.GetInt64(1)} rows, per request {(double)reader.GetInt64(2) / requests:F0} blocks read and {(double)reader.GetInt64(3) / requests:F0} hit, {reader.GetDouble(4) / requests:F1} ms: {reader.GetString(5)}"));
        }
        async Task<T> Phase<T>(string name, int requests, Func<Task<T>> body)
        {
            await ExecAsync(admin, "SELECT pg_stat_statements_reset()", ct);
            var vacuum0 = await Autovacuum();
            var io0 = await DbIo();
            service.Refresh();
            var cpu0 = service.TotalProcessorTime;
            var t0 = Stopwatch.GetTimestamp();
            var result = await body();
            var wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            service.Refresh();
            var cpu = (service.TotalProcessorTime - cpu0).TotalMilliseconds;
            var io1 = await DbIo();
            var vacuum1 = await Autovacuum();
            Log(FormattableString.Invariant(
                $"    {name}: per request {wall / requests:F1} ms wall, service CPU {cpu / requests:F1} ms, PostgreSQL {(double)(io1.Read - io0.Read) / requests:F0} blocks read outside shared_buffers ({(io1.ReadMs - io0.ReadMs) / requests:F1} ms) and {(double)(io1.Hit - io0.Hit) / requests:F0} hit"));
            if (vacuum0.Length + vacuum1.Length > 0) Log($"      autovacuum at the phase's start: {(vacuum0.Length > 0 ? vacuum0 : "none")}; at its end: {(vacuum1.Length > 0 ? vacuum1 : "none")}");
            await Statements(requests);
            return result;
        }

        // The same work at every level (fifteenth session; before, 1 M's as-of reads and tables went to agencies its
        // corrections had touched, and 10 M's to untouched ones). --samples agencies drawn at random, each used by every
        // operation with a year of its own: the correction is the service's and the daemon's first touch of the agency
        // (the daemon re-folds it), the as-of read its second (the agency's own and plan streams known by then, a year
        // stream not read yet), the table its third, the close (the first --closes of them) its fourth. Left out: the
        // store appends' agencies (the daemon holds them after its catch-up, so a correction on one re-folds nothing),
        // the levels' reserved copies, agencies sampled at an earlier level (their pages and stream snapshots are
        // warm) and agencies with a closed year. Only when a level has fewer such agencies than --samples (level 0) are
        // those others taken too, then the operations wrap around to further years, and the log says so.
        var candidates = Enumerable.Range(1, o.WorkRange(agencies) - 1)
            .Where(n => !reserved.Contains(n) && Enumerable.Range(NationalTemplate.FirstYear, NationalTemplate.Years).All(y => !closed.Contains((n, y))))
            .OrderBy(_ => rng.Next()).ToList();
        var untouched = candidates.Where(n => !r.AppendedTo.Contains(n) && !sampled.Contains(n)).ToList();
        var fresh = untouched.Concat(candidates.Except(untouched)).Take(o.Samples).ToList();
        if (untouched.Count < o.Samples)
            Log($"  only {untouched.Count:N0} agencies not touched before at this level, for {o.Samples:N0} samples: others taken too{(fresh.Count < o.Samples ? ", and the operations wrap around" : "")} (not the same work as a larger level's)");
        // Which agencies' first touch follows a copy batch mate's at this level (a sample of an earlier part or earlier in
        // this one, or a store-append agency the daemon re-folded at the start): with the scattered layout the batch's
        // agencies share their heap pages, so such a first touch may find them read already (diagnostic, logged below).
        // The warm-up agencies' batches too: at 1 M a few work agencies may share them (at 10 M they are the last copies' batches).
        var touchedBatches = sampled.Concat(r.AppendedTo).Concat(warmUps).Select(batchOf).ToHashSet();
        var afterMate = new Dictionary<int, bool>();
        foreach (var n in fresh) afterMate[n] = !touchedBatches.Add(batchOf(n));
        sampled.UnionWith(fresh);
        var yearsOf = fresh.ToDictionary(n => n, _ => Enumerable.Range(NationalTemplate.FirstYear, NationalTemplate.Years).OrderBy(_ => rng.Next()).ToArray());
        // Operation k's i-th sample: agency i (wrapping around), the k-th of its years in a random order (shifted at each wrap).
        List<(int N, int Year)> Operation(int k, int count) => fresh.Count == 0 ? [] : Enumerable.Range(0, count).Select(i =>
        {
            var n = fresh[i % fresh.Count];
            return (n, yearsOf[n][(k + 4 * (i / fresh.Count)) % NationalTemplate.Years]);
        }).ToList();
        var corrections = Operation(0, o.Samples);
        var asOf = Operation(1, o.Samples);
        var tables = Operation(2, o.Samples);
        var closes = Operation(3, Math.Min(o.Closes, fresh.Count)).Where(p => !closed.Contains(p)).ToList();

        async Task<(double, bool)> Timed(HttpMethod method, string path, string who, object? body, params (string, string)[] headers)
        {
            var t0 = Stopwatch.GetTimestamp();
            using var response = await HttpLoadBenchmark.SendAsync(http, method, path, who, body, ct, headers);
            var text = await response.Content.ReadAsStringAsync(ct);
            var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (!response.IsSuccessStatusCode) Log($"    NOT 2xx: {method} {path} answered {(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}");
            return (ms, response.IsSuccessStatusCode);
        }

        // One correction (value, indicator and quarter drawn from draw, in that order) and a performance table's path: the
        // timed phases' and the warm-up's. The value ends in a third decimal 5: the generated realizations and their
        // corrections have two decimals, so a drawn value never equals a generated one it corrects (the service refuses an
        // unchanged value with a 422, "a correction must change it"; with two decimals about one request in 15 000 drew
        // it). Two of the benchmark's own corrections of one cell could still draw the same value: about once in 3.6 million.
        Task<(double, bool)> PostCorrection(int n, int year, Random draw, string reason)
        {
            var value = Math.Round(1m + (decimal)draw.NextDouble() * 150m, 2) + 0.005m;
            return Timed(HttpMethod.Post, $"/api/agencies/{AgencyCode(n, o.AgenciesPerRegion)}/realizations/corrections", token,
                new { indicator = NationalTemplate.Code(draw.Next(NationalTemplate.Indicators)), year, period = "Q" + (1 + draw.Next(4)), value, reason },
                ("Idempotency-Key", Guid.NewGuid().ToString()));
        }
        string TablePath(int n, int year) => $"/api/agencies/{AgencyCode(n, o.AgenciesPerRegion)}/performance/{year}";
        // Each as-of read's path: an instant drawn within its year stream's history.
        async Task<List<string>> AsOfPathsAsync(List<(int N, int Year)> operations, Random draw)
        {
            var spans = new Dictionary<string, (DateTime From, DateTime To)>(StringComparer.Ordinal);
            // Each stream's first and last recorded times, from those two events alone (the (stream_id, version) index, two
            // heap pages a stream). Until 2026-12-07 this read every event of those streams (min and max over all of
            // them), just before the as-of reads it times: their pages were then in memory, and "first touch" was not.
            await using (var cmd = admin.CreateCommand("""
                SELECT s.id, f.timestamp, l.timestamp FROM unnest($1::text[]) AS s(id)
                  CROSS JOIN LATERAL (SELECT e.timestamp FROM ledger.mt_events e WHERE e.stream_id = s.id ORDER BY e.version LIMIT 1) f
                  CROSS JOIN LATERAL (SELECT e.timestamp FROM ledger.mt_events e WHERE e.stream_id = s.id ORDER BY e.version DESC LIMIT 1) l
                """))
            {
                cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = operations.Select(p => PerformanceYear.StreamName(AgencyCode(p.N, o.AgenciesPerRegion), p.Year)).ToArray() });
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) spans[reader.GetString(0)] = (reader.GetDateTime(1), reader.GetDateTime(2));
            }
            return operations.Select(p =>
            {
                var code = AgencyCode(p.N, o.AgenciesPerRegion);
                var (from, to) = spans[PerformanceYear.StreamName(code, p.Year)];
                var at = new DateTimeOffset(from.AddTicks((long)((to - from).Ticks * draw.NextDouble())), TimeSpan.Zero);
                return $"/api/agencies/{code}/indicators/{NationalTemplate.Code(draw.Next(NationalTemplate.Indicators))}?year={p.Year}&asOf={Uri.EscapeDataString(at.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture))}";
            }).ToList();
        }
        // --warm-up: the same kinds of request on the level's warm-up agencies (copies no part samples), untimed, so that
        // the service's code is compiled before the first touches below are timed; its own draws, so that the timed
        // requests' draws are those of a run without it. The daemon's catch-up (it re-folds the warm-up agencies) and a wait
        // until the service is idle (the tiered JIT's background compiles) follow.
        const int WarmUpRounds = 2;
        async Task WarmUpAsync(int round)
        {
            var clock = Stopwatch.StartNew();
            // A seed of the part's own (HashCode.Combine would differ from process to process): runs stay repeatable.
            var draw = new Random(unchecked(warmUps[0] * 7_919 + sampled.Count * 31 + closed.Count * 17 + round));
            var years = Enumerable.Range(NationalTemplate.FirstYear, NationalTemplate.Years).ToList();
            var answers = new List<(double, bool)>();
            int Agency(int i) => warmUps[i % warmUps.Count];
            for (var i = 0; i < o.WarmUp; i++)
            {
                var open = years.Where(y => !closed.Contains((Agency(i), y))).ToList();
                answers.Add(await PostCorrection(Agency(i), open[draw.Next(open.Count)], draw, "Pemanasan (bench)"));
            }
            foreach (var path in await AsOfPathsAsync([.. Enumerable.Range(0, o.WarmUp).Select(i => (Agency(i), years[draw.Next(years.Count)]))], draw))
                answers.Add(await Timed(HttpMethod.Get, path, token, null));
            for (var i = 0; i < o.WarmUp; i++)
                answers.Add(await Timed(HttpMethod.Get, TablePath(Agency(i), years[draw.Next(years.Count)]), token, null));
            // One close a part, on the first warm-up agency while two of its years are open (its corrections need one).
            var w = warmUps[0];
            var code = AgencyCode(w, o.AgenciesPerRegion);
            var stillOpen = years.Where(y => !closed.Contains((w, y))).ToList();
            var closes = "no close (fewer than two of its years open)";
            if (round > 1) closes = "no close (its first round closed one)";
            else if (stillOpen.Count >= 2)
            {
                var year = stillOpen[^1];
                var approver = (await HttpLoadBenchmark.PostAsync(http, token, "/api/users", new { name = $"Kepala {code} (pemanasan {closed.Count})", role = "approver", agency = code }, ct)).GetProperty("token").GetString()!;
                var close = await Timed(HttpMethod.Post, $"/api/agencies/{code}/years/{year}/close", approver, new { note = "Tutup buku (bench, pemanasan)" });
                answers.Add(close);
                if (close.Item2) closed.Add((w, year));
                closes = $"a close of {code} {year}";
            }
            var (catchUp, _) = await WaitForDaemonAsync(admin, ct);
            // Then until the service is idle: a profile of the first parts (perf, twenty-sixth session) found the tiered JIT's
            // background thread compiling for ~20 s after each start, through the warm-up and every timed phase after it.
            var (settle, busy) = await WaitUntilIdleAsync(service, ct);
            var names = warmUps.Count == 1 ? $"agency {code}" : $"{warmUps.Count} agencies ({code} … {AgencyCode(warmUps[^1], o.AgenciesPerRegion)})";
            Log(FormattableString.Invariant($"  --warm-up, round {round} of {WarmUpRounds}, on {names} (not timed in the report): {o.WarmUp} corrections, {o.WarmUp} as-of reads, {o.WarmUp} tables, {closes}; {answers.Count(a => !a.Item2)} not 2xx; p50/p99 {Latencies.Of(answers)} ms; the daemon caught up {catchUp.TotalSeconds:F1} s later, the service idle {settle.TotalSeconds:F0} s after that (its last second's processor {busy.TotalMilliseconds:F0} ms); {clock.Elapsed.TotalSeconds:F1} s in all"));
        }
        // Two rounds: the runtime counts a method's calls toward its optimized compile only once no new method has been
        // compiled for 100 ms, so a first round, which keeps compiling new ones, mostly starts the counts; a profile
        // (twenty-sixth session) found the JIT's background thread busy again through the first timed phase after one.
        if (o.WarmUp > 0 && warmUps.Count == 0) Log("  --warm-up: this level copied fewer than two agencies, so it has no warm-up agency: no warm-up");
        for (var round = 1; o.WarmUp > 0 && warmUps.Count > 0 && round <= WarmUpRounds; round++) await WarmUpAsync(round);
        Log($"  {corrections.Count} corrections (POST realizations/corrections, Idempotency-Key) ...");
        // The "again" phases: the same requests --again-passes times over (every one warm after the first touch above), so
        // that their p99, a few milliseconds, rests on more than the five slowest of 500.
        async Task<Latencies> Passes(Func<Task<List<(double, bool)>>> body)
        {
            var samples = new List<(double, bool)>();
            for (var pass = 0; pass < o.AgainPasses; pass++) samples.AddRange(await body());
            return Latencies.Of(samples);
        }
        var again = o.AgainPasses == 1 ? "again" : $"again, {o.AgainPasses} passes";
        async Task<List<(double, bool)>> Corrections()
        {
            var samples = new List<(double, bool)>();
            foreach (var (n, year) in corrections) samples.Add(await PostCorrection(n, year, rng, "Koreksi data hasil verifikasi"));
            return samples;
        }
        // A first-touch phase: its requests timed (PostgreSQL's and the service's share logged by Phase), then its latencies
        // split by whether a copy batch mate was touched before each request's agency, the level's parts so far.
        async Task<Latencies> FirstTouch(string phase, List<(int N, int Year)> operations, Func<Task<List<(double, bool)>>> send)
        {
            var samples = new List<(double, bool)>();
            var latencies = await Phase(phase, operations.Count, async () => Latencies.Of(samples = await send()));
            if (!r.ByCopyBatch.TryGetValue(phase, out var split)) r.ByCopyBatch[phase] = split = ([], []);
            for (var i = 0; i < samples.Count; i++) (afterMate[operations[i].N] ? split.AfterMate : split.First).Add(samples[i]);
            Log($"    first-touch {phase} by copy batch (p50 / p99 ms, the level's parts so far): after a batch mate's first touch {Latencies.Of(split.AfterMate)} ({split.AfterMate.Count}), the first of its batch {Latencies.Of(split.First)} ({split.First.Count})");
            return latencies;
        }
        r.Commands = Latencies.Merge(r.Commands, await FirstTouch("corrections", corrections, Corrections));
        r.CommandsAgain = Latencies.Merge(r.CommandsAgain, await Phase($"corrections, the same agency-years {again}", corrections.Count * o.AgainPasses, () => Passes(Corrections)));

        Log($"  {asOf.Count} as-of reads (GET indicators/{{code}}?year&asOf, an instant within the year stream's history) ...");
        var asOfPaths = await AsOfPathsAsync(asOf, rng);
        async Task<List<(double, bool)>> Gets(List<string> paths)
        {
            var samples = new List<(double, bool)>();
            foreach (var path in paths) samples.Add(await Timed(HttpMethod.Get, path, token, null));
            return samples;
        }
        r.AsOf = Latencies.Merge(r.AsOf, await FirstTouch("as-of reads", asOf, () => Gets(asOfPaths)));
        r.AsOfAgain = Latencies.Merge(r.AsOfAgain, await Phase($"as-of reads, the same {again}", asOfPaths.Count * o.AgainPasses, () => Passes(() => Gets(asOfPaths))));

        Log($"  {tables.Count} performance tables (GET performance/{{year}}) ...");
        var tablePaths = tables.Select(p => TablePath(p.N, p.Year)).ToList();
        r.Table = Latencies.Merge(r.Table, await FirstTouch("performance tables", tables, () => Gets(tablePaths)));
        r.TableAgain = Latencies.Merge(r.TableAgain, await Phase($"performance tables, the same {again}", tablePaths.Count * o.AgainPasses, () => Passes(() => Gets(tablePaths))));

        Log($"  {closes.Count} year closes (POST years/{{year}}/close by the agency's approver) ...");
        var approvers = new List<string>();
        foreach (var (n, _) in closes)
        {
            var code = AgencyCode(n, o.AgenciesPerRegion);
            approvers.Add((await HttpLoadBenchmark.PostAsync(http, token, "/api/users", new { name = "Kepala " + code, role = "approver", agency = code }, ct)).GetProperty("token").GetString()!);
        }
        r.Close = Latencies.Merge(r.Close, await Phase("closes", Math.Max(1, closes.Count), async () =>
        {
            var samples = new List<(double, bool)>();
            for (var i = 0; i < closes.Count; i++)
            {
                var (n, year) = closes[i];
                var s = await Timed(HttpMethod.Post, $"/api/agencies/{AgencyCode(n, o.AgenciesPerRegion)}/years/{year}/close", approvers[i], new { note = "Tutup buku (bench)" });
                samples.Add(s);
                if (s.Item2) closed.Add((n, year));
            }
            return Latencies.Of(samples);
        }));
        Log($"  commands {r.Commands} (again {r.CommandsAgain}), as-of {r.AsOf} (again {r.AsOfAgain}), tables {r.Table} (again {r.TableAgain}), closes {r.Close} (p50 / p99 ms{(o.Interleave > 0 ? ", the level's parts so far" : "")})");

        await ExecAsync(admin, "ALTER SYSTEM RESET log_min_duration_statement", ct);
        await ExecAsync(admin, "ALTER SYSTEM RESET track_io_timing", ct);
        await ExecAsync(admin, "ALTER SYSTEM RESET log_lock_waits", ct);
        await ExecAsync(admin, "ALTER SYSTEM RESET log_autovacuum_min_duration", ct);
        await ExecAsync(admin, "ALTER SYSTEM RESET auto_explain.log_min_duration", ct);
        await ExecAsync(admin, "SELECT pg_reload_conf()", ct);
        SlowStatements(pgdata, logsFrom);
    }

    /// <summary>
    /// --cold-cache: writes the file system's dirty pages out and drops the page cache (root only), so that every level's
    /// service part starts from the disk, whatever size its database has (otherwise 1 M is wholly in memory and 10 M not).
    /// </summary>
    private static async Task DropPageCacheAsync(CancellationToken ct)
    {
        using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!)
            await sync.WaitForExitAsync(ct);
        try
        {
            await File.WriteAllTextAsync("/proc/sys/vm/drop_caches", "3", ct);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException("--cold-cache drops the page cache through /proc/sys/vm/drop_caches, which needs root: run the benchmark as root or without --cold-cache.", e);
        }
    }

    /// <summary>
    /// Waits until <paramref name="service"/> uses under 100 ms of processor in a second (at most 60 s); returns how long
    /// that took and its last second's processor time.
    /// </summary>
    private static async Task<(TimeSpan Waited, TimeSpan LastSecond)> WaitUntilIdleAsync(Process service, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        service.Refresh();
        var cpu = service.TotalProcessorTime;
        TimeSpan busy;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            service.Refresh();
            var now = service.TotalProcessorTime;
            (busy, cpu) = (now - cpu, now);
        }
        while (busy.TotalMilliseconds >= 100 && waited.Elapsed < TimeSpan.FromSeconds(60));
        return (waited.Elapsed, busy);
    }

    /// <summary>
    /// Waits until the service's daemon has committed every event of the log (projection <c>sakip</c>'s progression at the
    /// log's highest sequence); returns the time it took and the backlog it found.
    /// </summary>
    private static async Task<(TimeSpan, long)> WaitForDaemonAsync(NpgsqlDataSource admin, CancellationToken ct)
    {
        const string Behind = """
            SELECT coalesce((SELECT max(seq_id) FROM ledger.mt_events), 0)
                   - coalesce((SELECT last_seq_id FROM ledger.mt_event_progression WHERE name = @shard), 0)
            """;
        var clock = Stopwatch.StartNew();
        long? first = null;
        while (true)
        {
            await using var cmd = admin.CreateCommand(Behind);
            cmd.Parameters.AddWithValue("shard", SakipReadModels.ShardOf(SakipCombinedProjection.ProjectionName));
            var behind = (long)(await cmd.ExecuteScalarAsync(ct))!;
            first ??= behind;
            if (behind <= 0) return (clock.Elapsed, first.Value);
            if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"The service's daemon is still {behind} events behind after 10 minutes.");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>
    /// The statements PostgreSQL logged as taking over 100 ms after the log files had the sizes <paramref name="from"/>
    /// (log_min_duration_statement during the HTTP phase), grouped by their first 160 characters: count, total and longest, the 12 costliest in all.
    /// </summary>
    private static Dictionary<string, long> LogSizes(string pgdata)
    {
        var logs = Path.Combine(pgdata, "log");
        return Directory.Exists(logs) ? Directory.GetFiles(logs).ToDictionary(f => f, f => new FileInfo(f).Length) : [];
    }

    private static void SlowStatements(string pgdata, Dictionary<string, long> from)
    {
        var logs = Path.Combine(pgdata, "log");
        if (!Directory.Exists(logs)) { Log("    no server log found in " + logs); return; }
        var slow = new Dictionary<string, (int Count, double Total, double Max)>(StringComparer.Ordinal);
        var locks = new List<string>();
        var vacuums = new List<string>();
        // auto_explain's plans (a "duration: … plan:" line, then tab-indented lines), the first of each query text.
        var plans = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<string>? plan = null;
        var pattern = new System.Text.RegularExpressions.Regex(@"duration: ([0-9.]+) ms\s+(?:statement|execute [^:]*|parse [^:]*|bind [^:]*): (.*)$");
        foreach (var file in Directory.GetFiles(logs))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(from.GetValueOrDefault(file), SeekOrigin.Begin);
            using var text = new StreamReader(stream);
            var lockLines = 0;
            while (text.ReadLine() is { } line)
            {
                if (plan is not null && line.StartsWith('\t'))
                {
                    if (plan.Count == 1 && line.TrimStart().StartsWith("Query Text:", StringComparison.Ordinal))
                    {
                        var query = line.Trim();
                        query = query.Length > 200 ? query[..200] : query;
                        if (plans.ContainsKey(query) || plans.Count >= 8) { plan = null; continue; }
                        plans[query] = plan;
                    }
                    if (plan.Count < 40) plan.Add(line.Length > 250 ? line[..250] : line);
                    continue;
                }
                plan = null;
                if (line.Contains("  plan:", StringComparison.Ordinal) && line.Contains("duration:", StringComparison.Ordinal))
                {
                    plan = [line.Length > 200 ? line[..200] : line];
                    continue;
                }
                // Lock waits over deadlock_timeout (log_lock_waits): the wait, who holds the lock, and the statement.
                if (line.Contains("still waiting for", StringComparison.Ordinal) || line.Contains("acquired ", StringComparison.Ordinal) && line.Contains(" after ", StringComparison.Ordinal))
                    lockLines = locks.Count < 40 ? 3 : 0;
                if (lockLines > 0)
                {
                    locks.Add(line.Length > 300 ? line[..300] : line);
                    lockLines--;
                }
                // Autovacuum runs that ended during the phase (log_autovacuum_min_duration): which table, and its time.
                if (line.Contains("automatic vacuum of table", StringComparison.Ordinal) || line.Contains("automatic analyze of table", StringComparison.Ordinal))
                    vacuums.Add(line.Length > 200 ? line[..200] : line);
                else if (line.Contains("elapsed:", StringComparison.Ordinal) && line.Contains("system usage", StringComparison.Ordinal) && vacuums.Count > 0
                         && !vacuums[^1].Contains("system usage", StringComparison.Ordinal))
                    vacuums[^1] += " — " + line.Trim();
                var m = pattern.Match(line);
                if (!m.Success) continue;
                var ms = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                var key = m.Groups[2].Value.Length > 160 ? m.Groups[2].Value[..160] : m.Groups[2].Value;
                var (c, t, x) = slow.GetValueOrDefault(key);
                slow[key] = (c + 1, t + ms, Math.Max(x, ms));
            }
        }
        Log($"    statements over 100 ms during the HTTP phase: {slow.Values.Sum(v => v.Count)}");
        foreach (var (key, v) in slow.OrderByDescending(kv => kv.Value.Total).Take(12))
            Log(FormattableString.Invariant($"      {v.Count} × total {v.Total:F0} ms, max {v.Max:F0} ms: {key}"));
        Log($"    lock waits over deadlock_timeout during the HTTP phase (each with the two lines after it): {locks.Count / 3}");
        foreach (var line in locks) Log("      " + line);
        Log($"    autovacuum runs that ended during the HTTP phase: {vacuums.Count}");
        foreach (var line in vacuums.Take(40)) Log("      " + line);
        Log($"    plans of statements over 250 ms (auto_explain, the first of each query): {plans.Count}");
        foreach (var lines in plans.Values) Log("      " + string.Join("\n        ", lines));
    }

    /// <summary>
    /// The copies are real agencies: a copy no measurement writes to (the newest of each level) answers the service's reads (performance table, PK and one
    /// indicator of every year) exactly as the template does, with its own code in place of the template's.
    /// </summary>
    private static async Task<string> CheckCloneAsync(HttpClient http, string token, int n, NationalOptions o, CancellationToken ct)
    {
        var code = AgencyCode(n, o.AgenciesPerRegion);
        var reads = 0;
        foreach (var year in Enumerable.Range(NationalTemplate.FirstYear, NationalTemplate.Years))
        {
            foreach (var path in new[] { $"performance/{year}", $"pk/{year}", $"indicators/{NationalTemplate.Code(year % NationalTemplate.Indicators)}?year={year}" })
            {
                async Task<string> Get(string agency)
                {
                    using var response = await HttpLoadBenchmark.SendAsync(http, HttpMethod.Get, $"/api/agencies/{agency}/{path}", token, null, ct);
                    var text = await response.Content.ReadAsStringAsync(ct);
                    return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"GET {agency}/{path} answered {(int)response.StatusCode}: {text}");
                }
                var expected = (await Get(TemplateCode)).Replace(TemplateCode, code, StringComparison.Ordinal);
                var actual = await Get(code);
                reads++;
                if (expected != actual)
                {
                    var at = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i]);
                    return $"**differs** ({code}, {path}, at character {at}: …{expected[Math.Max(0, at - 40)..Math.Min(expected.Length, at + 40)]}… vs …{actual[Math.Max(0, at - 40)..Math.Min(actual.Length, at + 40)]}…)";
                }
            }
        }
        return $"yes ({code}, {reads} reads)";
    }

    /// <summary>
    /// Diagnostics for the log (not the report): the plans, with timings and buffers, of the statements whose cost could
    /// grow with the log: Marten's as-of fetch of a year stream (its own SQL: stream, timestamp, ORDER BY seq_id), the
    /// current versions a read asks for, the log head of a close, a page of the verifier, and the scan for published heads.
    /// </summary>
    private static async Task ExplainAsync(NpgsqlDataSource admin, int agencies, NationalOptions o, Random rng, CancellationToken ct)
    {
        var code = AgencyCode(1 + rng.Next(agencies - 1), o.AgenciesPerRegion);
        var stream = PerformanceYear.StreamName(code, NationalTemplate.FirstYear + rng.Next(NationalTemplate.Years));
        var max = await ScalarAsync<long>(admin, "SELECT max(seq_id) FROM ledger.mt_events", ct);
        var statements = new (string What, string Sql, Action<NpgsqlParameterCollection> Bind)[]
        {
            ("Marten's as-of stream fetch", """
                SELECT d.data, d.type, d.mt_dotnet_type, d.id, d.seq_id, d.version, d.timestamp, d.tenant_id, d.is_archived, d.correlation_id, d.causation_id, d.headers
                  FROM ledger.mt_events AS d
                 WHERE d.stream_id = @stream AND d.timestamp <= (SELECT min(timestamp) + (max(timestamp) - min(timestamp)) / 2 FROM ledger.mt_events WHERE stream_id = @stream)
                 ORDER BY d.seq_id
                """, p => p.AddWithValue("stream", stream)),
            ("current versions (StreamLoader.VersionsAsync)", """
                SELECT s.id, (SELECT e.version FROM ledger.mt_events e WHERE e.stream_id = s.id ORDER BY e.version DESC LIMIT 1)
                  FROM unnest(@streams::text[]) AS s(id)
                """, p => p.AddWithValue("streams", new[] { stream, $"agency-{code}", $"renstra-{code}-2021", $"renstra-{code}-2022" })),
            ("format 3 log head (before audit/0003)", LogHeadStreamsFormatThree, p => p.AddWithValue("settled", max)),
            ("a verifier page (AuditSql.VerifyEvents)", AuditSql.VerifyEvents, p => { p.AddWithValue("after", max / 2); p.AddWithValue("max", 5000); }),
            ("published heads (Marten's QueryAllRawEvents by type)", """
                SELECT d.seq_id FROM ledger.mt_events AS d WHERE d.type = 'year.snapshot-frozen.v1' ORDER BY d.seq_id
                """, _ => { }),
        };
        foreach (var (what, sql, bind) in statements)
        {
            await using var cmd = admin.CreateCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql);
            bind(cmd.Parameters);
            var plan = new List<string>();
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) plan.Add(r.GetString(0));
            Log($"  EXPLAIN {what}:\n      " + string.Join("\n      ", plan));
        }
    }

    /// <summary>
    /// The format 3 log head statement (AuditSql.LogHeadStreams before audit/0003 replaced it with the chain of heads):
    /// every stream row and one chain hash per stream, for the comparison below.
    /// </summary>
    private const string LogHeadStreamsFormatThree = """
        WITH head AS (
            SELECT coalesce((SELECT max(seq_id) FROM ledger.mt_events WHERE seq_id <= @settled), 0) AS seq
        ), moved AS (
            SELECT DISTINCT ON (e.stream_id) e.stream_id, e.version
              FROM ledger.mt_events e
             WHERE e.seq_id > (SELECT seq FROM head)
             ORDER BY e.stream_id, e.version
        )
        SELECT head.seq, NULL::varchar, NULL::bigint, NULL::bytea FROM head
        UNION ALL
        SELECT head.seq, s.id, v.version,
               (SELECT h.hash FROM ledger_audit.event_hashes h WHERE h.stream_id = s.id AND h.version = v.version)
          FROM head, ledger.mt_streams s
          LEFT JOIN moved m ON m.stream_id = s.id
          CROSS JOIN LATERAL (SELECT coalesce(m.version - 1, s.version, 0) AS version) v
        """;

    /// <summary>The two audit statements as they were before issue 13 fixed their plans (AuditSql at 2a8dd24), for the comparison below.</summary>
    private const string LogHeadStreamsBefore = """
        WITH head AS (
            SELECT coalesce((SELECT max(seq_id) FROM ledger.mt_events WHERE seq_id <= @settled), 0) AS seq
        ), moved AS (
            SELECT DISTINCT ON (e.stream_id) e.stream_id, e.version
              FROM ledger.mt_events e
             WHERE e.seq_id > (SELECT seq FROM head)
             ORDER BY e.stream_id, e.version
        )
        SELECT head.seq, NULL::varchar, NULL::bigint, NULL::bytea FROM head
        UNION ALL
        SELECT head.seq, s.id, v.version, h.hash
          FROM head, ledger.mt_streams s
          LEFT JOIN moved m ON m.stream_id = s.id
          CROSS JOIN LATERAL (SELECT coalesce(m.version - 1, s.version, 0) AS version) v
          LEFT JOIN ledger_audit.event_hashes h ON h.stream_id = s.id AND h.version = v.version
        """;

    private const string VerifyEventsBefore = """
        SELECT e.seq_id, e.stream_id, e.version, h.hash, sha256(ledger_audit.canonical(e)), h.stream_id, h.version
          FROM ledger.mt_events e
          LEFT JOIN ledger_audit.event_hashes h ON h.seq_id = e.seq_id
         WHERE e.seq_id > @after
         ORDER BY e.seq_id
         LIMIT @max
        """;

    /// <summary>
    /// The log head statement and one verifier page (5 000 events from 10 000 before the log's end), as the service role,
    /// before and after issue 13's rewrite: the median of seven runs each, ms (query and reading every row; a full
    /// garbage collection of this process before each, so that what this process holds at a level does not land in one),
    /// and the page's time inside PostgreSQL (EXPLAIN ANALYZE's execution time, the median of five warm runs).
    /// </summary>
    private static async Task<((double, double) Head, (double, double) Page, double PageServer, double PagePlanning)> BeforeAndAfterAsync(NpgsqlDataSource service, NpgsqlDataSource admin, CancellationToken ct)
    {
        var max = await ScalarAsync<long>(admin, "SELECT max(seq_id) FROM ledger.mt_events", ct);
        async Task<double> Time(string sql, Action<NpgsqlParameterCollection> bind)
        {
            var times = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await using var cmd = service.CreateCommand(sql);
                bind(cmd.Parameters);
                var t0 = Stopwatch.GetTimestamp();
                await using (var r = await cmd.ExecuteReaderAsync(ct)) while (await r.ReadAsync(ct)) { }
                times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            return Report.Quantile(times, 0.5);
        }
        void Head(NpgsqlParameterCollection p) => p.AddWithValue("settled", max);
        void Page(NpgsqlParameterCollection p) { p.AddWithValue("after", Math.Max(0, max - 10_000)); p.AddWithValue("max", 5000); }
        var head = (await Time(LogHeadStreamsBefore, Head), await Time(LogHeadStreamsFormatThree, Head));
        var page = (await Time(VerifyEventsBefore, Page), await Time(AuditSql.VerifyEvents, Page));
        var (server, planning) = (new List<double>(), new List<double>());
        for (var i = 0; i < 5; i++)
        {
            await using var cmd = service.CreateCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + AuditSql.VerifyEvents);
            Page(cmd.Parameters);
            using var plan = JsonDocument.Parse((string)(await cmd.ExecuteScalarAsync(ct))!);
            server.Add(plan.RootElement[0].GetProperty("Execution Time").GetDouble());
            planning.Add(plan.RootElement[0].GetProperty("Planning Time").GetDouble());
        }
        return (head, page, Report.Quantile(server, 0.5), Report.Quantile(planning, 0.5));
    }

    private static async Task<(long Database, long Events, long Hashes, long ReadModels)> SizesAsync(NpgsqlDataSource admin, CancellationToken ct)
    {
        await using var cmd = admin.CreateCommand("""
            SELECT pg_database_size(current_database()), pg_total_relation_size('ledger.mt_events'), pg_total_relation_size('ledger_audit.event_hashes'),
                   (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'readmodel' AND c.relkind = 'r')
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
    }

    private static Task<long> CountEventsAsync(NpgsqlDataSource admin, CancellationToken ct) => ScalarAsync<long>(admin, "SELECT count(*) FROM ledger.mt_events", ct);

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource ds, string sql, CancellationToken ct)
    {
        await using var cmd = ds.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecAsync(NpgsqlDataSource ds, string sql, CancellationToken ct)
    {
        await using var cmd = ds.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string Section(NationalOptions o, string environment, long perAgency, int requests, TimeSpan templateTime, int full,
        List<LevelResult> results, List<string> notReached)
    {
        static string F(double v, string format = "N0") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine(Heading).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Run {(results.Count > 0 ? results[0].Started : "")}–{DateTimeOffset.UtcNow:HH:mm} UTC: `dotnet run -c Release --project ops/bench/Ledger.Bench -- national-scale {o.CommandLine}`.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{environment}. Service, PostgreSQL and the benchmark share the machine with other work (load averages below).").AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"The data: {o.Regions} regional governments × {o.AgenciesPerRegion} agencies ({full:N0}, about {full * perAgency / 1e6:F1} M events at the full volume). " +
            $"One template agency was written through the service over HTTP ({requests:N0} requests, {templateTime.TotalSeconds:F0} s): rating scale, a Renstra " +
            $"{NationalTemplate.FirstYear}–{NationalTemplate.RenstraEnd} of {NationalTemplate.Indicators} indicators, five years each with APBD murni and perubahan, PK murni and perubahan, " +
            $"quarterly realizations of every indicator, {4 * NationalTemplate.SpendingPerQuarter} spending entries and {4 * NationalTemplate.CorrectionsPerQuarter} corrections, and the Inspektorat's " +
            $"evaluations of four years: {perAgency:N0} events in {NationalTemplate.StreamsPerAgency} streams. Every other agency is a copy made in SQL as the service role " +
            $"(`NationalCloner`: the agency code replaced in stream ids, payloads and headers, new event ids and sequence numbers, recorded at the database clock, " +
            $"{NationalCloner.Phases} transactions per batch of {o.Batch} agencies, {o.CloneWorkers} at a time, " +
            $"{(o.Scattered ? "the batch's agencies interleaved event by event in the template's order (`--layout scattered`)" : "agency by agency")}" +
            $"), sealed by the audit layer at every commit as any append is.").AppendLine();
        sb.AppendLine("Per level, in this order: copy the agencies, `VACUUM (ANALYZE)` the event tables, single-event appends on the store path (on " +
                      o.AppendAgencies.ToString(CultureInfo.InvariantCulture) + " agencies), " +
                      (o.Cluster ? "**the event table rewritten in (stream, version) order (`--cluster`: `CLUSTER ledger.mt_events USING pk_mt_events_stream_and_version`, then `ANALYZE`, right after the copy's vacuum)**, " : "") +
                      "a rebuild of every read model " +
                      "(its teardown, the DELETE of every read-model row, timed on its own first; the rebuild runs with the service's Marten settings, command timeout 30 s), " +
                      "`VACUUM (ANALYZE)` of the read models (ANALYZE alone before the seventeenth session), a `CHECKPOINT` and a `sync` (so that no write of the copy or the rebuild is still pending), the log head, " + (o.ColdCache ? "**the operating system's page cache dropped (`--cold-cache`)**, " : "") +
                      "then the service (Release, a child process): cold start, then one request at a time on agencies drawn at random, the same number at every level " +
                      "(each untouched before: a correction, then an as-of read, a performance table and a close, each on another of its years), then the verifier. Latencies are p50 / p99 in ms.").AppendLine();
        if (o.Interleave > 0)
            sb.AppendLine(
                $"**Interleaved (`--interleave {o.Interleave}`):** every level in a database of its own in the same cluster (each with its own template written through the service), " +
                "all built first (copy, vacuum, store appends, rebuild, vacuum, checkpoint), then no autovacuum left running (waited for); then the measurements (the log heads, a close's inputs, the store appends again, the service's start and its requests) " +
                $"in {o.Interleave} rounds, the levels' order reversed every round ({string.Join(", ", Enumerable.Range(0, o.Interleave).SelectMany(k => RoundOrder(results, k)).Select(r => LevelName(r.Label)))}), " +
                $"each part with 1/{o.Interleave} of the samples, closes, log heads and store appends, on agencies no earlier part used (the store appends on the level's pool of --append-agencies); a level's latencies are its parts' samples together, its cold start and catch-up the parts' mean; the store appends compared are the parts', the build's shown beside them. " +
                (o.RestBeforeRounds > 0 ? $"**The first round started {o.RestBeforeRounds} s after the builds (`--rest-before-rounds`).** " : "") +
                (o.FreshPoolEachPart ? "**Every part's log heads started on new backends (`--fresh-pool-each-part`).** " : "") +
                "A machine busier for some minutes then weighs on every level, not on one. After all rounds, every level's read models rebuilt again, a smaller level more often (k times, k = the largest level's events over its own, from 1 to 4; half before the largest level's rebuild, half after; the rebuild's rate is over all of a level's rebuilds); then the verifier over every level's whole log, the levels in order and then reversed (its rate is over both runs); then the diagnostics.").AppendLine();
        if (o.SkipRebuild)
            sb.AppendLine("**Rebuild skipped (`--skip-rebuild`):** the read models were empty when the service started, so its daemon caught up " +
                          "the whole log while the requests below were timed; their latencies include that work and are not comparable with a run " +
                          "that rebuilt first.").AppendLine();

        sb.Append("| measure |");
        foreach (var r in results) sb.Append(CultureInfo.InvariantCulture, $" {LevelName(r.Label)} |");
        var pairs = Enumerable.Range(1, Math.Max(0, results.Count - 1)).ToList();
        foreach (var i in pairs) sb.Append(CultureInfo.InvariantCulture, $" {LevelName(results[i - 1].Label)} → {LevelName(results[i].Label)} |");
        sb.AppendLine();
        sb.Append("|---|").Append(string.Concat(results.Select(_ => "---:|"))).AppendLine(string.Concat(pairs.Select(_ => "---:|")));

        // worse: the figure compared between levels (bigger is slower); dist and q: the latency distribution and quantile
        // it is, for the change's bootstrap interval (ChangeInterval).
        static string Percent(double change) => change.ToString("+0%;-0%;0%", CultureInfo.InvariantCulture);
        // A change between levels, bold when more than 20 % slower.
        static string Change(double change) => change > 0.2 ? $"**{Percent(change)}**" : Percent(change);
        void Row(string name, Func<LevelResult, string> show, Func<LevelResult, double>? worse = null, Func<LevelResult, Latencies>? dist = null, double q = 0.99)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {name} |");
            foreach (var r in results) sb.Append(CultureInfo.InvariantCulture, $" {show(r)} |");
            foreach (var i in pairs)
            {
                if (worse is null) { sb.Append(" |"); continue; }
                var (a, b) = (worse(results[i - 1]), worse(results[i]));
                if (double.IsNaN(a) || double.IsNaN(b) || a <= 0) { sb.Append(" – |"); continue; }
                var change = b / a - 1;
                sb.Append(' ').Append(Change(change));
                if (dist is not null && ChangeInterval(dist(results[i - 1]), dist(results[i]), q) is var (low, high) && !double.IsNaN(low))
                    sb.Append(CultureInfo.InvariantCulture, $" [{Percent(low)}, {Percent(high)}]");
                sb.Append(" |");
            }
            sb.AppendLine();
        }
        Row("agencies", r => F(r.Agencies));
        Row("events", r => F(r.Events));
        Row("streams", r => F(r.Streams));
        Row("generation: events copied / s", r => r.Added > 0 ? F(r.Added / r.Generation.TotalSeconds) : "–", r => r.Added > 0 ? r.Generation.TotalSeconds / r.Added : double.NaN);
        Row("`VACUUM (ANALYZE)` of the event tables, s", r => F(r.Vacuum.TotalSeconds));
        Row("append, store path, p50 / p99 ms" + (o.Interleave > 0 ? " (in every part)" : ""), r => r.Appends.ToString(), r => r.Appends.P99, r => r.Appends);
        Row("append, store path, events/s (" + o.Writers + " writers)", r => F(r.AppendRate), r => 1 / r.AppendRate);
        if (o.Interleave > 0)
        {
            Row("the same while the level was built (not alternated), p50 / p99 ms", r => r.AppendsAtBuild?.ToString() ?? "–", r => r.AppendsAtBuild?.P99 ?? double.NaN, r => r.AppendsAtBuild!);
            Row("the same while built, events/s", r => F(r.AppendRateAtBuild), r => 1 / r.AppendRateAtBuild);
        }
        Row("rebuild of all read models, events/s (after the teardown)" + (o.Interleave > 0 ? " (all rebuilds; each)" : ""),
            r => r.Rebuilds.Count == 0 ? "not run" : F(r.RebuildRate) + (r.Rebuilds.Count > 1 ? " (" + string.Join(", ", r.Rebuilds.Select(b => F(b.Events / b.Time.TotalSeconds))) + ")" : ""),
            r => r.Rebuilds.Count == 0 ? double.NaN : 1 / r.RebuildRate);
        Row("rebuild of all read models, s" + (o.Interleave > 0 ? " (each)" : ""), r => r.Rebuilds.Count == 0 ? "not run" : string.Join(", ", r.Rebuilds.Select(b => F(b.Time.TotalSeconds))) + (r.RebuildFailure is null ? "" : " (**a second attempt**)"));
        Row("its teardown (DELETE of every read-model row), s" + (o.Interleave > 0 ? " (each)" : ""),
            r => r.Teardowns.Count == 0 ? "–" : string.Join(", ", r.Teardowns.Select(t => F(t.TotalSeconds, "F1"))));
        Row("chain of log heads caught up after the copy (`LogHeads.CatchUpAsync`, as the service at start), s", r => F(r.HeadCatchUp.TotalSeconds, "F1"),
            r => r.Added > 0 ? r.HeadCatchUp.TotalSeconds / r.Added : double.NaN);
        Row("checkpoint, then sync, after the rebuild (before the measurements below), s", r => FormattableString.Invariant($"{r.Checkpoint.TotalSeconds:F1}, {r.Sync.TotalSeconds:F1}"));
        Row("log head (a close's `LogHeads.ReadAsync`, 20 new events since the previous), p50 / p99 ms", r => r.LogHead.ToString(), r => r.LogHead.P50, r => r.LogHead, 0.5);
        if (o.Interleave > 1)
        {
            // Paired by round (seventeenth session): a round's two parts ran minutes apart, so a part's p50 shares that
            // round's machine with the other level's; the pooled p50 above lets one slow part weigh on one level alone,
            // and its bootstrap treats samples of the same part as independent.
            sb.Append("| the same, each part's p50 (the change by round: a round's part at the larger level against its part at the smaller; their geometric mean) |");
            foreach (var r in results) sb.Append(CultureInfo.InvariantCulture, $" {string.Join(", ", r.LogHeadParts.Select(p => F(p.P50, "F1")))} |");
            foreach (var i in pairs)
            {
                var ratios = results[i - 1].LogHeadParts.Zip(results[i].LogHeadParts, (a, b) => b.P50 / a.P50).Where(x => double.IsFinite(x) && x > 0).ToList();
                if (ratios.Count == 0) { sb.Append(" – |"); continue; }
                var mean = Math.Exp(ratios.Average(Math.Log)) - 1;
                sb.Append(CultureInfo.InvariantCulture, $" {Change(mean)} ({string.Join(", ", ratios.Select(x => Percent(x - 1)))}) |");
            }
            sb.AppendLine();
        }
        Row("a close's snapshot inputs read (on the store appends' agencies; the same again), p50 / p99 ms", r => $"{r.CloseInputs} ({r.CloseInputsAgain})", r => r.CloseInputs.P50, r => r.CloseInputs, 0.5);
        static string Each(List<TimeSpan> times, Func<TimeSpan, string> show) => times.Count <= 1 ? "" : " (" + string.Join(", ", times.Select(show)) + ")";
        Row("service cold start to first command, ms" + (o.Interleave > 0 ? " (mean; each part's)" : ""),
            r => F(r.ColdStart.TotalMilliseconds) + Each(r.ColdStarts, t => F(t.TotalMilliseconds)), r => r.ColdStart.TotalMilliseconds);
        if (!o.SkipRebuild)
            Row("daemon catch-up after the start (the store appends' agencies re-folded from the log), s (events, agencies); compared per agency" +
                (o.Interleave > 0 ? " (means per start; each start's s)" : ""),
                r => FormattableString.Invariant($"{r.DaemonCatchUp.TotalSeconds:F1} ({r.DaemonBacklog / Math.Max(1, r.DaemonCatchUps.Count):N0}, {r.AppendAgencies:N0})") + Each(r.DaemonCatchUps, t => F(t.TotalSeconds, "F1")),
                r => r.AppendAgencies > 0 ? r.DaemonCatchUp.TotalSeconds / r.AppendAgencies : double.NaN);
        Row("command: POST corrections, p50 / p99 ms", r => r.Commands.ToString(), r => r.Commands.P99, r => r.Commands);
        Row("the same agency-years again, p50 / p99 ms", r => r.CommandsAgain.ToString(), r => r.CommandsAgain.P99, r => r.CommandsAgain);
        Row("as-of read: GET indicator ?year&asOf (the instant chosen from the stream's first and last events alone since 2026-12-07; before, from all its events, read just before), p50 / p99 ms", r => r.AsOf.ToString(), r => r.AsOf.P99, r => r.AsOf);
        Row("the same reads again, p50 / p99 ms", r => r.AsOfAgain.ToString(), r => r.AsOfAgain.P99, r => r.AsOfAgain);
        Row("performance table: GET performance/{year}, p50 / p99 ms", r => r.Table.ToString(), r => r.Table.P99, r => r.Table);
        Row("the same tables again, p50 / p99 ms", r => r.TableAgain.ToString(), r => r.TableAgain.P99, r => r.TableAgain);
        Row("year close: POST years/{year}/close, p50 / p99 ms", r => r.Close.ToString(), r => r.Close.P50, r => r.Close, 0.5);
        Row("verifier over the whole log, events/s" + (o.Interleave > 0 ? " (over both runs; each)" : ""),
            r => F(r.Verified / r.Verify.TotalSeconds) + (r.Verifications.Count > 1 ? " (" + string.Join(", ", r.Verifications.Select(v => F(v.Events / v.Time.TotalSeconds))) + ")" : ""),
            r => r.Verify.TotalSeconds / r.Verified);
        Row("verifier, s (published heads compared)" + (o.Interleave > 0 ? " (each)" : ""),
            r => string.Join(", ", r.Verifications.Select(v => F(v.Time.TotalSeconds))) + FormattableString.Invariant($" ({r.Heads})"));
        Row("format 3 log head statement (replaced by audit/0003) before / after issue 13's plan fix, ms", r => FormattableString.Invariant($"{r.HeadSql.Before:F0} / {r.HeadSql.After:F0}"), r => r.HeadSql.After);
        Row("a verifier page of 5 000 at the log's end before / after issue 13's fix, ms", r => FormattableString.Invariant($"{r.PageSql.Before:F0} / {r.PageSql.After:F0}"), r => r.PageSql.After);
        Row("the same page inside PostgreSQL (EXPLAIN ANALYZE's execution time; its planning time), ms", r => F(r.PageServer, "F1") + " (" + F(r.PagePlanning, "F1") + ")", r => r.PageServer);
        Row("published heads found (audit/0005's index; a scan by event type before 2026-12-06), s", r => F(r.HeadsLoad.TotalSeconds, "F1"), r => r.HeadsLoad.TotalSeconds / r.Events);
        Row("chain verified", r => r.Verifications.Count == 0 ? "not run" : r.VerifyOk ? "ok" : "**NOT ok**");
        Row("a copied agency reads as the template (performance, PK, indicators of 5 years)", r => r.CloneCheck);
        Row($"a copied agency's events, and the heap pages holding them ({(o.Scattered ? "`--layout scattered`: a batch's agencies interleaved event by event" : "grouped: copied agency by agency")}; means of 5 copies)",
            r => FormattableString.Invariant($"{r.AgencyPages.Events:N0} on {r.AgencyPages.Pages:N0}") +
                 (r.AgencyPagesClustered is { } c ? FormattableString.Invariant($"; after the CLUSTER on {c.Pages:N0}") : ""));
        if (o.Cluster)
            Row("`--cluster`: the event table rewritten in (stream, version) order after the copy (CLUSTER, then ANALYZE, by the owner), s",
                r => F(r.Clustering.TotalSeconds, "F0"), r => r.Clustering.TotalSeconds / Math.Max(1, r.Events));
        Row("requests not 2xx (commands, as-of, tables, closes)", r => $"{r.Commands.Failures}, {r.AsOf.Failures}, {r.Table.Failures}, {r.Close.Failures}");
        Row("database, GB", r => F(r.DatabaseBytes / 1e9, "F2"));
        Row("of which mt_events / event_hashes / readmodel, GB", r => FormattableString.Invariant($"{r.EventTableBytes / 1e9:F2} / {r.HashTableBytes / 1e9:F2} / {r.ReadModelBytes / 1e9:F2}"));
        Row("database bytes per event", r => F(r.DatabaseBytes / (double)Math.Max(1, r.Events)));
        Row("load average before → after", r => $"{r.LoadBefore} → {r.LoadAfter}");
        sb.AppendLine();
        sb.AppendLine(FormattableString.Invariant(
            $"Samples per level: {o.Writers} × {o.Appends} store appends, {o.Samples} corrections, {o.Samples} as-of reads, {o.Samples} performance tables, {o.Closes} closes ") +
            $"(the same --samples agencies at every level{(o.WorkAgencies is { } w ? $", drawn, as the store appends' agencies, from agencies 1 … {w - 1} only (--work-agencies)" : "")}{(o.WarmUp > 0 ? $"; before each part's first touches, two rounds of {o.WarmUp} of each request (and a close) on {o.WarmUpAgencies} warm-up {(o.WarmUpAgencies == 1 ? "agency" : "agencies")} no part samples, each round followed by a wait until the service is idle, not timed (--warm-up)" : "")}, none touched before and none of the store appends': on each the correction is the service's first touch, then the as-of read, the table and the close each on another year of it; an approver is created for each closing agency first, not timed; each of the other three is then repeated on the same agency-years, \"again\", {o.AgainPasses} {(o.AgainPasses == 1 ? "time" : "times")} over, to tell the cold cache's part; the log shows, per operation, the service's CPU, PostgreSQL's block reads and every statement over 100 ms), the log head {o.LogHeads} times, each after 20 single-event store appends (the events it chains). The change columns: how much slower (+) the later level is " +
            "(for rates, the time per event; for latencies, the p99, for the log head and closes the p50); **bold**: more than 20 % slower. " +
            "In brackets, for latencies: the change's 90 % interval from the samples alone (a bootstrap: each level's requests drawn again with replacement, 2 000 times). " +
            "Where its lower end is over +20 %, the slowdown is beyond the samples' own noise; where it reaches +20 % or less, the samples cannot tell. It does not cover a machine busier during one level than the other.");
        foreach (var r in results.Where(r => r.RebuildFailure is not null))
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"At {LevelName(r.Label)} the rebuild {r.RebuildFailure}; the rate above is the second attempt's, with a 2 h command timeout.");
        if (notReached.Count > 0)
        {
            sb.AppendLine().AppendLine("Not measured:").AppendLine();
            foreach (var n in notReached) sb.AppendLine("- " + n);
        }
        return sb.ToString();
    }

    private static string LevelName(string label) => label switch
    {
        "0" => "≈ 0 (one region)",
        "full" => "full",
        _ => label.ToUpperInvariant().Replace("M", " M", StringComparison.Ordinal),
    };

    private static void Log(string line) => ScenarioRunner.Log(line);
}
