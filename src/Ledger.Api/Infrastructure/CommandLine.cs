using System.Globalization;
using Ledger.Audit;
using Ledger.Projections;
using Ledger.ReadModels;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Verbs run instead of the web server (issue 4), with the service's own database configuration
/// (<see cref="LedgerDatabase.OpenAsync"/>: ConnectionStrings__Ledger, or the local cluster):
/// <code>
///   dotnet run --project src/Ledger.Api -- rebuild [projection]   rebuild one or all SAKIP projections from sequence 0
///   dotnet run --project src/Ledger.Api -- verify                 walk the hash chain; exit 0 when intact
/// </code>
/// Exit codes: 0 ok, 1 a broken chain or a failed rebuild, 2 usage. Callable from tests: pass the configuration and
/// the writers. Add a verb by adding a row to <see cref="Verbs"/> (engineer D: <c>import</c>).
/// </summary>
public static class CommandLine
{
    public const int Ok = 0, Failed = 1, Usage = 2;

    private delegate Task<int> Verb(LedgerDatabase db, string[] args, Output output, CancellationToken ct);

    private static readonly Dictionary<string, Verb> Verbs = new(StringComparer.Ordinal)
    {
        ["rebuild"] = RebuildAsync,
        ["verify"] = VerifyAsync,
    };

    /// <summary>True when the first argument is a verb (then Program runs <see cref="RunAsync"/> and no web server).</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.ContainsKey(args[0]);

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
        using var logs = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddConfiguration(config.GetSection("Logging")).SetMinimumLevel(LogLevel.Warning));
        await using var db = await LedgerDatabase.OpenAsync(config, logs.CreateLogger("Ledger.Database"), ct);
        var positional = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        return await verb(db, positional, new Output(stdout, stderr, interactive), ct);
    }

    private static async Task<int> VerifyAsync(LedgerDatabase db, string[] args, Output output, CancellationToken ct)
    {
        using var store = Marten.DocumentStore.For(o => Ledger.Storage.LedgerMarten.Configure(o, db.ServiceConnectionString));
        var streams = new Ledger.Storage.StreamLoader(store, db.Service);
        var result = await ChainVerifier.VerifyAsync(db.Service, await Features.Audit.PublishedLogHeads.LoadAsync(streams, ct), ct);
        if (result.Ok)
        {
            await output.Out.WriteLineAsync(FormattableString.Invariant(
                $"ok: {result.EventsChecked} events checked, head {result.HeadSequence}, log digest {result.LogDigest}, {result.Heads.Count} published heads match"));
            return Ok;
        }
        await output.Out.WriteLineAsync(FormattableString.Invariant(
            $"BROKEN: first broken sequence {result.FirstBrokenSequence?.ToString(CultureInfo.InvariantCulture) ?? "(stream rows)"}, {result.EventsChecked} events checked"));
        foreach (var p in result.Problems.Take(20))
            await output.Out.WriteLineAsync($"  seq {p.Sequence?.ToString(CultureInfo.InvariantCulture) ?? "-"} {p.Stream}: {p.Problem}");
        return Failed;
    }

    private static async Task<int> RebuildAsync(LedgerDatabase db, string[] args, Output output, CancellationToken ct)
    {
        var all = SakipProjections.Create();
        var targets = args.Length == 0 ? all : all.Where(p => p.Name == args[0]).ToList();
        if (targets.Count == 0)
        {
            await output.Err.WriteLineAsync($"No projection '{args[0]}'; known: {string.Join(", ", all.Select(p => p.Name))}.");
            return Usage;
        }
        var rebuilder = new ProjectionRebuilder(db.Service);
        try
        {
            foreach (var p in targets)
            {
                var final = await rebuilder.RebuildAsync(p, new ProjectionRebuilds.SyncProgress(output.Progress), ct);
                output.EndProgress();
                await output.Out.WriteLineAsync(FormattableString.Invariant(
                    $"{p.Name}: rebuilt {final.Done} events in {final.Elapsed.TotalSeconds:F1} s ({final.EventsPerSecond:F0} events/s)"));
            }
            return Ok;
        }
        catch (ProjectionFailedException e)
        {
            output.EndProgress();
            await output.Err.WriteLineAsync($"{e.Projection}: failed at event {e.EventSequence}: {e.InnerException?.Message}");
            return Failed;
        }
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
