using System.Diagnostics;

namespace Ledger.LocalPostgres;

/// <summary>
/// Finds the machine's PostgreSQL server binaries (initdb, pg_ctl, postgres).
/// Search order: PATH, <c>pg_config --bindir</c>, then Debian's versioned package folders
/// (<c>/usr/lib/postgresql/N/bin</c>, newest first).
/// </summary>
public static class PostgresBinaries
{
    public const string InstallHint =
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH, through 'pg_config --bindir', " +
        "or under /usr/lib/postgresql/*/bin. Install them, e.g. on Debian: 'sudo apt-get install postgresql' " +
        "(or 'postgresql-15'), or set ConnectionStrings__Ledger to use an existing PostgreSQL server.";

    /// <summary>Returns the folder holding initdb, pg_ctl and postgres, or throws <see cref="PostgresBinariesNotFoundException"/>.</summary>
    public static string LocateBinDirectory()
    {
        foreach (var candidate in Candidates())
        {
            if (IsComplete(candidate)) return candidate;
        }
        throw new PostgresBinariesNotFoundException(InstallHint);
    }

    /// <summary>
    /// The path of another program of the same installation (e.g. <c>pgbench</c>, <c>psql</c>), searched in the same
    /// folders and order as the server binaries, complete installations first; null when it is not installed.
    /// </summary>
    public static string? FindTool(string tool)
    {
        var candidates = Candidates().Distinct().ToList();
        return candidates.Where(IsComplete).Concat(candidates)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
    }

    private static IEnumerable<string> Candidates()
    {
        // PATH: a symlink or wrapper named initdb may live in a folder without postgres itself,
        // so resolve links and also try the folder the real file lives in.
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (!File.Exists(initdb)) continue;
            yield return dir;
            var resolved = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true);
            if (resolved?.FullName is { } real && Path.GetDirectoryName(real) is { } realDir) yield return realDir;
        }

        var fromPgConfig = TryPgConfigBindir();
        if (fromPgConfig is not null) yield return fromPgConfig;

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var versions = Directory.GetDirectories(debianRoot)
                .Select(d => (dir: d, version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .OrderByDescending(x => x.version);
            foreach (var (dir, _) in versions) yield return Path.Combine(dir, "bin");
        }
    }

    private static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres"));

    private static string? TryPgConfigBindir()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("pg_config", "--bindir")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // pg_config not installed
        }
    }
}

public sealed class PostgresBinariesNotFoundException(string message) : Exception(message);
