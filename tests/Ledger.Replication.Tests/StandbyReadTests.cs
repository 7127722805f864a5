using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Ledger.Replication.Tests;

/// <summary>
/// Reads from the standby with read-your-writes (docs/replication.md): a write answers its WAL position in
/// <c>Ledger-Lsn</c>; a read that sends it back in <c>Ledger-Min-Lsn</c> is served by the standby once it has replayed
/// that position, or after at most 2 s by the primary; a read without it is served by the standby as it is. The standby's
/// replay is paused (<c>pg_wal_replay_pause()</c>) so that "behind" is deterministic, not a race.
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class StandbyReadTests(ReplicaFixture fixture, ITestOutputHelper output)
{
    private readonly Action<string> Say = fixture.SayTo(output);

    [Fact]
    public async Task A_read_with_the_writes_position_sees_the_write_and_one_without_may_be_stale_on_a_paused_standby()
    {
        await fixture.EnsureBothNodesAsync(Say);
        var service = fixture.Service;
        var agency = await LedgerApi.SetUpAgencyAsync(service, "ryw" + Guid.NewGuid().ToString("N")[..6]);
        var read = $"/api/agencies/{agency.Code}/indicators/I2?year=2023";

        var w0 = await CorrectAsync(agency, 1);
        var r0 = await Http.SendAsync(service, HttpMethod.Get, agency.Staff, read, minLsn: w0.Lsn);
        Assert.Equal((200, "standby"), (r0.Status, r0.ReadFrom));
        Assert.Equal(Version(w0), Version(r0));

        var primary = await fixture.Cluster.PrimaryAsync() ?? throw new InvalidOperationException("no primary");
        var standby = primary == "node1" ? "node2" : "node1";
        // Patroni resumes a paused replay on PostgreSQL 14+ unless in maintenance mode.
        await fixture.Cluster.MaintenanceAsync(true, Say);
        await fixture.Cluster.OnNodeAsync(standby, "SELECT pg_wal_replay_pause()");
        Say($"replay paused on {standby}");
        try
        {
            var w1 = await CorrectAsync(agency, 2);
            Assert.True(Lsn(w1.Lsn!) > Lsn(w0.Lsn!), $"{w1.Lsn} after {w0.Lsn}");

            // The standby cannot reach the position: after the bounded wait, the primary answers, with the write.
            var waited = Stopwatch.StartNew();
            var fallback = await Http.SendAsync(service, HttpMethod.Get, agency.Staff, read, minLsn: w1.Lsn);
            Say($"read with {w1.Lsn} on a paused standby: {fallback.ReadFrom} after {waited.Elapsed.TotalSeconds:F2} s");
            Assert.Equal((200, "primary"), (fallback.Status, fallback.ReadFrom));
            Assert.Equal(Version(w1), Version(fallback));
            Assert.InRange(waited.Elapsed.TotalSeconds, 1.9, 15);

            // "primary" instead of a position: the primary answers at once (for a write answered without Ledger-Lsn).
            waited.Restart();
            var onPrimary = await Http.SendAsync(service, HttpMethod.Get, agency.Staff, read, minLsn: "primary");
            Assert.Equal((200, "primary"), (onPrimary.Status, onPrimary.ReadFrom));
            Assert.Equal(Version(w1), Version(onPrimary));
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(1.5), $"a read sent to the primary took {waited.Elapsed}");

            // Without a position the standby answers as it is: behind, although this process's stream-state cache holds
            // the newer state (folded from the primary by the write and the read above), which it must not mix in.
            var stale = await Http.SendAsync(service, HttpMethod.Get, agency.Staff, read);
            Say($"read without a position: {stale.ReadFrom}, version {Version(stale)} (the write is {Version(w1)})");
            Assert.Equal((200, "standby"), (stale.Status, stale.ReadFrom));
            Assert.Equal(Version(w0), Version(stale));
            Assert.Equal(Value(r0), Value(stale));

            // Replay resumes while a read with the position waits: the standby answers, with the write.
            var resume = Task.Run(async () =>
            {
                await Task.Delay(500);
                await fixture.Cluster.OnNodeAsync(standby, "SELECT pg_wal_replay_resume()");
            });
            waited.Restart();
            var fresh = await Http.SendAsync(service, HttpMethod.Get, agency.Staff, read, minLsn: w1.Lsn);
            await resume;
            Say($"read with {w1.Lsn} while replay resumes: {fresh.ReadFrom} after {waited.Elapsed.TotalSeconds:F2} s, version {Version(fresh)}");
            Assert.Equal((200, "standby"), (fresh.Status, fresh.ReadFrom));
            Assert.Equal(Version(w1), Version(fresh));
            Assert.Equal(Value(fallback), Value(fresh));
            Assert.NotEqual(Value(stale), Value(fresh));
        }
        finally
        {
            await fixture.Cluster.OnNodeAsync(standby, "SELECT pg_wal_replay_resume()");
            await fixture.Cluster.MaintenanceAsync(false, Say);
        }

        // The other main reads are served by the standby too; a malformed position is a 400 problem.
        foreach (var path in new[] { $"/api/agencies/{agency.Code}/performance/2023", $"/api/agencies/{agency.Code}/pk/2023" })
        {
            var r = await Http.SendAsync(service, HttpMethod.Get, agency.Staff, path, minLsn: r0.Lsn ?? "0/0");
            Assert.Equal((200, "standby"), (r.Status, r.ReadFrom));
        }
        var bad = await Http.SendAsync(service, HttpMethod.Get, agency.Staff, read, minLsn: "yesterday");
        Assert.Equal((400, "application/problem+json"), (bad.Status, bad.ContentType));
    }

    private async Task<Answer> CorrectAsync(LedgerApi.Agency agency, int n)
    {
        var a = await Http.SendAsync(fixture.Service, HttpMethod.Post, agency.Staff, agency.Corrections, LedgerApi.Correction("I2", n));
        Assert.True(a.Ok && a.Lsn is not null, $"correction {n}: {a}");
        return a;
    }

    private static long Version(Answer a) => JsonDocument.Parse(a.Body).RootElement.GetProperty("version").GetInt64();

    private static string Value(Answer a) => JsonDocument.Parse(a.Body).RootElement.GetProperty("realizations").GetRawText();

    private static NpgsqlTypes.NpgsqlLogSequenceNumber Lsn(string text) => NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(text);
}
