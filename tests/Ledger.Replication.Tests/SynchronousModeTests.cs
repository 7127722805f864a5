using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Replication.Tests;

/// <summary>
/// Why the cluster runs in Patroni's synchronous mode (docs/replication.md): the primary's WAL senders are stopped
/// (SIGSTOP), so that the standby receives nothing, and a write is sent through the service.
/// <list type="bullet">
/// <item>Synchronous: the write is not acknowledged while the standby cannot have it (its commit waits for the standby's
///   flush); once the WAL senders run again it is acknowledged, and the standby has it.</item>
/// <item>Asynchronous (synchronous_mode off, only here): the write is acknowledged at once, and the standby does not
///   have it — the standby Patroni would promote if the primary died now: an acknowledged write lost.</item>
/// </list>
/// No failover is needed to show it: the standby's contents at the moment of the acknowledgement are what a failover
/// then would keep (FailoverTests kills the primary for real).
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class SynchronousModeTests(ReplicaFixture fixture, ITestOutputHelper output)
{
    private readonly Action<string> Say = fixture.SayTo(output);

    [Fact]
    public async Task A_write_is_acknowledged_only_once_the_standby_has_it_and_asynchronous_replication_would_acknowledge_it_without()
    {
        await fixture.EnsureBothNodesAsync(Say);
        var service = fixture.Service;
        var agency = await LedgerApi.SetUpAgencyAsync(service, "sync" + Guid.NewGuid().ToString("N")[..6]);
        var primary = await fixture.Cluster.PrimaryAsync() ?? throw new InvalidOperationException("no primary");
        var standby = primary == "node1" ? "node2" : "node1";

        // Synchronous (the cluster's setting).
        var senders = await fixture.Cluster.WalSendersAsync(primary);
        Assert.NotEmpty(senders);
        foreach (var pid in senders) await PatroniCluster.SignalAsync(pid, "STOP");
        Say($"WAL senders {string.Join(", ", senders)} on {primary} stopped");
        Task<Answer> write = Task.FromResult<Answer>(null!);
        try
        {
            write = Http.SendAsync(service, HttpMethod.Post, agency.Staff, agency.Corrections, LedgerApi.Correction("I2", 1), idempotencyKey: "sync-1");
            var blocked = await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(3))) != write;
            Say($"synchronous: {(blocked ? "not acknowledged after 3 s" : "answered " + (await write).Status)}");
            Assert.True(blocked, $"a write was answered while the standby could not receive it: {(write.IsCompleted ? await write : null)}");
        }
        finally
        {
            foreach (var pid in senders) await PatroniCluster.SignalAsync(pid, "CONT");
        }
        var answered = Stopwatch.StartNew();
        var sync = await write;
        Assert.True(sync.Ok, $"synchronous write: {sync}");
        Say($"synchronous: acknowledged {answered.ElapsedMilliseconds} ms after the WAL senders ran again");
        Assert.True(await OnStandbyAsync(standby, EventIds(sync), TimeSpan.FromSeconds(10)), "the acknowledged write never reached the standby");

        // Asynchronous: what the cluster would do without synchronous_mode.
        await fixture.Cluster.SyncAsync(false, Say);
        try
        {
            senders = await fixture.Cluster.WalSendersAsync(primary);
            foreach (var pid in senders) await PatroniCluster.SignalAsync(pid, "STOP");
            Say($"WAL senders {string.Join(", ", senders)} on {primary} stopped");
            try
            {
                var sent = Stopwatch.StartNew();
                var async = await Http.SendAsync(service, HttpMethod.Post, agency.Staff, agency.Corrections, LedgerApi.Correction("I2", 2), idempotencyKey: "sync-2");
                Say($"asynchronous: answered {async.Status} after {sent.ElapsedMilliseconds} ms");
                Assert.True(async.Ok, $"asynchronous write: {async}");
                // Acknowledged, and not on the standby: a failover now would lose it.
                Assert.False(await OnStandbyAsync(standby, EventIds(async), TimeSpan.FromSeconds(1)),
                    "the standby had the write although its WAL sender was stopped");
                Say("asynchronous: acknowledged, and not on the standby");
            }
            finally
            {
                foreach (var pid in senders) await PatroniCluster.SignalAsync(pid, "CONT");
            }
        }
        finally
        {
            await fixture.Cluster.SyncAsync(true, Say);
        }
        await fixture.Cluster.WaitHealthyAsync(Say, TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Found by the long failover run: a commit whose wait for the standby is cut (its backend terminated, as when Patroni
    /// stops PostgreSQL to demote it) is committed locally, unreplicated, and visible; the client's retry with the same
    /// Idempotency-Key then got Wolverine's stored answer at once, a 200 for events the standby did not have, lost by
    /// the failover that followed. A replayed answer now waits for the standby like a commit (a commit record of its own).
    /// </summary>
    [Fact]
    public async Task A_write_cut_off_in_its_wait_for_the_standby_is_replayed_only_once_the_standby_has_it()
    {
        await fixture.EnsureBothNodesAsync(Say);
        var service = fixture.Service;
        var agency = await LedgerApi.SetUpAgencyAsync(service, "cut" + Guid.NewGuid().ToString("N")[..6]);
        var primary = await fixture.Cluster.PrimaryAsync() ?? throw new InvalidOperationException("no primary");
        var standby = primary == "node1" ? "node2" : "node1";
        var senders = await fixture.Cluster.WalSendersAsync(primary);
        foreach (var pid in senders) await PatroniCluster.SignalAsync(pid, "STOP");
        Say($"WAL senders {string.Join(", ", senders)} on {primary} stopped");
        Task<Answer> retry;
        try
        {
            var first = Http.SendAsync(service, HttpMethod.Post, agency.Staff, agency.Corrections, LedgerApi.Correction("I2", 7), idempotencyKey: "cut-1");
            // Its commit waits for the standby; cut the wait off as a demotion would.
            var waited = Stopwatch.StartNew();
            var cut = 0L;
            while (cut == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
                cut = (long)(await fixture.Cluster.OnNodeAsync(primary,
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND application_name LIKE 'ledger/%'"))!;
            }
            Assert.True(cut > 0, "no commit was waiting for the standby");
            var answer = await first;
            Say($"the write's backend terminated in its wait: {(answer.Transport ?? answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
            Assert.False(answer.Ok, $"a write was acknowledged while the standby could not have it: {answer}");

            // A careful client sends it again with the same key (after a 503, again): for 3 s, while the standby cannot
            // have the write, no attempt may be acknowledged.
            Task<Answer> Send() => Http.SendAsync(service, HttpMethod.Post, agency.Staff, agency.Corrections, LedgerApi.Correction("I2", 7), idempotencyKey: "cut-1");
            retry = Send();
            var during = Stopwatch.StartNew();
            var refused = new List<int>();
            while (during.Elapsed < TimeSpan.FromSeconds(3))
            {
                if (await Task.WhenAny(retry, Task.Delay(TimeSpan.FromSeconds(3) - during.Elapsed)) != retry) break;
                var a = await retry;
                Assert.False(a.Ok, $"a retry was acknowledged while the standby did not have the write: {a}");
                refused.Add(a.Status);
                await Task.Delay(200);
                retry = Send();
            }
            Say($"retries with the same key while the standby cannot have the write: {refused.Count} answered ({string.Join(", ", refused)}), none acknowledged; one waiting");
        }
        finally
        {
            foreach (var pid in senders) await PatroniCluster.SignalAsync(pid, "CONT");
        }
        var replayed = await retry;
        for (var attempt = 0; !replayed.Ok && attempt < 50; attempt++)
        {
            await Task.Delay(200);
            replayed = await Http.SendAsync(service, HttpMethod.Post, agency.Staff, agency.Corrections, LedgerApi.Correction("I2", 7), idempotencyKey: "cut-1");
        }
        Assert.True(replayed.Ok, $"the retry once the standby has it: {replayed}");
        Assert.True(await OnStandbyAsync(standby, EventIds(replayed), TimeSpan.FromSeconds(10)), "the replayed write is not on the standby");
        await fixture.Cluster.WaitHealthyAsync(Say, TimeSpan.FromSeconds(30));
    }

    private static Guid[] EventIds(Answer a) =>
        JsonDocument.Parse(a.Body).RootElement.GetProperty("eventIds").EnumerateArray().Select(e => e.GetGuid()).ToArray();

    /// <summary>Whether every one of the events is visible on the standby within <paramref name="within"/>.</summary>
    private async Task<bool> OnStandbyAsync(string standby, Guid[] ids, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        await using var c = new NpgsqlConnection(fixture.Cluster.Direct(standby));
        await c.OpenAsync();
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM ledger.mt_events WHERE id = ANY($1)", c);
            cmd.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
            if ((long)(await cmd.ExecuteScalarAsync())! == ids.Length) return true;
            if (waited.Elapsed > within) return false;
            await Task.Delay(50);
        }
    }
}
