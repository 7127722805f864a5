using Ledger.Chaos;
using Xunit.Abstractions;

namespace Ledger.Chaos.Tests;

/// <summary>
/// Issue 13 item 3, the short crash test (the long one: <c>ops/chaos/run</c>; docs/reliability.md). The real service
/// as a child process on its own durable throwaway PostgreSQL cluster, four clients sending realizations, corrections,
/// PK perubahan (signed, and proposed then approved) and reads, each command with an Idempotency-Key and retried with
/// it on a broken connection or a 503; meanwhile the service is killed with SIGKILL at a random moment and once exactly
/// between a commit and its answer, and PostgreSQL is restarted fast, immediate, and stopped for a few seconds.
/// <see cref="ChaosChecks"/> then checks against the database and the API what is asserted here.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Commands_UnderKill9AndPostgresRestarts_AreInTheLogOnceReplayedAlikeAndNeverAnswered500()
    {
        // The service's output stays beside the test assembly, for whoever reads a failure.
        var serviceLog = Path.Combine(AppContext.BaseDirectory, "chaos-service.log");
        File.Delete(serviceLog);
        var report = await ChaosRun.RunAsync(new ChaosOptions
        {
            Rounds = 1, Load = TimeSpan.FromSeconds(25), Clients = 4,
            Kills = 1, CommitKills = 1, FastRestarts = 1, ImmediateRestarts = 1, Outages = 1, OutageLength = TimeSpan.FromSeconds(3),
            RetryAfterCap = TimeSpan.FromMilliseconds(300),
            ServiceLog = serviceLog,
            Log = output.WriteLine,
        });
        output.WriteLine(report.Summary());

        // Never a 500; while the database is away, 503 with Retry-After (problem details), and only then.
        Assert.Empty(report.ServerErrors);
        Assert.Equal(0, report.ServerErrors5xx);
        Assert.Empty(report.UnavailableWithoutRetryAfter);
        Assert.Empty(report.UnavailableWhileDatabaseUp);

        // Nothing lost, nothing written twice, every answer the one the domain must give, every retry answered alike.
        Assert.Empty(report.Lost);
        Assert.Empty(report.Duplicated);
        Assert.Empty(report.UnexpectedAnswers);
        Assert.Empty(report.ReplayMismatches);
        Assert.Empty(report.ProbeFailures);

        // Projections at the head, each event in them once; the chain and the read models verify; reads agree.
        Assert.Empty(report.ProjectionProblems);
        Assert.Empty(report.ChainProblems);
        Assert.Empty(report.StateMismatches);
        Assert.True(report.ProjectionHead > 0);
        Assert.Equal(report.EventsInLog, report.EventsVerified);

        // And all of that under the faults: they happened, under load, and the clients met them.
        Assert.Equal((1, 1, 1, 1, 1), (report.Kills, report.CommitKills, report.FastRestarts, report.ImmediateRestarts, report.Outages));
        Assert.True(report.Acknowledged >= 100, $"only {report.Acknowledged} commands acknowledged");
        Assert.True(report.ConnectionFailures > 0, "no client met a killed service");
        Assert.True(report.Unavailable503 > 0, "no client met the database away (503)");
        Assert.True(report.ReplayedAfterLostAnswer >= 1, "no command committed before a crash was answered by a replay");
        Assert.True(report.Ok, report.Summary());
    }
}
