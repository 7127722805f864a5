using System.Globalization;

namespace Ledger.Hosts.Tests;

/// <summary>
/// The kernel's view of this network namespace's IPv4 TCP sockets (<c>/proc/net/tcp</c>): for a connection, whether its
/// keepalive timer runs and when it fires next. A socket with <c>SO_KEEPALIVE</c> that is established and idle has its
/// keepalive timer pending (<c>tr</c> 2), due within its keepalive idle time; one without has no timer (0).
/// </summary>
public static class TcpSockets
{
    public sealed record Socket(int LocalPort, int RemotePort, int Timer, TimeSpan Due, long Inode);

    public static IReadOnlyList<Socket> All(string table = "/proc/net/tcp") =>
        File.ReadLines(table).Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f[3] == "01") // established
            .Select(f =>
            {
                var timer = f[5].Split(':');
                return new Socket(Port(f[1]), Port(f[2]), int.Parse(timer[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    TimeSpan.FromSeconds(long.Parse(timer[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 100.0), // USER_HZ
                    long.Parse(f[9], CultureInfo.InvariantCulture));
            })
            .ToList();

    private static int Port(string address) => int.Parse(address.Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Both ends of the connection from a client's <paramref name="clientPort"/> to the server's <paramref name="serverPort"/>.</summary>
    public static (Socket Client, Socket Server) Connection(int clientPort, int serverPort)
    {
        var all = All();
        return (all.Single(s => s.LocalPort == clientPort && s.RemotePort == serverPort),
                all.Single(s => s.LocalPort == serverPort && s.RemotePort == clientPort));
    }

    public const int KeepaliveTimer = 2;

    /// <summary>Whether the process has this socket open (<c>/proc/{pid}/fd</c> links to <c>socket:[inode]</c>).</summary>
    public static bool Owns(int pid, long inode) =>
        new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos().Any(f => f.LinkTarget == $"socket:[{inode}]");
}
