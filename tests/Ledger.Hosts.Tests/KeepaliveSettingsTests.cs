using Ledger.Storage;
using Npgsql;

namespace Ledger.Hosts.Tests;

/// <summary>Every Ledger connection string gets client-side TCP keepalives unless it chose its own (issue 13).</summary>
public sealed class KeepaliveSettingsTests
{
    [Fact]
    public void ForLedger_adds_tcp_keepalives_and_keeps_a_connection_strings_own()
    {
        var added = new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db;Database=ledger"));
        Assert.Equal(LedgerMarten.TcpKeepaliveTime, added.TcpKeepAliveTime);
        Assert.Equal(LedgerMarten.TcpKeepaliveInterval, added.TcpKeepAliveInterval);
        Assert.Equal(0, added.KeepAlive); // Npgsql's application-level pings stay off (Marten's lock monitor waits passively)

        var own = new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db;Tcp Keepalive Time=60;Tcp Keepalive Interval=5"));
        Assert.Equal((60, 5), (own.TcpKeepAliveTime, own.TcpKeepAliveInterval));
        var systemDefaults = new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db;Tcp Keepalive=true"));
        Assert.Equal((true, 0), (systemDefaults.TcpKeepAlive, systemDefaults.TcpKeepAliveTime));
    }

    /// <summary>A Unix-domain socket (PostgreSQL on the same host) has no TCP: none are added (UnixSocketTests runs the service over one).</summary>
    [Fact]
    public void ForLedger_gives_a_socket_no_tcp_keepalives_and_keeps_them_for_tcp_hosts()
    {
        foreach (var host in new[] { "/var/run/postgresql", "@pg", "db,/run/postgresql" })
        {
            var b = new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger($"Host={host};Database=ledger"));
            Assert.Equal((false, 0, 0), (b.TcpKeepAlive, b.TcpKeepAliveTime, b.TcpKeepAliveInterval));
            Assert.Equal(LedgerMarten.DefaultMaxPoolSize, b.MaxPoolSize); // the rest of ForLedger still applies
        }
        var tcp = new NpgsqlConnectionStringBuilder(LedgerMarten.ForLedger("Host=db,replica;Database=ledger"));
        Assert.Equal((LedgerMarten.TcpKeepaliveTime, LedgerMarten.TcpKeepaliveInterval), (tcp.TcpKeepAliveTime, tcp.TcpKeepAliveInterval));
    }
}
