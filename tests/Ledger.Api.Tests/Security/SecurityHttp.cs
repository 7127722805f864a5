using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Alba;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Security;

/// <summary>Every mapped /api route (method + pattern) and raw HTTP helpers for the security tests.</summary>
public static partial class SecurityHttp
{
    public sealed record ApiRoute(string Method, string Pattern, string? Name)
    {
        /// <summary>"POST /api/agencies/{agency}/pk/{year}" (constraints dropped).</summary>
        public string Key => $"{Method} {Pattern}";
        public bool HasAgency => Pattern.Contains("{agency}", StringComparison.Ordinal);
        public override string ToString() => Key;
    }

    public static IReadOnlyList<ApiRoute> ApiRoutes(IServiceProvider services) =>
        services.GetServices<EndpointDataSource>()
            .SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new ApiRoute(
                m, Constraint().Replace("/" + e.RoutePattern.RawText!.TrimStart('/'), "{$1}"), e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName)))
            .Where(r => r.Pattern.StartsWith("/api/", StringComparison.Ordinal))
            .DistinctBy(r => r.Key)
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .ToList();

    [GeneratedRegex(@"\{([a-zA-Z]+)(:[^}]*)?\}")]
    private static partial Regex Constraint();

    /// <summary>A raw client of the host's TestServer (it does not follow redirects).</summary>
    public static HttpClient Client(IAlbaHost host) => host.Server.CreateClient();

    public static HttpClient Client(LedgerApiFactory f) => Client(f.Host);

    public static HttpRequestMessage Request(string method, string url, string? token, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }
}
