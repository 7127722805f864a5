using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Ledger.Replication.Tests;

/// <summary>
/// Issue 13 item 5, "kill the primary under load": the service runs on a Patroni cluster in synchronous mode through a
/// multi-host connection string; clients write (each its own agency, every write with an Idempotency-Key, sent again
/// with the same key after a 503 or a broken connection, as a careful client does); the primary's Patroni and
/// PostgreSQL are killed with SIGKILL mid-load. Afterwards: every acknowledged (2xx) write's events are in the log of
/// the new primary at the versions answered, no answer was a 500 (a 503 always with Retry-After and problem details),
/// writes succeed again without restarting the service, its daemon leads on the new primary and projects to the head,
/// and <c>GET /api/audit/verify</c> is ok with every read-model table compared.
/// Short in CI (one kill); long by <c>ops/replica/run load</c> (LEDGER_REPLICA_SECONDS, _KILLS, _CLIENTS: the killed
/// node is started again after each failover, rejoins as the synchronous standby, and the next kill hits the new primary).
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class FailoverTests(ReplicaFixture fixture, ITestOutputHelper output)
{
    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    private readonly Action<string> Say = fixture.SayTo(output);

    [Fact]
    public async Task Killing_the_primary_under_load_loses_no_acknowledged_write_and_the_service_carries_on_by_itself()
    {
        var seconds = Setting("LEDGER_REPLICA_SECONDS", 16);
        var kills = Setting("LEDGER_REPLICA_KILLS", 1);
        var clients = Setting("LEDGER_REPLICA_CLIENTS", 3);
        await fixture.EnsureBothNodesAsync(Say);
        var service = fixture.Service;
        var agencies = new List<LedgerApi.Agency>();
        for (var i = 0; i < clients; i++) agencies.Add(await LedgerApi.SetUpAgencyAsync(service, $"fo{Guid.NewGuid().ToString("N")[..6]}-{i}"));
        Say($"{clients} agencies set up; load for {seconds} s with {kills} kill(s) of the primary");

        var attempts = new ConcurrentQueue<(DateTime Sent, Answer Answer)>();
        var outcomes = new ConcurrentQueue<CommandOutcome>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var reads = new ConcurrentQueue<(DateTime Sent, long Wrote, Answer Answer)>();
        var load = agencies.Select((a, i) => Task.Run(() => ClientAsync(service, a, i, attempts, outcomes, reads, stop.Token))).ToList();

        var clock = Stopwatch.StartNew();
        var killLog = new List<(string Node, DateTime At, TimeSpan Failover)>();
        for (var k = 1; k <= kills; k++)
        {
            var due = TimeSpan.FromSeconds(seconds * k / (double)(kills + 1));
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var killed = await fixture.Cluster.KillPrimaryAsync(Say);
            var at = DateTime.UtcNow; // (the script's last step was the kill)
            var since = Stopwatch.StartNew();
            var (promoted, after) = await fixture.Cluster.WaitNewPrimaryAsync(killed, since, TimeSpan.FromSeconds(60));
            Say($"kill {k}: {killed} killed; {promoted} primary {after.TotalSeconds:F1} s later");
            killLog.Add((killed, at, after));
            if (k < kills)
            {
                // The killed node comes back as the synchronous standby (rewound if it had WAL the new primary never had).
                await fixture.Cluster.StartNodeAsync(killed, Say);
                await fixture.Cluster.WaitHealthyAsync(Say, TimeSpan.FromSeconds(90));
                Say($"{killed} rejoined:\n{await fixture.Cluster.StatusAsync()}");
            }
        }
        await Task.WhenAll(load);

        // Writes succeed again, without restarting the service.
        var afterwards = await WriteUntilDefinitiveAsync(service, agencies[0], 999_999, attempts, TimeSpan.FromSeconds(60));
        Assert.True(afterwards.Ok, $"a write after the failover: {afterwards}");

        var all = attempts.ToList();
        var acknowledged = outcomes.Where(o => o.Ok).ToList();
        foreach (var (node, at, failover) in killLog)
        {
            var firstOk = all.Where(a => a.Answer.Ok && a.Sent > at).Select(a => (DateTime?)a.Sent).Min();
            Say($"{node} killed at {at:HH:mm:ss.fff}: new primary after {failover.TotalSeconds:F1} s; first write acknowledged after it was sent " +
                $"{(firstOk is { } f ? (f - at).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s" : "never")} after the kill");
        }
        Say($"2xx writes without Ledger-Lsn (around a kill): {all.Count(a => a.Answer.Ok && a.Answer.Lsn is null)}");
        Say("answers: " + string.Join(", ", all.GroupBy(a => a.Answer.Transport is null ? a.Answer.Status.ToString(CultureInfo.InvariantCulture) : "no answer")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ×{g.Count()}")));

        var problems = new List<string>();
        foreach (var (sent, a) in all)
        {
            if (a.Status >= 500 && a.Status != 503) problems.Add($"{a.Status} at {sent:HH:mm:ss.fff}: {a.Body}");
            if (a.Status == 503 && (a.RetryAfter is null || a.ContentType != "application/problem+json"))
                problems.Add($"503 without Retry-After or problem details at {sent:HH:mm:ss.fff}: {a.RetryAfter} {a.ContentType} {a.Body}");
            // Ledger-Lsn is read on the primary when the answer starts: a write committed just before the kill may be
            // answered without one (the service says so in the docs); anywhere else it is a defect.
            if (a.Ok && a.Lsn is null && !killLog.Any(k => sent > k.At - TimeSpan.FromSeconds(5) && sent < k.At + k.Failover + TimeSpan.FromSeconds(2)))
                problems.Add($"a 2xx write without Ledger-Lsn at {sent:HH:mm:ss.fff}, away from any kill: {a.Body}");
        }
        foreach (var o in outcomes.Where(o => !o.Ok)) problems.Add("a write was not acknowledged: " + o);
        foreach (var (sent, wrote, r) in reads)
        {
            if (r.Status >= 500 && r.Status != 503) problems.Add($"read: {r.Status} at {sent:HH:mm:ss.fff}: {r.Body}");
            if (r.Status == 503 && r.RetryAfter is null) problems.Add($"read: 503 without Retry-After at {sent:HH:mm:ss.fff}");
            if (r.Status is not (200 or 503 or 0)) problems.Add($"read: {r.Status} at {sent:HH:mm:ss.fff}: {r.Body}");
            if (r.Status == 200 && JsonDocument.Parse(r.Body).RootElement.GetProperty("version").GetInt64() < wrote)
                problems.Add($"read-your-writes: a read with the write's position at {sent:HH:mm:ss.fff} from the {r.ReadFrom} answered " +
                    $"version {JsonDocument.Parse(r.Body).RootElement.GetProperty("version")}, the write was {wrote}");
        }
        Say("reads with the write's position: " + string.Join(", ", reads.GroupBy(r => r.Answer.Transport is null ? $"{r.Answer.Status} {r.Answer.ReadFrom}" : "no answer")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ×{g.Count()}")));
        var (_, firstKill, _) = killLog[0];
        if (acknowledged.Count(o => o.Done < firstKill) < 5) problems.Add("fewer than 5 writes acknowledged before the first kill");
        if (!all.Any(a => a.Answer.Ok && a.Sent > killLog[^1].At)) problems.Add("no write acknowledged after the last kill");
        // The writers or the readers (eighteenth session: in one CI run every write in flight at the kill was held until
        // the new primary took it, 200 ×382, while the reads answered 503 ×150: the failover had reached the clients).
        if (!all.Any(a => a.Answer.Status == 503 || a.Answer.Transport is not null) && !reads.Any(r => r.Answer.Status == 503 || r.Answer.Transport is not null))
            problems.Add("the failover reached no client (no 503, no broken connection, to a write or a read)");

        // The daemon leads on the new primary and projects to the head; the log holds every acknowledged write.
        var caughtUp = await Leadership.WaitCaughtUpAsync(service, TimeSpan.FromSeconds(90));
        Say($"sakip at the head {caughtUp.TotalSeconds:F1} s after the load");
        var log = new LogChecks(fixture.Owner, LogChecks.SakipLockId());
        try
        {
            var relocked = await Leadership.WaitForHolderAsync(log, service, TimeSpan.FromSeconds(60));
            Say($"the service holds sakip's lock on the new primary ({relocked.TotalSeconds:F1} s after the check began)");
        }
        catch (TimeoutException e)
        {
            problems.Add($"sakip's lock is not held on the new primary: {e.Message[..Math.Min(400, e.Message.Length)]} (holders: {string.Join(", ", await log.SakipHoldersAsync())})");
        }
        problems.AddRange(await TwoHostsChecks.LogAsync(acknowledged.Append(ToOutcome(afterwards)), log));
        var (status, verify) = await LedgerApi.GetAsync(service, ServiceProcess.AdminToken, "/api/audit/verify");
        if (status != 200) problems.Add($"verify answered {status}: {verify}");
        else problems.AddRange(TwoHostsChecks.Verification(verify, await log.SizeAsync()));
        Say($"{acknowledged.Count} writes acknowledged, {all.Count} attempts; log {await log.SizeAsync()}");

        // The short run leaves both nodes running for the next test; the long one too.
        await fixture.EnsureBothNodesAsync(Say);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(40)) + "\n" + service.Output[^Math.Min(service.Output.Length, 6000)..]);
    }

    private static CommandOutcome ToOutcome(Answer a, DateTime? sent = null) =>
        CommandOutcome.Parse("replica", "correction", a.Status, null, a.Body, false, sent ?? DateTime.UtcNow);

    /// <summary>
    /// Writes, and after each acknowledged write reads the indicator back with the write's <c>Ledger-Min-Lsn</c> (sent
    /// again after a 503 or a broken connection): read-your-writes through the failover, from the standby or the primary.
    /// </summary>
    private static async Task ClientAsync(ServiceProcess service, LedgerApi.Agency agency, int client,
        ConcurrentQueue<(DateTime, Answer)> attempts, ConcurrentQueue<CommandOutcome> outcomes,
        ConcurrentQueue<(DateTime, long, Answer)> reads, CancellationToken stop)
    {
        for (var n = client * 100_000 + 1; !stop.IsCancellationRequested; n++)
        {
            var sent = DateTime.UtcNow;
            var answer = await WriteUntilDefinitiveAsync(service, agency, n, attempts, TimeSpan.FromSeconds(60));
            var outcome = ToOutcome(answer, sent) with { Sent = sent };
            outcomes.Enqueue(outcome);
            if (answer.Ok && outcome.Version is { } wrote)
            {
                var indicator = LedgerApi.Indicators[n % LedgerApi.Indicators.Length].Code;
                var waited = Stopwatch.StartNew();
                while (true)
                {
                    var readSent = DateTime.UtcNow;
                    var read = await Http.SendAsync(service, HttpMethod.Get, agency.Staff,
                        $"/api/agencies/{agency.Code}/indicators/{indicator}?year=2023", minLsn: answer.Lsn);
                    reads.Enqueue((readSent, wrote, read));
                    if ((read.Transport is null && read.Status != 503) || waited.Elapsed > TimeSpan.FromSeconds(60)) break;
                    await Task.Delay(200, CancellationToken.None);
                }
            }
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>A correction sent until a definitive answer: again, same key, after a 503 or a broken connection.</summary>
    private static async Task<Answer> WriteUntilDefinitiveAsync(ServiceProcess service, LedgerApi.Agency agency, int n,
        ConcurrentQueue<(DateTime, Answer)> attempts, TimeSpan patience)
    {
        var key = $"fo-{agency.Code}-{n}";
        var indicator = LedgerApi.Indicators[n % LedgerApi.Indicators.Length].Code;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var sent = DateTime.UtcNow;
            var a = await Http.SendAsync(service, HttpMethod.Post, agency.Staff, agency.Corrections, LedgerApi.Correction(indicator, n), idempotencyKey: key);
            attempts.Enqueue((sent, a));
            if (a.Transport is null && a.Status != 503) return a;
            if (waited.Elapsed > patience) return a;
            await Task.Delay(200);
        }
    }
}
