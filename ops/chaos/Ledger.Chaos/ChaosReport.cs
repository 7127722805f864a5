using System.Globalization;
using System.Text;

namespace Ledger.Chaos;

/// <summary>
/// What a run did and what it found. Every list of findings is empty in a run that passes (<see cref="Ok"/>); each entry
/// names the command, key, event or table concerned.
/// </summary>
public sealed class ChaosReport
{
    public required ChaosOptions Options { get; init; }
    public TimeSpan Elapsed { get; set; }

    // What happened.
    public int Acknowledged { get; set; }
    public int AcknowledgedAfterLostAnswer { get; set; }
    public int ReplayedAfterLostAnswer { get; set; }
    public int RefusedAsExpected { get; set; }
    public int Reads { get; set; }
    public int Retries { get; set; }
    public int ConnectionFailures { get; set; }
    public int Timeouts { get; set; }
    public int Unavailable503 { get; set; }
    public int ServerErrors5xx { get; set; }
    public int Kills { get; set; }
    public int CommitKills { get; set; }
    public int FastRestarts { get; set; }
    public int ImmediateRestarts { get; set; }
    public int Outages { get; set; }
    public int ServiceStarts { get; set; }
    public long EventsInLog { get; set; }
    public long EventsVerified { get; set; }
    public long ProjectionHead { get; set; }
    public TimeSpan CatchUp { get; set; }
    public bool ChainOk { get; set; }
    public bool ProjectionsOk { get; set; }
    public IReadOnlyDictionary<int, int> Statuses { get; set; } = new Dictionary<int, int>();
    public List<string> Faults { get; } = [];

    /// <summary>When PostgreSQL was away (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>): each restart or outage, until it accepted connections again.</summary>
    public List<(long From, long Until)> DatabaseAway { get; } = [];

    /// <summary>503 answers to attempts that were on their way neither while the database was away nor within a second after it was back: the service said "database away" while it was there.</summary>
    public List<string> UnavailableWhileDatabaseUp { get; } = [];

    // What must stay empty.
    public List<string> Lost { get; } = [];
    public List<string> Duplicated { get; } = [];
    public List<string> ServerErrors { get; } = [];
    public List<string> UnavailableWithoutRetryAfter { get; } = [];
    public List<string> UnexpectedAnswers { get; } = [];
    public List<string> ReplayMismatches { get; } = [];
    public List<string> ProbeFailures { get; } = [];
    public List<string> ProjectionProblems { get; } = [];
    public List<string> ChainProblems { get; } = [];
    public List<string> StateMismatches { get; } = [];

    public IEnumerable<(string Name, List<string> Items)> Findings =>
    [
        ("lost (acknowledged, not in the log)", Lost), ("duplicated (a key wrote twice, or wrote and was refused)", Duplicated),
        ("500 or other 5xx answers", ServerErrors), ("503 without Retry-After or problem details", UnavailableWithoutRetryAfter),
        ("503 while the database was up", UnavailableWhileDatabaseUp),
        ("unexpected answers", UnexpectedAnswers), ("replays differing from the first answer", ReplayMismatches),
        ("commit-crash probes failed", ProbeFailures), ("projections", ProjectionProblems), ("chain and derived state", ChainProblems),
        ("state read back differs from the clients' acknowledged writes", StateMismatches),
    ];

    public bool Ok => Findings.All(f => f.Items.Count == 0);

    public string Summary()
    {
        var o = Options;
        var sb = new StringBuilder();
        void Line(string name, object value) => sb.AppendLine(CultureInfo.InvariantCulture, $"  {name,-52} {value}");
        string YesNo(bool b) => b ? "yes" : "NO";
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Crash test: {o.Rounds} round(s) of {o.Load.TotalSeconds:F0} s, {o.Clients} clients, seed {o.Seed}; {Elapsed.TotalSeconds:F0} s in all.");
        Line("commands acknowledged (2xx)", Acknowledged);
        Line("  of which after a lost answer (broken connection/503)", AcknowledgedAfterLostAnswer);
        Line("  of which replayed: committed, answer lost in a crash", ReplayedAfterLostAnswer);
        Line("commands refused as expected (422)", RefusedAsExpected);
        Line("reads", Reads);
        Line("retries (attempts after the first)", Retries);
        Line("broken connections / timeouts seen", $"{ConnectionFailures} / {Timeouts}");
        Line("503 with Retry-After seen", Unavailable503 - UnavailableWithoutRetryAfter.Count);
        Line("503 without Retry-After or problem details", UnavailableWithoutRetryAfter.Count);
        Line("503 while the database was up (> 1 s after)", UnavailableWhileDatabaseUp.Count);
        Line("500 (or other 5xx) seen", ServerErrors5xx);
        Line("kill -9 of the service (random moment / after commit)", $"{Kills + CommitKills} ({Kills} / {CommitKills})");
        Line("PostgreSQL restarts (fast / immediate)", $"{FastRestarts + ImmediateRestarts} ({FastRestarts} / {ImmediateRestarts})");
        Line("PostgreSQL outages", $"{Outages} of {o.OutageLength.TotalSeconds:F0} s");
        Line("service starts", ServiceStarts);
        Line("answers by status", string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Line("lost", Lost.Count);
        Line("duplicated", Duplicated.Count);
        Line("replays differing", ReplayMismatches.Count);
        Line("unexpected answers", UnexpectedAnswers.Count);
        Line("projections caught up, exactly once", $"{YesNo(ProjectionsOk)} (head {ProjectionHead}, {CatchUp.TotalSeconds:F1} s after the load)");
        Line("chain verifies, read models match the log", $"{YesNo(ChainOk)} ({EventsVerified} of {EventsInLog} events)");
        sb.AppendLine("Faults:");
        foreach (var f in Faults) sb.AppendLine("  " + f);
        foreach (var (name, items) in Findings.Where(f => f.Items.Count > 0))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"FOUND {items.Count} {name}:");
            foreach (var item in items.Take(20)) sb.AppendLine("  - " + item);
            if (items.Count > 20) sb.AppendLine(CultureInfo.InvariantCulture, $"  … and {items.Count - 20} more");
        }
        sb.AppendLine(Ok ? "RESULT: OK" : "RESULT: FAILED");
        return sb.ToString();
    }
}
