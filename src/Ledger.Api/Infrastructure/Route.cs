using System.Globalization;

namespace Ledger.Api.Infrastructure;

/// <summary>Route values, already constrained by the route patterns (<c>{year:int}</c>, …).</summary>
public static class RouteValues
{
    public static string Agency(HttpContext http) => (string)http.Request.RouteValues["agency"]!;

    public static int Int(HttpContext http, string name) =>
        int.Parse((string)http.Request.RouteValues[name]!, CultureInfo.InvariantCulture);

    public static Guid Guid(HttpContext http, string name) => System.Guid.Parse((string)http.Request.RouteValues[name]!, CultureInfo.InvariantCulture);
}
