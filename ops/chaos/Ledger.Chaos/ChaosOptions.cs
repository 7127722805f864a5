using System.Globalization;

namespace Ledger.Chaos;

/// <summary>
/// How hard and how long to shake the service. Each round: fresh agencies (one per client) are set up without faults,
/// then the clients send commands for <see cref="Load"/> while the faults of the round run, spread over it, one after
/// another: <see cref="Kills"/> kill -9 of the service at a random moment, <see cref="CommitKills"/> kill -9 exactly
/// between a command's commit and its answer (<see cref="CommitCrashProbe"/>), <see cref="FastRestarts"/> and
/// <see cref="ImmediateRestarts"/> of PostgreSQL, and <see cref="Outages"/> (PostgreSQL away for a while). The service is started again at once after each kill.
/// </summary>
public sealed record ChaosOptions
{
    public int Rounds { get; init; } = 1;
    public TimeSpan Load { get; init; } = TimeSpan.FromSeconds(30);
    public int Clients { get; init; } = 4;
    public int Kills { get; init; } = 1;
    public int CommitKills { get; init; } = 1;
    public int FastRestarts { get; init; } = 1;
    public int ImmediateRestarts { get; init; } = 1;

    /// <summary>PostgreSQL stopped (immediate) for <see cref="OutageLength"/>, then started: clients meet the database away, not only restarting.</summary>
    public int Outages { get; init; }
    public TimeSpan OutageLength { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A client waits what Retry-After says, but at most this (the service asks for 5 s; a test cannot wait that long).</summary>
    public TimeSpan RetryAfterCap { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>One attempt's time limit; a timed-out attempt is retried with the same key like a broken connection.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A command still without a definitive answer after this long is reported unresolved (a failure).</summary>
    public TimeSpan CommandDeadline { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>How long the projections may take to reach the head once the load has ended.</summary>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public int Seed { get; init; } = Environment.TickCount & 0x7fffffff;

    /// <summary>The service's build; null: <c>src/Ledger.Api/bin/{this build's configuration}/net10.0/Ledger.Api.dll</c>.</summary>
    public string? ServiceDll { get; init; }

    /// <summary>Progress lines (what happens when); the summary is the report's.</summary>
    public Action<string> Log { get; init; } = line => Console.Error.WriteLine(line);

    /// <summary>Where the service's output goes (appended across its starts) and stays; null: a temporary file, deleted when the run passes.</summary>
    public string? ServiceLog { get; init; }

    public int FaultsPerRound => Kills + CommitKills + FastRestarts + ImmediateRestarts + Outages;

    public const string Usage = """
        Usage: ops/chaos/run [options]     (dotnet run -c Release --project ops/chaos/Ledger.Chaos -- [options])

        Starts a durable throwaway PostgreSQL cluster and the service (src/Ledger.Api, this build's configuration) as a
        child process; for each round sets up one agency per client, then runs the clients' commands (realizations,
        corrections, PK perubahan signed by the approver, PK proposals by staff approved by the approver, reads, and
        refusals the domain must give) while it kills the service with SIGKILL (at random moments and exactly between a
        commit and its answer) and restarts PostgreSQL (-m fast and -m immediate). Clients retry every command with the
        same Idempotency-Key on a broken connection or a 503 until they get a definitive answer. Afterwards: every
        acknowledged command's events are in the log exactly once, no key wrote twice, every retry of an acknowledged
        command replays its answer, projections reach the head and match the log, GET /api/audit/verify is ok, and no
        answer was a 500 or a 503 without Retry-After. Prints a summary; exit code 0 only when all of that holds.

        Options:
          --rounds <n>              rounds (default 3)
          --duration <s>            seconds of load per round (default 60)
          --clients <n>             concurrent clients, one agency each per round (default 8)
          --kills <n>               kill -9 of the service at a random moment, per round (default 2)
          --commit-kills <n>        kill -9 between a commit and its answer, per round (default 1)
          --fast-restarts <n>       pg_ctl restart -m fast, per round (default 1)
          --immediate-restarts <n>  pg_ctl restart -m immediate, per round (default 1)
          --outages <n>             PostgreSQL stopped (-m immediate) and started again after --outage-seconds, per round (default 1)
          --outage-seconds <s>      how long each outage lasts (default 5)
          --retry-after-cap <ms>    longest wait a client honours from Retry-After (default 1000)
          --seed <n>                random seed (default: the clock); printed, so a run can be repeated
          --service-log <path>      keep the service's output there (default: a temporary file, deleted when the run passes)
        """;

    /// <summary>The long run's defaults, changed by the command line.</summary>
    public static ChaosOptions Parse(string[] args)
    {
        var o = new ChaosOptions
        {
            Rounds = 3, Load = TimeSpan.FromSeconds(60), Clients = 8, Kills = 2, CommitKills = 1, FastRestarts = 1, ImmediateRestarts = 1, Outages = 1,
            RetryAfterCap = TimeSpan.FromSeconds(1),
        };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            int Int(int min, int max)
            {
                if (i + 1 >= args.Length || !int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                    throw new ArgumentException($"{name} needs a whole number from {min} to {max}.");
                return v;
            }
            o = name switch
            {
                "--rounds" => o with { Rounds = Int(1, 1000) },
                "--duration" => o with { Load = TimeSpan.FromSeconds(Int(5, 3600)) },
                "--clients" => o with { Clients = Int(1, 64) },
                "--kills" => o with { Kills = Int(0, 100) },
                "--commit-kills" => o with { CommitKills = Int(0, 100) },
                "--fast-restarts" => o with { FastRestarts = Int(0, 100) },
                "--immediate-restarts" => o with { ImmediateRestarts = Int(0, 100) },
                "--outages" => o with { Outages = Int(0, 100) },
                "--outage-seconds" => o with { OutageLength = TimeSpan.FromSeconds(Int(1, 600)) },
                "--retry-after-cap" => o with { RetryAfterCap = TimeSpan.FromMilliseconds(Int(0, 10_000)) },
                "--seed" => o with { Seed = Int(0, int.MaxValue) },
                "--service-log" => o with { ServiceLog = i + 1 < args.Length ? Path.GetFullPath(args[++i]) : throw new ArgumentException("--service-log needs a path.") },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        return o;
    }
}
