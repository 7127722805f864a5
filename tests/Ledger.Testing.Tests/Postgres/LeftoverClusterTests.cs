using System.Diagnostics;
using Ledger.Testing.Postgres;

namespace Ledger.Testing.Tests.Postgres;

/// <summary>Test clusters of finished test processes are deleted; those of running processes or running servers are kept.</summary>
public sealed class LeftoverClusterTests
{
    private static async Task<int> DeadPidAsync()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await p.WaitForExitAsync();
        return p.Id;
    }

    private static string Folder(int pid, bool withPidFile = false, int postmaster = 0)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ledger-test-{pid}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(Path.Combine(dir, "pgdata"));
        File.WriteAllText(Path.Combine(dir, "postgres.log"), "log");
        if (withPidFile) File.WriteAllText(Path.Combine(dir, "pgdata", "postmaster.pid"), $"{postmaster}\n/tmp/x\n");
        return dir;
    }

    [Fact]
    public async Task A_finished_process_folder_is_deleted_and_a_live_one_is_kept()
    {
        var dead = Folder(await DeadPidAsync());
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        var live = Folder(sleeper.Id);
        var ownServerRunning = Folder(await DeadPidAsync(), withPidFile: true, postmaster: sleeper.Id);
        var serverDead = Folder(await DeadPidAsync(), withPidFile: true, postmaster: await DeadPidAsync());
        try
        {
            TestCluster.RemoveLeftovers();

            Assert.False(Directory.Exists(dead));
            Assert.False(Directory.Exists(serverDead));
            Assert.True(Directory.Exists(live));
            Assert.True(Directory.Exists(ownServerRunning));
        }
        finally
        {
            sleeper.Kill();
            foreach (var d in new[] { dead, live, ownServerRunning, serverDead }.Where(Directory.Exists)) Directory.Delete(d, true);
        }
    }
}
