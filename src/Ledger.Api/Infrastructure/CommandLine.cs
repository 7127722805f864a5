using System.Diagnostics;
using System.Globalization;
using JasperFx.Events.Daemon;
using Ledger.Audit;
using Ledger.ReadModels;
using Ledger.Storage;
using Marten;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Verbs run instead of the web server (issue 4), with the service's own database configuration
/// (<see cref="LedgerDatabase.OpenAsync"/>: ConnectionStrings__Ledger, or the local cluster):
/// <code>
///   dotnet run --project src/Ledger.Api -- rebuild [projection]   rebuild one or all SAKIP projections from sequence 0
///                                                                 (on a Marten daemon of its own: stop the service first)
///   dotnet run --project src/Ledger.Api -- verify                 walk the hash chain, then compare stream snapshots and read
///                                                                 models with the log (as GET /api/audit/verify); exit 0 when
///                                                                 nothing is altered or forged
/// </code>
/// Exit codes: 0 ok, 1 a broken chain, forged derived state or a failed rebuild, 2 usage; the service itself exits 3 when its
/// configured database stayed out of reach for the whole start-up wait (<see cref="LedgerDatabase.OpenWaitingAsync"/>). Callable from tests: pass the configuration and
/// the writers. Add a verb by adding a row to <see cref="Verbs"/> (engineer D: <c>import</c>).
/// </summary>
public static class CommandLine
{
    public const int Ok = 0, Failed = 1, Usage = 2, DatabaseUnreachable = 3;

    private delegate Task<int> Verb(LedgerDatabase db, ReadModelSettings readModels, string[] args, Output output, CancellationToken ct);

    private static readonly Dictionary<string, Verb> Verbs = new(StringComparer.Ordinal)
    {
        ["rebuild"] = RebuildAsync,
        ["verify"] = VerifyAsync,
    };

    /// <summary>
    /// JasperFx's verbs (Marten, Wolverine and Weasel commands: <c>dotnet run -- help</c> lists them with descriptions), as
    /// Marten 9.62 / Wolverine 6.64 register them. Any other bare word as the first argument is a mistake.
    /// </summary>
    public static readonly IReadOnlySet<string> JasperFxVerbs = new HashSet<string>(StringComparer.Ordinal)
    {
        "capabilities", "check-env", "clear-handled", "codegen", "db-apply", "db-assert", "db-dump", "db-list", "db-patch",
        "describe", "describe-event-model", "event-model", "event-query", "help", "marten", "openapi", "projection-run",
        "projections", "resources", "run", "scaffold", "storage", "stream-query", "wolverine-diagnostics",
    };

    /// <summary>What the first argument asks for.</summary>
    public enum Invocation { Serve, LedgerVerb, JasperFxVerb, Help, Unknown }

    /// <summary>
    /// No argument or an option (<c>--urls …</c>) serves; <c>rebuild</c>/<c>verify</c> are Ledger's verbs; JasperFx's verbs
    /// go to JasperFx; <c>-h</c>/<c>--help</c>/<c>-?</c> is help; any other bare word is unknown (a misspelt <c>verfy</c>
    /// must not start a second web server).
    /// </summary>
    public static Invocation Classify(string[] args) => args switch
    {
        [] => Invocation.Serve,
        [var first, ..] when first is "-h" or "--help" or "-?" or "/?" or "?" => Invocation.Help,
        [var first, ..] when Verbs.ContainsKey(first) => Invocation.LedgerVerb,
        [var first, ..] when JasperFxVerbs.Contains(first) => Invocation.JasperFxVerb,
        [var first, ..] when first.StartsWith('-') => Invocation.Serve,
        _ => Invocation.Unknown,
    };

    /// <summary>The usage text printed for help (exit 0) and for an unknown command (exit 2).</summary>
    public static string UsageText => $"""
        usage: Ledger.Api [--urls http://127.0.0.1:5000] [--Key=Value …]   runs the service
               Ledger.Api rebuild [projection]                            rebuilds the read models (stop the service first)
               Ledger.Api verify                                          checks the hash chain and the derived state
               Ledger.Api help                                            JasperFx's verbs: {string.Join(", ", JasperFxVerbs.Order(StringComparer.Ordinal))}
        """;

    /// <summary>JasperFx's <c>codegen</c> verb (writes Wolverine's generated code): no database is opened for it.</summary>
    public static bool IsCodegen(string[] args) => args.Length > 0 && args[0] == "codegen";

    /// <summary>The configuration the web host would read: appsettings, environment, then --key=value arguments.</summary>
    public static IConfiguration Configuration(string[] args) =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray())
            .Build();

    /// <param name="interactive">draw a progress bar with carriage returns (a terminal); else plain progress lines.</param>
    public static async Task<int> RunAsync(string[] args, IConfiguration config, TextWriter stdout, TextWriter stderr,
        bool interactive = false, CancellationToken ct = default)
    {
        if (args.Length == 0 || !Verbs.TryGetValue(args[0], out var verb))
        {
            await stderr.WriteLineAsync("usage: Ledger.Api [rebuild [projection] | verify]");
            return Usage;
        }
        ReadModelSettings readModels;
        try
        {
            readModels = ReadModelSettings.From(config); // a wrong setting is a usage error, named, before the database is opened
        }
        catch (InvalidOperationException bad)
        {
            await stderr.WriteLineAsync(bad.Message);
            return Usage;
        }
        using var logs = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddConfiguration(config.GetSection("Logging")).SetMinimumLevel(LogLevel.Warning));
        LedgerDatabase opened;
        try
        {
            opened = await LedgerDatabase.OpenAsync(config, logs.CreateLogger("Ledger.Database"), ct);
        }
        catch (StartupRefusedException refused)
        {
            await stderr.WriteLineAsync(refused.Message);
            return Failed;
        }
        await using var db = opened;
        var positional = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        return await verb(db, readModels, positional, new Output(stdout, stderr, interactive), ct);
    }

    /// <summary>
    /// What GET /api/audit/verify answers (<see cref="Features.Audit.LedgerVerifier"/>), as text: the chain, then stream
    /// snapshots and read models compared with the log. Exit 0 when nothing is altered or forged, 1 otherwise.
    /// </summary>
    private static async Task<int> VerifyAsync(LedgerDatabase db, ReadModelSettings readModels, string[] args, Output output, CancellationToken ct)
    {
        using var store = DocumentStore.For(o => LedgerMarten.Configure(o, db.ServiceConnectionString));
        var streams = new StreamLoader(store, db.Service);
        var snapshots = new StreamSnapshots(db.Service, db.SnapshotKey);
        var result = await Features.Audit.LedgerVerifier.VerifyAsync(db.Service, streams, snapshots, db.SnapshotKeyKept, store, ct);
        var chain = result.Chain;
        var o = output.Out;
        if (result.Ok)
            await o.WriteLineAsync(FormattableString.Invariant(
                $"ok: {chain.EventsChecked} events checked, head {chain.HeadSequence}, log digest {chain.LogDigest}, {chain.Heads.Count} published heads match"));
        else if (!chain.Ok)
            await o.WriteLineAsync(FormattableString.Invariant(
                $"BROKEN: first broken sequence {chain.FirstBrokenSequence?.ToString(CultureInfo.InvariantCulture) ?? "(stream rows)"}, {chain.EventsChecked} events checked"));
        else
            await o.WriteLineAsync(FormattableString.Invariant(
                $"BROKEN: derived state differs from the log (the chain is intact: {chain.EventsChecked} events checked, head {chain.HeadSequence})"));

        if (result.DerivedStateSkipped is { } skipped) await o.WriteLineAsync($"  derived state not compared: {skipped}");
        if (result.Snapshots is { } s)
            await o.WriteLineAsync(FormattableString.Invariant(
                $"  snapshots: {s.Rows} rows, {s.Checked} checked, {s.NotCheckedCount} not checked (unknown state type), {s.Problems.Count} forged"));
        if (result.ReadModels?.NotChecked is { } why) await o.WriteLineAsync($"  read models: not compared: {why}");
        foreach (var t in result.ReadModels?.Tables ?? [])
            await o.WriteLineAsync(FormattableString.Invariant(
                $"  {t.QualifiedName}: {(t.NotCompared is not null ? $"not compared at {t.Projection} position {t.Position} (state rows pending)" : $"{t.RowsChecked} rows at {t.Projection} position {t.Position}: {(t.Ok ? "equal to the recompute" : $"{t.Missing} missing, {t.Extra} extra, {t.Different} different")}")}"));
        foreach (var p in result.Problems.Take(20))
            await o.WriteLineAsync($"  seq {p.Sequence?.ToString(CultureInfo.InvariantCulture) ?? "-"} {p.Stream}: {p.Problem}");
        if (result.Problems.Count > 20) await o.WriteLineAsync(FormattableString.Invariant($"  … and {result.Problems.Count - 20} more problems"));
        await o.WriteLineAsync(FormattableString.Invariant(
            $"  took {(result.ChainTime + result.SnapshotsTime + result.ReadModelsTime).TotalSeconds:F1} s: chain {result.ChainTime.TotalSeconds:F1} s, snapshots {result.SnapshotsTime.TotalSeconds:F1} s, read models {result.ReadModelsTime.TotalSeconds:F1} s"));
        return result.Ok ? Ok : Failed;
    }

    /// <summary>
    /// Rebuilds with a Marten daemon built for this process (<c>RebuildProjectionAsync</c>: the projection's tables
    /// emptied, then the log replayed up to the high-water mark), holding the shard's lock (<see cref="ShardLock"/>, the
    /// one a service's coordinator holds while it runs the shard): refused while a service runs the projection (rebuild
    /// through POST /api/admin/projections/rebuild then), and no service starts it meanwhile.
    /// </summary>
    private static async Task<int> RebuildAsync(LedgerDatabase db, ReadModelSettings readModels, string[] args, Output output, CancellationToken ct)
    {
        var targets = args.Length == 0 ? SakipReadModels.Names : SakipReadModels.Names.Where(n => n == args[0]).ToList();
        if (targets.Count == 0)
        {
            await output.Err.WriteLineAsync($"No projection '{args[0]}'; known: {string.Join(", ", SakipReadModels.Names)}.");
            return Usage;
        }
        using var store = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, db.Service.ConnectionString);
            o.Connection(db.Service); // the service role's pool (its connection string does not carry the password)
            ReadModelRegistration.Configure(o, readModels);
        });
        using var daemon = await store.BuildProjectionDaemonAsync();
        foreach (var name in targets)
        {
            await using var held = await ShardLock.TryTakeAsync(store, name, ct);
            if (held is null)
            {
                await output.Err.WriteLineAsync($"{name}: a running service's daemon runs it; rebuild through POST /api/admin/projections/rebuild, or stop the service.");
                return Failed;
            }
            var total = await ReadModelSchema.HeadAsync(db.Service, ct);
            var clock = Stopwatch.StartNew();
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var watch = Task.Run(async () =>
            {
                while (!watching.IsCancellationRequested)
                {
                    output.Progress(new RebuildProgress(name, Math.Min(total, daemon.Tracker.CurrentState(SakipReadModels.ShardOf(name))?.Sequence ?? 0), total, clock.Elapsed));
                    await Task.Delay(250, watching.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }, CancellationToken.None);
            try
            {
                await daemon.RebuildProjectionAsync(name, ProjectionRebuilds.ShardTimeout, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await watching.CancelAsync();
                await watch;
                output.EndProgress();
                var failure = ShardFailure.For(e, DateTimeOffset.UtcNow);
                await output.Err.WriteLineAsync($"{name}: failed{(failure.Event is { } ev ? FormattableString.Invariant($" at event {ev.Sequence}") : "")}: {failure.Message}");
                return Failed;
            }
            await watching.CancelAsync();
            await watch;
            var final = new RebuildProgress(name, total, total, clock.Elapsed);
            output.Progress(final);
            output.EndProgress();
            await output.Out.WriteLineAsync(FormattableString.Invariant(
                $"{name}: rebuilt {final.Done} events in {final.Elapsed.TotalSeconds:F1} s ({final.EventsPerSecond:F0} events/s)"));
        }
        return Ok;
    }

    /// <summary>Rebuild progress: events replayed of the head of the log when the rebuild started.</summary>
    private sealed record RebuildProgress(string Projection, long Done, long Total, TimeSpan Elapsed)
    {
        public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;
        public TimeSpan? Eta => EventsPerSecond > 0 ? TimeSpan.FromSeconds((Total - Done) / EventsPerSecond) : null;
    }

    /// <summary>Progress as a redrawn bar in a terminal, as plain lines (at most one a second) otherwise.</summary>
    private sealed class Output(TextWriter stdout, TextWriter stderr, bool interactive)
    {
        private DateTime _lastLine = DateTime.MinValue;
        private bool _barOpen;

        public TextWriter Out => stdout;
        public TextWriter Err => stderr;

        public void Progress(RebuildProgress p)
        {
            var pct = p.Total == 0 ? 100 : (int)(p.Done * 100 / p.Total);
            var eta = p.Eta is { } e ? e.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
            var text = FormattableString.Invariant($"{p.Projection} {p.Done}/{p.Total} events {pct,3}% {p.EventsPerSecond,8:F0} ev/s ETA {eta}");
            if (interactive)
            {
                var bar = new string('#', pct / 4).PadRight(25, '.');
                stdout.Write($"\r[{bar}] {text}");
                _barOpen = true;
            }
            else if (DateTime.UtcNow - _lastLine >= TimeSpan.FromSeconds(1) || p.Done == p.Total)
            {
                _lastLine = DateTime.UtcNow;
                stdout.WriteLine(text);
            }
        }

        public void EndProgress()
        {
            if (_barOpen) stdout.WriteLine();
            _barOpen = false;
            _lastLine = DateTime.MinValue;
        }
    }
}
