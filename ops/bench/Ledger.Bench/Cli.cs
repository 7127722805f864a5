using System.Globalization;
using System.Runtime.InteropServices;

namespace Ledger.Bench;

internal static class Cli
{
    public const string Usage = """
        Usage: dotnet run -c Release --project ops/bench/Ledger.Bench -- marten-appends [options]
               dotnet run -c Release --project ops/bench/Ledger.Bench -- asof [--events <n>] [--reads <n>] [--snapshot-every <n>] [--markdown <path>]
               dotnet run -c Release --project ops/bench/Ledger.Bench -- http-load [--clients <n, 16>] [--duration <s, 30>] [--warmup <s, 5>] [--restarts <n, 3>] [--sweep <n,n,...> [--compare-cache] [--reads-only]] [--markdown <path>]
               dotnet run -c Release --project ops/bench/Ledger.Bench -- rebuild-readmodels [--events <n, default 200000>] [--batch-size <n>[,<n>…]] [--rounds <n>] [--parallel] [--diagnose] [--agency-capacity <n>] [--only <word>[,<word>…]] [--timeline]
               dotnet run -c Release --project ops/bench/Ledger.Bench -- verify-derived [--events <n, default 200000>] [--rounds <n>] [--snapshot-every <n>] [--recompute-agencies <n>]
               dotnet run -c Release --project ops/bench/Ledger.Bench -- two-hosts [--duration <s, 180>] [--kill-every <s, 30>] [--clients <n, 8>] [--markdown <path>]
               dotnet run -c Release --project ops/bench/Ledger.Bench -- national-scale [--levels 0,1m,10m,full] [--samples <n, 500>] [--closes <n, 60>] [--log-heads <n, 20>] [--again-passes <n, 3>] [--interleave <rounds>] [--log-head-parts] [--rest-before-rounds <s>] [--fresh-pool-each-part] [--markdown <path>] [--skip-rebuild] [--layout grouped|scattered] [--cluster] [--work-agencies <n>] [--warm-up <n>] [--warm-up-agencies <k>] [options]

        Each benchmark starts a private, durable (fsync on, synchronous_commit on) PostgreSQL cluster in a temporary
        folder, measures, prints a markdown report and deletes the cluster. Those that start the service (http-load,
        national-scale) append its log, at Information level with timestamps, to the file LEDGER_BENCH_SERVICE_LOG
        names, if set: the daemon's pages and the start-up phases, for diagnosis (not for the recorded figures). With
        LEDGER_BENCH_SERVICE_TRACE set to a folder, every service process they start writes a CPU sample profile there
        (EventPipe's sample profiler and the runtime's GC events, <agency>-<pid>.nettrace; `dotnet-trace report <file>
        topN` lists where the threads were, waiting ones included) and is stopped by SIGTERM so that the file is complete (diagnosis only: the profiler costs
        processor time). LEDGER_BENCH_SERVICE_ENV="K=V;K2=V2" adds those variables to the service's environment only (the
        runtime's settings side by side, e.g. DOTNET_TieredPGO=0), and the benchmark logs them.

        marten-appends (issue 11), on one durable cluster: raw INSERT (.NET, and the same INSERT from the machine's
        pgbench, -M prepared, same clients and duration), plain Marten (FetchForWriting + Append + SaveChangesAsync with
        Ledger's headers; Marten's schema only) and the Ledger path (LedgerSchema.MigrateAsync: Marten + audit layer,
        the service's grants); single events at 1 writer and at --writers, batches at --batch-writers. Reports Ledger
        path / plain Marten against the goal (>= 85 %). Diagnostics (skipped with --no-diagnostics): Marten's defaults
        (no exclusive append lock, no unique event-id index), the rejected per-row trigger design, the seal of audit
        migration 0001, the seal storing one hash row per append instead of one per event, and the seal moved after
        commit (no trigger; a sealer on its own connection hashes committed events into the same chain during every
        run, and drains what is left after it; reported as events sealed per second of run and drain), also storing one
        row per sealer call and a head per stream instead of one row per event, and the seal as a statement-level
        AFTER INSERT trigger over the events table's transition table, and the canonical form replaced by the row's
        binary form (record_send) for the seal and the verifier (bench-only SQL); every
        Marten database is ANALYZEd after each group's warm-up. Checks at the end that every table holds what its
        writers reported, that every audited design sealed every event, and that the chain verifier (ChainVerifier,
        as /api/audit/verify runs it) finds no problem in each; the per-append diagnostic's hashes are first written
        out one row per event where the verifier reads them.

        Options of marten-appends:
          --duration <s>          measured seconds per run (default 10, 1..600)
          --warmup <s>            warm-up seconds per scenario before the first round (default 3, 0..120)
          --rounds <n>            rounds; every scenario runs once per round, in the same order (default 3, 1..20)
          --writers <n>           concurrent writers for single-event appends (default 16, 1..64)
          --batch-writers <n>     concurrent writers for batch appends (default 4, 1..64)
          --batch-size <n>        events per batch append (default 100, 2..10000)
          --streams-per-writer <n>  streams each raw single-event writer spreads its INSERTs over (default 100)
          --batch-streams-per-writer <n>  streams each raw batch writer spreads its INSERTs over (default 10)
                                  (Marten writers keep streams short: a new one every 10 appends, or per batch)
          --max-ops <n>           upper bound on operations per run, over all writers (default 5000000)
          --no-diagnostics        skip the diagnostic variants (Marten's defaults, per-row triggers, seal of audit/0001, hashes per append, sealer after commit, with blocks,
                                  statement-level trigger, binary canonical form)
          --diagnostics <names>   run only these diagnostic variants, comma-separated: defaults, rowtrig, firstseal, appendrows, sealer,
                                  sealerblocks, stmttrig, rowsend
          --sealer-interval <ms>  the sealer after commit's pause after a call that was not full (default 10, 0..10000)
          --markdown <path>       write/replace the section "## Appends on Marten (issue 11)" in that file

        rebuild-readmodels: appends a generated SAKIP mix (default 200000 events) through Marten, as the service role,
        then rebuilds the read models with Marten's async daemon (RebuildProjectionAsync) in each layout, side by side in
        one run: "before" (sakip-state, sakip-history, sakip-pk one after another, state rows page by page), the three
        with state rows written once, sakip (one projection) page by page and with rows written once (also with Marten's
        own loop, each page loaded after the one before committed, instead of Ledger's overlapped replay), and Marten alone
        (loads every event, writes nothing); each round starts one scenario later. --rounds times (default 1) for each
        --batch-size (events per daemon page, default 50000 as the service; a comma-separated list runs each); --parallel also rebuilds
        the three at once; --diagnose also times the loading alone (Marten's loader, plain Npgsql, Npgsql + JSON);
        --only keeps the scenarios whose names contain a word (words separated by a comma without a space after it, so
        a whole name can be given: --only "sakip (one projection), state rows written once"); --agency-capacity limits
        the agencies the state part keeps in memory (none by default, as the service); --timeline prints each page's
        phases (handed to the projection, writes, parts, commit) as times from the rebuild's start; --warmup rebuilds
        with each scenario once first, not counted (a process's first rebuild runs at about half speed). Prints log events/s, CPU of this process and of
        PostgreSQL, GC pauses, other processes' share of the machine, the managed heap left after each rebuild (what
        the state part keeps), and checks every run leaves the same tables.
        The service runs its rebuilds with server GC; this benchmark process uses workstation GC unless started with
        DOTNET_gcServer=1 (docs/performance.md records the rebuild with it).

        verify-derived (issue 11): the rebuild-readmodels mix (default 200000 events), the read models caught up by the
        daemon and a stream snapshot every --snapshot-every (default 100) events of every year stream; times the chain
        walk, the snapshot check and the read-model check of GET /api/audit/verify (--rounds, default 3), then measures
        appends and the daemon's progress while a read-model check runs. Also the managed heap's peak during each
        read-model check; --recompute-agencies sets how many agencies the state part's recompute folds at a time
        (default 500, as the service).

        http-load (issue 11): runs the service's Release build as a child process on a private durable cluster
        (migrations by the owner, the service as its restricted role): cold start to the first command (empty
        database, then --restarts restarts), then --clients closed-loop HTTP clients, one agency each (Surakarta 2023
        story), a read-heavy mix (30 % commands with Idempotency-Key: corrections, realizations of later years, PK perubahan; indicator, LKjIP table, history, PK and
        as-of reads), p50/p99 per operation; then, same database, Ledger's append path at store level with as many
        writers; ends with GET /api/audit/verify. --markdown writes/replaces "## HTTP end to end (issue 11)".
        With --sweep 1,4,16,64 (issue 13): the mix at each level in turn (commands and reads p50/p95/p99, service RSS,
        PostgreSQL connections and CPU share), then the store-level baseline with the largest level's writers;
        --markdown writes/replaces "## HTTP load at rising concurrency (issue 13)" instead, and its chart
        docs/performance-http-load.svg; --compare-cache runs the levels again with the service's stream-state cache off;
        --reads-only sends only the mix's reads, into "## HTTP reads alone at rising concurrency (issue 13)".

        two-hosts (issue 13, also ops/two-hosts/run): two service processes (Release) on one durable cluster; the
        http-load mix of --clients agencies spread over both by a round-robin balancer (retrying GETs and keyed writes
        when a process dies) and racing writers on one stream through both (If-Match, stale If-Match, plain); every
        --kill-every seconds the daemon's leader is killed with SIGKILL, its take-over timed, and a new process started
        in its place. Checks at the end: every answer as the contract allows, every 2xx write's events in the log at
        its versions, streams contiguous, one leader at a time (pg_locks and each process's /health), verify ok with the
        read models compared at the head, no progression out of order. Exit 1 on any problem; --markdown writes/replaces
        "## Two hosts, one database: the long run (issue 13)".

        national-scale (issue 13 item 2): a whole country on one machine. Writes one template agency through the
        service over HTTP (60 indicators, five years of quarterly realizations, corrections, PK and APBD murni and
        perubahan, spending, evaluations: about 1 650 events in 11 streams), then copies it in SQL, as the service
        role and sealed by the audit layer, to --regions (550) x --agencies-per-region (40) agencies, level by level
        (--levels: 0 = one region, 1m, 10m, full or a number of events). At each level: generation rate, single-event
        appends on the store path (--writers 4 x --appends 100), a rebuild of every read model, the log head of a
        close (--log-heads 20 times, each after 20 more appends; every append of a level goes to the same --append-agencies 100 agencies),
        the service's cold start, its daemon's catch-up with the log head's appends (waited for and timed on its own,
        unless --skip-rebuild), corrections, as-of reads, performance tables (--samples each, 500: a p99 over 200 is
        the second slowest) and year closes (--closes) over HTTP, one at a time, on the same agencies at every level:
        each agency not touched before, corrected, then read as of an instant, then its table, each time another year,
        and the verifier over the whole log. The same corrections, as-of reads and tables are then sent again,
        --again-passes (3) times over, warm. Each latency's change between levels has its 90 % bootstrap interval beside
        it. --interleave <n> (e.g. 2 or 4): every level in a database of its own, all built first, then the measurements
        with the service in n rounds, the levels' order reversed every round (1 M, 10 M, 10 M, 1 M, ...), each part with
        1/n of the samples, closes, log heads and store appends, so that a machine busier for some minutes weighs on
        every level; the read models are rebuilt again after the rounds (a smaller level up to 4 times, half before
        the largest level's rebuild and half after: 1 M, 1 M, 10 M, 1 M, 1 M), the verifier runs twice per level (the
        levels in order, then reversed), and the rounds start once no autovacuum runs. --rest-before-rounds <s>: wait
        that long more before the first round (diagnostic).
        --fresh-pool-each-part: every part's log heads on new backends of the service role's pool (diagnostic); as many
        heads first on the pool as found, logged and not counted (otherwise the heads take whatever the pool holds: the
        build's backends in the last-built level's first round, none where 300 s idle closed them).
        --log-head-parts: as many log heads again, their parts (settle, latest head, take_log_head) timed apart, the
        backends a settle waits on named, and PostgreSQL's statements over them with planning time (their appends
        double the daemon's catch-up at a start).
        --cold-cache (root): drop the operating system's page cache before the
        service starts at each level, so that 1 M (wholly in memory otherwise) and 10 M start their service part from
        the disk alike. --shared-buffers <size> (e.g. 4GB): PostgreSQL's shared_buffers for the benchmark's cluster
        (otherwise PostgreSQL's default, 128 MB). The log has, per HTTP phase, the
        statements with the most blocks (pg_stat_statements) and the plans of those over 250 ms (auto_explain), both
        loaded in the benchmark's cluster. Before a level it estimates
        the disk the level needs and stops rather than leave less than --reserve-gb (10) free; --skip-rebuild leaves the
        rebuild out (the service's daemon then catches up while the HTTP part runs, so its latencies are not comparable;
        the section says so). --batch (20) agencies per copy batch, --clone-workers (2). --layout scattered (the
        default since 2026-12-07): the copy interleaves a batch's agencies event by event in the event table's heap, as
        agencies writing side by side for years would, so one agency's events lie on about as many pages as it has
        events; --layout grouped (every run before): agency by agency, about a tenth as many pages (the report shows
        the pages per level). --cluster: after the copy, the owner
        rewrites the event table in (stream, version) order (CLUSTER ledger.mt_events USING
        pk_mt_events_stream_and_version, then ANALYZE), timed, as the yearly maintenance of docs/deployment.md would;
        later appends land at the table's end. --work-agencies <n>: every level's samples and store-append agencies drawn
        from agencies 1 … n-1 only (e.g. 607, 1 M's agencies), so that the requests touch the same copy batches in the
        same proportion at every level (a scattered batch's agencies share heap pages: at 1 M most first touches follow
        a batch mate's, at 10 M by default few do; the log splits every first touch by that). --warm-up <n>: before each
        part's first touches, two rounds of n corrections, n as-of reads, n tables (and a close) on the level's warm-up
        agencies (its last --warm-up-agencies <k, 1> copies before its newest, never sampled; request i on the
        (i mod k)-th), untimed, each round followed by the daemon's catch-up and a wait until the service is idle (at
        most 60 s), so that the timed first touches find the service's code compiled (default 0: none; each start's
        first request on a warm-up agency takes the first-touch path, its next ones the warm path). --markdown
        writes/replaces
        "## National scale (issue 13)" after every level.

        asof: appends one year stream of --events (default 10000) realizations and corrections, then times --reads
        (default 500) as-of reads at random instants with stream snapshots (every --snapshot-every, default 250 as the service) and
        with a full replay, side by side; --markdown writes/replaces "## As-of reads (issue 4)" in that file.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        Func<string[], CancellationToken, Task<int>>? benchmark = args[0] switch
        {
            "marten-appends" => (a, ct) => ParseThenRunAsync(a, AppendsOptions.Parse, MartenAppendsBenchmark.RunAsync, ct),
            "http-load" => (a, ct) => ParseThenRunAsync(a, HttpLoadOptions.Parse, HttpLoadBenchmark.RunAsync, ct),
            "asof" => (a, ct) => ParseThenRunAsync(a, AsOfOptions.Parse, AsOfBenchmark.RunAsync, ct),
            "rebuild-readmodels" => (a, ct) => ParseThenRunAsync(a, RebuildOptions.Parse, SakipRebuildBenchmark.RunAsync, ct),
            "verify-derived" => (a, ct) => ParseThenRunAsync(a, VerifyOptions.Parse, VerifyBenchmark.RunAsync, ct),
            "two-hosts" => (a, ct) => ParseThenRunAsync(a, TwoHostsOptions.Parse, TwoHostsBenchmark.RunAsync, ct),
            "national-scale" => (a, ct) => ParseThenRunAsync(a, NationalOptions.Parse, NationalScaleBenchmark.RunAsync, ct),
            _ => null,
        };
        if (benchmark is null)
        {
            Console.Error.WriteLine($"Unknown benchmark '{args[0]}'.");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true; // let the finally blocks stop and delete the cluster
            cts.Cancel();
        };
        // The same for a kill (SIGTERM) or a closed terminal (SIGHUP): without this the runtime exits at once, and the
        // service a benchmark started (a child process) kept running after its cluster was gone.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);
        return await benchmark(args[1..], cts.Token);

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }
    }

    /// <summary>Parses a benchmark's options (a bad one: the message, the usage, exit 2), then runs it.</summary>
    private static async Task<int> ParseThenRunAsync<TOptions>(
        string[] args, Func<string[], TOptions> parse, Func<TOptions, CancellationToken, Task<int>> run, CancellationToken ct)
    {
        TOptions options;
        try { options = parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        return await run(options, ct);
    }
}

internal sealed record AppendsOptions
{
    public int DurationSeconds { get; init; } = 10;
    public int WarmupSeconds { get; init; } = 3;
    public int Rounds { get; init; } = 3;
    public int Writers { get; init; } = 16;
    public int BatchWriters { get; init; } = 4;
    public int BatchSize { get; init; } = 100;
    public int StreamsPerWriter { get; init; } = 100;
    public int BatchStreamsPerWriter { get; init; } = 10;
    public long MaxOpsPerRun { get; init; } = 5_000_000;
    /// <summary>The diagnostic variants that run (<see cref="DiagnosticNames"/>): all by default, none with --no-diagnostics.</summary>
    public IReadOnlySet<string> Diagnostics { get; init; } = new HashSet<string>(DiagnosticNames);

    public static readonly string[] DiagnosticNames = MartenAppendsBenchmark.Diagnostics.Select(d => d.Key).ToArray();

    public bool Has(string diagnostic) => Diagnostics.Contains(diagnostic);
    public string? MarkdownPath { get; init; }
    public int SealerIntervalMs { get; init; } = 10;

    private static HashSet<string> ParseDiagnostics(OptionReader a)
    {
        var raw = a.Value();
        var names = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (names.FirstOrDefault(n => !DiagnosticNames.Contains(n)) is { } unknown)
            throw new ArgumentException($"--diagnostics takes names from {string.Join(", ", DiagnosticNames)}, comma-separated, not '{unknown}'.");
        return names;
    }

    public static AppendsOptions Parse(string[] args)
    {
        var o = new AppendsOptions();
        var a = new OptionReader(args);
        while (a.Next())
        {
            o = a.Name switch
            {
                "--duration" => o with { DurationSeconds = a.Int(1, 600) },
                "--warmup" => o with { WarmupSeconds = a.Int(0, 120) },
                "--rounds" => o with { Rounds = a.Int(1, 20) },
                "--writers" => o with { Writers = a.Int(1, 64) },
                "--batch-writers" => o with { BatchWriters = a.Int(1, 64) },
                "--batch-size" => o with { BatchSize = a.Int(2, 10_000) },
                "--streams-per-writer" => o with { StreamsPerWriter = a.Int(1, 10_000) },
                "--batch-streams-per-writer" => o with { BatchStreamsPerWriter = a.Int(1, 10_000) },
                "--max-ops" => o with { MaxOpsPerRun = a.Int(1, 50_000_000) },
                "--no-diagnostics" => o with { Diagnostics = new HashSet<string>() },
                "--diagnostics" => o with { Diagnostics = ParseDiagnostics(a) },
                "--sealer-interval" => o with { SealerIntervalMs = a.Int(0, 10_000) },
                "--markdown" => o with { MarkdownPath = a.Value() },
                _ => throw a.Unknown(),
            };
        }
        return o;
    }
}

/// <summary>Reads `--name value` options one at a time, with the same messages for every subcommand.</summary>
internal sealed class OptionReader(string[] args)
{
    private int _i = -1;

    /// <summary>The option being read (e.g. <c>--rounds</c>).</summary>
    public string Name { get; private set; } = "";

    public bool Next()
    {
        if (++_i >= args.Length) return false;
        Name = args[_i];
        return true;
    }

    public string Value() => _i + 1 < args.Length ? args[++_i] : throw new ArgumentException($"{Name} needs a value.");

    public int Int(int min, int max)
    {
        var raw = Value();
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new ArgumentException($"{Name} must be a whole number from {min} to {max}, not '{raw}'.");
        return v;
    }

    public List<int> Ints(int min, int max)
    {
        var raw = Value();
        var list = new List<int>();
        foreach (var part in raw.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                throw new ArgumentException($"{Name} takes whole numbers from {min} to {max}, comma-separated, not '{raw}'.");
            list.Add(v);
        }
        return list;
    }

    public ArgumentException Unknown() => new($"Unknown option '{Name}'.");
}
