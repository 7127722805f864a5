using System.Globalization;

namespace Ledger.Api.Features.Reads;

/// <summary>
/// Endpoint metadata of a read whose streams are known from the request alone (the route's agency and the years the
/// read covers): the query that authenticates the caller (<c>UseBearerTokens</c>, which asks the user directory's
/// version) asks these streams' current versions too, and the read takes them from there
/// (<see cref="ReadLoader.UsePrefetchedHeads"/>) instead of asking again: one round trip to PostgreSQL per read instead
/// of two (docs/performance.md, issue 13). An as-of read asks no heads, so nothing is prefetched for it.
/// </summary>
public sealed class HeadsPrefetch(Func<HttpContext, IReadOnlyCollection<int>?> years)
{
    /// <summary>The streams to ask along with the authentication, or null (nothing to prefetch for this request).</summary>
    public IReadOnlySet<string>? Streams(HttpContext http, ReadLoader loader)
    {
        if (http.Request.Query.ContainsKey("asOf")) return null;
        return StreamsOf(http, loader, years(http));
    }

    /// <summary>The heads <paramref name="loader"/> asks for the route's agency and these years (each in range), or null.</summary>
    public static IReadOnlySet<string>? StreamsOf(HttpContext http, ReadLoader loader, IReadOnlyCollection<int>? years) =>
        http.GetRouteValue("agency") is string agency && years is { Count: > 0 } covered && covered.All(y => ReadQuery.CheckYear(y, "year", out _))
            ? loader.HeadStreams(agency, covered)
            : null;

    /// <summary>The route's <c>{year}</c> and the <paramref name="earlier"/> years before it.</summary>
    public static Func<HttpContext, IReadOnlyCollection<int>?> RouteYear(int earlier = 0) =>
        http => int.TryParse(http.GetRouteValue("year") as string, NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            ? Enumerable.Range(0, earlier + 1).Select(back => year - back).ToArray()
            : null;

    /// <summary>The query's <c>?year=</c>.</summary>
    public static IReadOnlyCollection<int>? QueryYear(HttpContext http) =>
        ReadQuery.TryYear(http.Request.Query["year"].Count == 1 ? http.Request.Query["year"][0] : null, "year", out var year, out _) ? [year] : null;
}

public static class HeadsPrefetchExtensions
{
    /// <summary>Marks a read whose heads (<see cref="ReadLoader.HeadsAsync"/> for these years) are asked with the authentication.</summary>
    public static TBuilder PrefetchesHeads<TBuilder>(this TBuilder builder, Func<HttpContext, IReadOnlyCollection<int>?> years)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new HeadsPrefetch(years));
}
