using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.Domain.Capaian;

namespace Ledger.Api.Features.Reads;

/// <summary>Query parameters shared by the reads, and the reads' non-200 answers (RFC 7807 problem details).</summary>
public static partial class ReadQuery
{
    public const int MinYear = 1900;
    public const int MaxYear = 2200;

    /// <summary>The capaian policy every read uses today; its id is in every answer so a number can be traced to it.</summary>
    public static CapaianPolicy Policy => CapaianPolicy.Default;

    // An instant must say where it is: a 'Z' or a ±hh:mm / ±hhmm offset at the end.
    [GeneratedRegex(@"(Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex EndsWithOffset();

    // An unencoded '+' in a query string arrives as a space ("…T00:00:00 07:00"); put it back.
    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}T[0-9:.]+) (\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex SpaceForPlus();

    /// <summary>
    /// A code taken from the path, as the client wrote it. Codes may contain '/' (Paser's <c>5.03.01/1</c>), which a client
    /// sends as <c>%2F</c>; ASP.NET Core decodes every escape of a route value except <c>%2F</c>, so the bound value is
    /// "5.03.01%2F1". The segment at <paramref name="index"/> of the raw request target (the path exactly as sent) is
    /// unescaped completely instead, which also keeps a literal "%2F" in a code (sent as <c>%252F</c>) apart from a slash.
    /// Without a raw target (a host that gives none), only <c>%2F</c> is decoded in the bound value.
    /// </summary>
    /// <param name="index">the segment's position in the path: 5 for <c>/api/agencies/{agency}/indicators/{code}</c>.</param>
    public static string PathCode(HttpContext http, int index, string bound)
    {
        var raw = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw) && raw.StartsWith('/'))
        {
            var segments = raw.Split('?', 2)[0].Split('/');
            if (index < segments.Length)
            {
                var decoded = Uri.UnescapeDataString(segments[index]);
                // The raw target must name the same segment the route bound (a path base or rewrite would shift it): they
                // differ only in how a slash is written.
                if (Slashes(decoded) == Slashes(bound)) return decoded;
            }
        }
        return Slashes(bound);
    }

    private static string Slashes(string code) => code.Replace("%2f", "/", StringComparison.Ordinal).Replace("%2F", "/", StringComparison.Ordinal);

    /// <summary>Parses <c>?asOf=</c>: absent → null (now); an ISO 8601 instant with an offset; anything else → a 400 naming asOf.</summary>
    public static bool TryAsOf(string? raw, out DateTimeOffset? asOf, out IResult? problem)
    {
        asOf = null;
        problem = null;
        if (raw is null) return true;
        var text = SpaceForPlus().Replace(raw.Trim(), "$1+$2");
        if (text.Contains('T') && EndsWithOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            asOf = parsed;
            return true;
        }
        problem = Invalid("asOf", $"'{raw}' is not an ISO 8601 instant with an offset, e.g. 2024-01-15T00:00:00Z or 2024-01-15T07:00:00+07:00.");
        return false;
    }

    /// <summary>Parses a required year (query <c>?year=</c>); missing, not an integer or out of range → a 400 naming the field.</summary>
    public static bool TryYear(string? raw, string field, out int year, out IResult? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            year = 0;
            problem = Invalid(field, $"'{field}' is required, e.g. {field}=2023.");
            return false;
        }
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out year))
        {
            problem = Invalid(field, $"'{raw}' is not a year.");
            return false;
        }
        return CheckYear(year, field, out problem);
    }

    public static bool CheckYear(int year, string field, out IResult? problem)
    {
        problem = year is >= MinYear and <= MaxYear ? null : Invalid(field, $"{year} is outside {MinYear}–{MaxYear}.");
        return problem is null;
    }

    public static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");

    public static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: detail);

    /// <summary>200 with the stream version as ETag (style.md #6: the version travels over HTTP).</summary>
    public static IResult Ok<T>(HttpContext http, T body, long version)
    {
        http.Response.Headers.ETag = $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";
        return Results.Ok(body);
    }

    /// <summary>Half-up to 2 places, for numbers a human reads (the capaian policy's display rule).</summary>
    public static decimal? Display(decimal? value) =>
        value is { } v ? CapaianCalculator.RoundHalfUp(v, Policy.DisplayDecimals) : null;

    /// <summary>Whole rupiah, half-up: the display value of an amount (pagu, spent, efficiency, totals).</summary>
    public static decimal? Rupiah(decimal? amount) => amount is { } a ? CapaianCalculator.RoundHalfUp(a, 0) : null;
}
