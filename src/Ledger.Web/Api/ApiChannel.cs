using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;

namespace Ledger.Web.Api;

/// <summary>
/// The one HTTP connection pool from the web pages to the service's own API. The address is the server's own loopback
/// address (its first http binding, wildcard hosts read as 127.0.0.1), or <c>Ledger:Web:ApiBaseAddress</c> when set
/// (e.g. a deployment whose service listens only on a unix socket or behind TLS).
/// </summary>
public sealed class ApiChannel(IServer server, IConfiguration config) : IDisposable
{
    private readonly Lazy<HttpClient> _client = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
    })
    {
        BaseAddress = BaseAddress(server, config),
        Timeout = TimeSpan.FromSeconds(100),
    });

    public HttpClient Client => _client.Value;

    private static Uri BaseAddress(IServer server, IConfiguration config)
    {
        if (config["Ledger:Web:ApiBaseAddress"] is { Length: > 0 } configured) return new Uri(configured);
        return Loopback(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
               ?? throw new InvalidOperationException(
                   "The web pages call the service's own API, but the server listens on no http address: set Ledger:Web:ApiBaseAddress.");
    }

    /// <summary>An http address of this server reachable over loopback (wildcard hosts become 127.0.0.1).</summary>
    public static Uri? Loopback(IEnumerable<string> addresses)
    {
        foreach (var a in addresses.Where(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
        {
            var normalized = a.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1")
                .Replace("://[::]", "://127.0.0.1").Replace("://localhost", "://127.0.0.1");
            if (Uri.TryCreate(normalized, UriKind.Absolute, out var uri)) return uri;
        }
        return null;
    }

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
    }
}
