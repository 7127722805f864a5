using Ledger.LocalPostgres;

namespace Ledger.Bench;

/// <summary>One group of scenarios that alternate in every round (A B C … A B C …), e.g. single events at 16 writers.</summary>
/// <param name="Suffix">ends every scenario key of the group: <c>{kind}-{Suffix}</c>.</param>
internal sealed record ScenarioGroup(string Title, string Suffix, List<Scenario> Scenarios)
{
    public Scenario? Find(string kind) => Scenarios.FirstOrDefault(s => s.Key == $"{kind}-{Suffix}");
}

/// <summary>
/// Issue 11: appends through Marten, plain and on the Ledger path (Marten + the audit layer, as the service role),
/// side by side with the raw INSERT ceiling (from .NET and from pgbench), on one freshly started durable cluster, with
/// the machinery of <see cref="ScenarioRunner"/> (warm-up, rounds, a CHECKPOINT before each run, WAL and CPU counters). Three groups: single events at 1 writer, single events at <c>--writers</c>, batches.
/// At the end it checks that every table holds exactly what its writers reported, and that the Ledger path sealed every event.
/// </summary>
internal static class MartenAppendsBenchmark
{
    private static void Log(string line) => ScenarioRunner.Log(line);

    public static async Task<int> RunAsync(AppendsOptions o, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-bench-{Guid.NewGuid():N}");
        LocalPostgresCluster? cluster = null;
        var marten = new List<MartenDatabase>();
        try
        {
            Log($"Starting a durable PostgreSQL cluster in {dir} ...");
            cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions
            {
                DataDirectory = dir, Durable = true, DeleteOnStop = true, Log = Log,
            }, ct);
            await using var db = await BenchDatabase.CreateAsync(cluster, ct);
            var postmaster = BenchDatabase.PostmasterPid(cluster);
            var environment = await ScenarioRunner.DescribeEnvironmentAsync(db, ct);
            Log(environment);

            Log("Creating the Marten databases (plain, Ledger path" + string.Concat(o.Diagnostics.Order().Select(d => ", diag " + d)) + ") ...");
            var password = await MartenDatabase.CreateRoleAsync(cluster, ct);
            var plain = await AddAsync(MartenSetup.Plain, "ledger_bench_marten", password);
            var ledger = await AddAsync(MartenSetup.LedgerPath, "ledger_bench_ledger", password);
            var diagnostics = new List<(Diagnostic, MartenDatabase)>();
            foreach (var d in Diagnostics.Where(d => o.Has(d.Key)))
                diagnostics.Add((d, await AddAsync(d.Setup, d.Database, password)));

            var tallies = new Tallies(new Tally("ledger_bench: bench.raw_events from .NET"), new Tally("ledger_bench: bench.raw_events from pgbench"));
            var targets = new Targets(plain, ledger, diagnostics);

            var groups = new List<ScenarioGroup>();
            foreach (var writers in o.Writers == 1 ? [1] : new[] { 1, o.Writers })
                groups.Add(SingleGroup(cluster, db, targets, tallies, o, writers));
            groups.Add(BatchGroup(db, targets, tallies, o));

            var pgbench = groups[0].Find("pgbench")?.External;
            Log(pgbench?.Unavailable ?? $"pgbench: {PostgresBinaries.FindTool("pgbench")}{(cluster.RunsAsPostgresUser ? " (as the postgres user)" : "")}");

            // First use outside any measurement: JIT, Marten's code generation, the first stream row of each table.
            Log("Priming every writer scenario with one operation (JIT, Marten's generated code) ...");
            foreach (var s in groups.SelectMany(g => g.Scenarios).Where(s => s.External is null))
                await s.Writers[0].ExecuteOnceAsync(ct);

            var started = DateTimeOffset.UtcNow;
            foreach (var g in groups)
            {
                Log($"== {g.Title} ==");
                // Statistics as a database in service has them (autovacuum would get there later): planned on the
                // nearly empty tables of the priming, a point lookup of the stream row can stay a sequential scan for a
                // whole run, in one database and not the other (seen in a perf profile of 2026-12-04).
                await ScenarioRunner.RunGroupAsync(db, postmaster, g.Scenarios, o, ct, () => AnalyzeAsync(marten, ct));
            }

            var checks = await CountChecksAsync(db, tallies, marten, ct);
            foreach (var c in checks)
                Log($"count check: {c.What,-75} written {c.Expected,10:N0}  found {c.Found,10:N0}  {(c.Ok ? "ok" : "MISMATCH")}");

            var report = MartenReport.Build(o, environment, started, groups, checks);
            Console.WriteLine(report);
            if (o.MarkdownPath is not null)
            {
                Report.WriteSection(o.MarkdownPath, report, MartenReport.Heading);
                Log($"Wrote the section to {o.MarkdownPath}.");
            }
            if (checks.Any(c => !c.Ok))
            {
                Log("Some tables do not hold what their writers reported (see the count checks): the figures above are not valid.");
                return 1;
            }
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Log("Cancelled.");
            return 130;
        }
        finally
        {
            foreach (var m in marten) await m.DisposeAsync();
            if (cluster is not null) await cluster.StopAsync();
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }

        // One login role for all Marten databases (rights are per database).
        async Task<MartenDatabase> AddAsync(MartenSetup setup, string name, string password)
        {
            var m = await MartenDatabase.CreateAsync(cluster!, name, setup, password, ct);
            marten.Add(m);
            return m;
        }
    }

    private sealed record Tallies(Tally Raw, Tally Pgbench);

    private sealed record Targets(MartenDatabase Plain, MartenDatabase Ledger, IReadOnlyList<(Diagnostic What, MartenDatabase Database)> Diagnostics);

    /// <summary>
    /// A diagnostic variant: its name for <c>--diagnostics</c>, its database, its scenario's title and description, and
    /// for a variant of the Ledger path, how the report names it and the Ledger path beside it.
    /// </summary>
    internal sealed record Diagnostic(string Key, MartenSetup Setup, string Database, string Title, string What, (string Variant, string LedgerPath)? VsLedger = null);

    /// <summary>Every diagnostic variant, in the order its scenario runs in each round.</summary>
    internal static readonly Diagnostic[] Diagnostics =
    [
        new("defaults", MartenSetup.MartenDefaults, "ledger_bench_marten_defaults", "diag: Marten defaults",
            "as **plain Marten**, without `UseExclusiveLockOnConcurrentAppends` and without `EnableUniqueIndexOnEventId` (Marten's defaults): what those two settings cost"),
        new("firstseal", MartenSetup.LedgerPathFirstSeal, "ledger_bench_first_seal", "diag: seal of audit/0001",
            "as **Ledger path**, with the seal function of audit migration 0001 (four statements per append, no one-statement path for single events): what audit/0004 saves",
            ("the seal of audit/0001", "the seal with its one-statement path (audit/0004, Ledger path)")),
        new("appendrows", MartenSetup.LedgerPathAppendRows, "ledger_bench_append_rows", "diag: hashes per append",
            "as **Ledger path**, with the seal storing one row per append (its events' seq ids and chain hashes, bench-only SQL) instead of one row per event: what the hash rows cost",
            ("the seal's hashes one row per append", "one row per event (Ledger path)")),
        new("stmttrig", MartenSetup.LedgerPathStatementTrigger, "ledger_bench_statement_trigger", "diag: statement-level trigger",
            "as **Ledger path**, the deferred seal replaced by a statement-level AFTER INSERT trigger on the events table over its transition table " +
            "(bench-only SQL): the same checks at append time, the same hash rows and chain; Marten's append function inserts one event per statement",
            ("the seal as a statement-level trigger over the transition table", "the deferred seal (Ledger path)")),
        new("rowsend", MartenSetup.LedgerPathBinaryCanonical, "ledger_bench_binary_canonical", "diag: binary canonical form",
            "as **Ledger path**, the canonical form replaced by the row's binary form (`record_send`, bench-only SQL) for the seal and the verifier: " +
            "what a cheaper canonical form (a new chain format) would save",
            ("the seal over the row's binary form", "over the canonical JSON form (Ledger path)")),
        new("sealer", MartenSetup.LedgerPathSealer, "ledger_bench_sealer", "diag: sealer after commit",
            "as **Ledger path** without the seal at commit (its deferred trigger dropped; the rest of the audit layer and the service's grants kept), " +
            "and a sealer on its own connection {sealer} during the run, its commits not waiting for the WAL flush (bench-only SQL): it hashes committed, " +
            "unsealed events into the same `event_hashes` rows and chain; stopped with the writers, it drains what is left, its CPU counted with the run. " +
            "Events/s here are the appends; the diagnostics give the rate sealed over the run and its drain"),
        new("sealerblocks", MartenSetup.LedgerPathSealerBlocks, "ledger_bench_sealer_blocks", "diag: sealer after commit, blocks",
            "as **diag: sealer after commit**, its hashes stored as one row per sealer call (the call's seq ids and hashes) and a head row per stream " +
            "instead of a row per event: the cheapest storage of the same chain that still names each event's hash (bench-only SQL)"),
        new("rowtrig", MartenSetup.RowTriggers, "ledger_bench_row_triggers", "diag: per-row triggers",
            "as **plain Marten**, plus the REJECTED alternative to the audit layer (bench-only SQL): a BEFORE INSERT row trigger stamping " +
            "`clock_timestamp()` and an AFTER INSERT row trigger chaining each event into a side table, both SECURITY DEFINER, search_path pinned",
            ("the rejected per-row triggers", "the deferred seal (Ledger path)")),
    ];

    private static IReadOnlyList<IWriter> MartenWriters(string key, MartenDatabase target, int writers, int batchSize) =>
        Enumerable.Range(0, writers)
            .Select(w => (IWriter)new CountingWriter(new MartenWriter(target.Store, $"{key}-w{w:D2}", batchSize, 1000 * w + key.Length), target.Events))
            .ToList();

    private static ScenarioGroup SingleGroup(LocalPostgresCluster cluster, BenchDatabase db, Targets t, Tallies tallies, AppendsOptions o, int n)
    {
        var suffix = $"1x{n}";
        var s = o.StreamsPerWriter;
        var fetch = $"`FetchForWriting<T>` (live aggregation of at most {MartenWriter.AppendsPerStream - 1} events) + `AppendOne` + `SaveChangesAsync` " +
                    "in a lightweight session with Ledger's headers (actor, reason, agency) and a correlation id, as a command does; " +
                    $"each writer moves to a new stream every {MartenWriter.AppendsPerStream} appends, whose first append creates it " +
                    "(`FetchLatest<T>` + `Events.Append(key, 1, e)`: see *New streams*)";
        var list = new List<Scenario>
        {
            new($"raw-{suffix}", "raw INSERT",
                "single-row `INSERT … VALUES` into the plain table (uuid PK only) from .NET (`RawWriter`), implicit transaction: the ceiling",
                1, ScenarioRunner.Writers($"raw-{suffix}", n, s, (st, seed) => new CountingWriter(new RawWriter(db.Service, st, 1, seed), tallies.Raw)), null),
            new($"pgbench-{suffix}", "raw INSERT (pgbench)",
                "the same single-row INSERT into the same table as the same role, driven by the machine's `pgbench` " +
                "(`-M prepared`, same clients and duration, time-ordered ids); its tps, latencies from its per-transaction log; client CPU is pgbench's",
                1, [], $"raw-{suffix}")
            {
                External = new PgbenchLoad(cluster, BenchDatabase.DatabaseName, BenchDatabase.Role, db.ServicePassword, n, tallies.Pgbench),
            },
            new($"marten-{suffix}", "plain Marten",
                $"{fetch}; Marten's schema only (`LedgerMarten.Configure`), as a login role",
                1, MartenWriters($"marten-{suffix}", t.Plain, n, 1), $"raw-{suffix}") { Pool = t.Plain.Service },
            new($"ledger-{suffix}", "Ledger path",
                $"the same appends on a database migrated with `LedgerSchema.MigrateAsync` (Marten + audit layer: the deferred seal hashes each append at commit), " +
                "as a login role granted with `LedgerSchema.GrantServiceRoleAsync` (the service's rights; `AuditSchema.CheckAsync` passes)",
                1, MartenWriters($"ledger-{suffix}", t.Ledger, n, 1), $"raw-{suffix}") { Pool = t.Ledger.Service },
        };
        AddDiagnostics(list, t, o, suffix, n, 1, $"raw-{suffix}");
        return new ScenarioGroup($"single events, {n} writer{(n == 1 ? "" : "s")}", suffix, list);
    }

    private static ScenarioGroup BatchGroup(BenchDatabase db, Targets t, Tallies tallies, AppendsOptions o)
    {
        const string suffix = "b";
        int n = o.BatchWriters, s = o.BatchStreamsPerWriter, b = o.BatchSize;
        var list = new List<Scenario>
        {
            new($"raw-{suffix}", $"raw multi-row INSERT ({b} rows)",
                $"one `INSERT … SELECT FROM unnest(arrays)` of {b} rows into the plain table from .NET (`RawWriter`): the ceiling",
                b, ScenarioRunner.Writers($"raw-{suffix}", n, s, (st, seed) => new CountingWriter(new RawWriter(db.Service, st, b, seed), tallies.Raw)), null),
            new($"marten-{suffix}", $"plain Marten, {b}-event batch",
                $"a new stream per batch, created as under *New streams*: `FetchLatest<T>` (nothing yet) + `Events.Append(key, {b}, events)` + `SaveChangesAsync`, " +
                "headers and correlation id as above (so batches never take `FetchForWriting`)",
                b, MartenWriters($"marten-{suffix}", t.Plain, n, b), $"raw-{suffix}") { Pool = t.Plain.Service },
            new($"ledger-{suffix}", $"Ledger path, {b}-event batch",
                "the same batches on the Ledger path (Marten + audit layer, the service's rights)",
                b, MartenWriters($"ledger-{suffix}", t.Ledger, n, b), $"raw-{suffix}") { Pool = t.Ledger.Service },
        };
        AddDiagnostics(list, t, o, suffix, n, b, $"raw-{suffix}");
        return new ScenarioGroup($"{b}-event batches, {n} writers", suffix, list);
    }

    private static void AddDiagnostics(List<Scenario> list, Targets t, AppendsOptions o, string suffix, int n, int b, string baseline)
    {
        var batch = b == 1 ? "" : $", {b}-event batch";
        foreach (var (d, db) in t.Diagnostics)
        {
            var sealer = MartenDatabase.SealsAfterCommit(d.Setup) ? new MartenSealer(db.Owner, TimeSpan.FromMilliseconds(o.SealerIntervalMs)) : null;
            list.Add(new($"{d.Key}-{suffix}", d.Title + batch, sealer is null ? d.What : d.What.Replace("{sealer}", sealer.Describe()),
                b, MartenWriters($"{d.Key}-{suffix}", db, n, b), baseline) { Pool = db.Service, Sealer = sealer });
        }
    }

    /// <summary>ANALYZE of every Marten database, all of its tables (as their owner).</summary>
    private static async Task AnalyzeAsync(List<MartenDatabase> marten, CancellationToken ct)
    {
        foreach (var m in marten)
        {
            await using var cmd = m.Owner.CreateCommand("ANALYZE");
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task<List<CountCheck>> CountChecksAsync(BenchDatabase db, Tallies tallies, List<MartenDatabase> marten, CancellationToken ct)
    {
        async Task<long> Count(string sql) => long.Parse(await db.ScalarTextAsync(sql, ct), System.Globalization.CultureInfo.InvariantCulture);
        var checks = new List<CountCheck>
        {
            new(tallies.Raw.What, tallies.Raw.Events, await Count("SELECT count(*) FROM bench.raw_events WHERE stream NOT LIKE 'pgbench-%'")),
            new(tallies.Pgbench.What, tallies.Pgbench.Events, await Count("SELECT count(*) FROM bench.raw_events WHERE stream LIKE 'pgbench-%'")),
        };
        foreach (var m in marten) checks.AddRange(await m.CountChecksAsync(ct));
        return checks;
    }
}
