using System.Diagnostics;
using Ledger.LocalPostgres;

namespace Ledger.Testing.Tests.Postgres;

/// <summary>
/// A throwaway cluster (the tests') is stopped and deleted by its watchdog once no owner runs: the test host often ends
/// its process before the cluster's own delete is done, which left ~1 GB per run behind (issue 13 item 6).
/// </summary>
public sealed class ThrowawayClusterTests
{
    [Fact]
    public async Task When_its_owner_has_ended_the_watchdog_stops_the_cluster_and_deletes_its_folder()
    {
        if (!OperatingSystem.IsLinux()) return; // the watchdog is Linux-only (LocalPostgresCluster's summary)
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-throwaway-{Guid.NewGuid():N}"[..36]);
        var cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = false, DeleteOnStop = true });
        var root = cluster.Root;
        try
        {
            Assert.True(File.Exists(Path.Combine(root, LocalPostgresCluster.DeleteOnStopMarker)));
            // This process "ends": its owner file is replaced by one of a process that has ended.
            var owners = Path.Combine(root, "owners");
            foreach (var f in Directory.GetFiles(owners)) File.Delete(f);
            using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
            {
                await gone.WaitForExitAsync();
                await File.WriteAllTextAsync(Path.Combine(owners, $"{gone.Id}-1-deadbeef"), "");
            }

            var waited = Stopwatch.StartNew();
            while (Directory.Exists(root) && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(200);
            Assert.False(Directory.Exists(root), $"{root} still exists after {waited.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            if (Directory.Exists(root)) await cluster.StopAsync();
        }
    }

    [Fact]
    public async Task A_durable_cluster_is_never_deleted_by_its_watchdog()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-durable-{Guid.NewGuid():N}"[..34]);
        var cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = false });
        var root = cluster.Root;
        try
        {
            Assert.False(File.Exists(Path.Combine(root, LocalPostgresCluster.DeleteOnStopMarker)));
            await cluster.StopAsync();
            await Task.Delay(2500); // the watchdog sees the postmaster gone within a second and ends
            Assert.True(Directory.Exists(Path.Combine(root, "pgdata")));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_server_log_is_kept_for_a_week_at_most()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-logs-{Guid.NewGuid():N}"[..32]);
        var cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = false, DeleteOnStop = true });
        try
        {
            await using var db = Npgsql.NpgsqlDataSource.Create(cluster.SuperUserConnectionString());
            async Task<string> Show(string setting)
            {
                await using var cmd = db.CreateCommand($"SHOW {setting}");
                return (string)(await cmd.ExecuteScalarAsync())!;
            }
            Assert.Equal("on", await Show("logging_collector"));
            Assert.Equal("postgresql-%a.log", await Show("log_filename"));
            Assert.Equal("on", await Show("log_truncate_on_rotation"));
            Assert.Equal("1d", await Show("log_rotation_age"));
            Assert.Equal("0", await Show("log_rotation_size"));
        }
        finally
        {
            await cluster.StopAsync();
        }
    }
    [Fact]
    public async Task A_restart_fast_immediate_or_after_an_outage_keeps_port_and_committed_rows_and_the_watchdog_follows_the_new_postmaster()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-restart-{Guid.NewGuid():N}"[..34]);
        var cluster = await LocalPostgresCluster.StartAsync(new LocalClusterOptions { DataDirectory = dir, Durable = true, DeleteOnStop = true });
        var root = cluster.Root;
        try
        {
            var port = cluster.Port;
            var cs = cluster.SuperUserConnectionString();
            await using (var db = Npgsql.NpgsqlDataSource.Create(cs))
            await using (var cmd = db.CreateCommand("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)"))
                await cmd.ExecuteNonQueryAsync();

            var expected = 1L;
            foreach (var (immediate, down) in new[] { (false, TimeSpan.Zero), (true, TimeSpan.Zero), (true, TimeSpan.FromSeconds(1)) })
            {
                var before = Postmaster(cluster);
                await cluster.RestartAsync(immediate, down);
                var after = Postmaster(cluster);
                Assert.NotEqual(before, after);
                Assert.Equal(port, cluster.Port);
                await using (var db = Npgsql.NpgsqlDataSource.Create(cs))
                await using (var cmd = db.CreateCommand("INSERT INTO kept VALUES (2); SELECT count(*) FROM kept"))
                    Assert.Equal(++expected, (long)(await cmd.ExecuteScalarAsync())!);
                // The watchdog of the new postmaster (started detached: it writes its file a moment later).
                var waited = Stopwatch.StartNew();
                string Watched() => File.Exists(Path.Combine(root, "watchdog.pid")) ? File.ReadAllText(Path.Combine(root, "watchdog.pid")).Split(' ', StringSplitOptions.TrimEntries)[^1] : "";
                while (Watched() != after.ToString(System.Globalization.CultureInfo.InvariantCulture) && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
                Assert.Equal(after.ToString(System.Globalization.CultureInfo.InvariantCulture), Watched());
            }
        }
        finally
        {
            await cluster.StopAsync();
        }
        // Stopped and deleted: by StopAsync or, when they race, by the watchdog of the last postmaster (not by an old one).
        var gone = Stopwatch.StartNew();
        while (Directory.Exists(root) && gone.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        Assert.False(Directory.Exists(root), $"{root} still exists");
    }

    private static int Postmaster(LocalPostgresCluster cluster) =>
        int.Parse(File.ReadLines(Path.Combine(cluster.PgData, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
}
