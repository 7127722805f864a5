using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.Testing.Postgres;

/// <summary>
/// A TCP relay in front of the test cluster: <see cref="Cut"/> drops every connection and refuses new ones (the
/// database host gone), <see cref="Restore"/> listens again on the same port. <see cref="Route"/> with
/// <c>listening: false</c> gives a connection string to a port nobody listens on yet (a database not started yet) until
/// <see cref="Restore"/>.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private int _port;
    private string _target = "";
    private int _targetPort;
    private CancellationTokenSource _cut = new();

    public string Route(string connectionString, bool listening = true)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        (_target, _targetPort) = (b.Host!, b.Port);
        if (_port == 0)
        {
            Listen();
            if (!listening) Cut();
        }
        b.Host = "127.0.0.1";
        b.Port = _port;
        b.Timeout = 3;
        return b.ConnectionString;
    }

    public void Cut()
    {
        _cut.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var c in _open) c.Dispose();
            _open.Clear();
        }
    }

    public void Restore()
    {
        _cut = new CancellationTokenSource();
        Listen();
    }

    private void Listen()
    {
        _listener = new TcpListener(IPAddress.Loopback, _port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var listener = _listener;
        var cut = _cut.Token;
        _ = Task.Run(async () =>
        {
            while (!cut.IsCancellationRequested)
            {
                TcpClient inbound;
                try { inbound = await listener.AcceptTcpClientAsync(cut); }
                catch (Exception) { return; }
                var outbound = new TcpClient();
                try { await outbound.ConnectAsync(_target, _targetPort, cut); }
                catch (Exception) { inbound.Dispose(); outbound.Dispose(); continue; }
                lock (_open) { _open.Add(inbound); _open.Add(outbound); }
                _ = Pump(inbound, outbound, cut);
                _ = Pump(outbound, inbound, cut);
            }
        });
    }

    private static async Task Pump(TcpClient from, TcpClient to, CancellationToken cut)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), cut); }
        catch (Exception) { /* cut or closed */ }
        finally { from.Dispose(); to.Dispose(); }
    }

    public void Dispose() => Cut();
}
