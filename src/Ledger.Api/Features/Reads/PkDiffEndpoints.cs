using System.Globalization;
using Ledger.Api.Infrastructure;
using Ledger.Domain.Reading;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Reads;

// GET /api/agencies/{agency}/pk/{year}/diff[?from=0&to=N&asOf=instant]   (agency read)
//     → { from, to, indicators: [ { indicator, name, from, to, delta, changed } ], changedCount, version }
//     Defaults: from = 0 (PK murni), to = the latest version. 400 from/to not a non-negative integer or asOf malformed;
//     404 agency unknown, no PK, or a well-formed version number that does not exist (an unknown resource, like a
//     missing PK; the problem names the versions that do exist).
public static class PkDiffEndpoints
{
    public sealed record PkDiffRowBody(string Indicator, string? Name, decimal? From, decimal? To, decimal? Delta, bool Changed);

    public sealed record PkDiffBody(
        string Agency, int Year, int From, int To, string FromKind, string ToKind, IReadOnlyList<PkDiffRowBody> Indicators,
        int ChangedCount, long Version, DateTimeOffset? AsOf);

    public static void MapPkDiffRead(this RouteGroupBuilder api) =>
        api.MapGet("/agencies/{agency}/pk/{year:int}/diff", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<PkDiffBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .StandbyReadable().PrefetchesHeads(HeadsPrefetch.RouteYear()).WithName("ReadPkDiff").WithTags("Reads").WithSummary("Each indicator's target in two PK versions (default: murni vs the latest)");

    private static async Task<IResult> ReadAsync(
        HttpContext http, string agency, int year, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? asOf,
        ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.CheckYear(year, "year", out var badYear)) return badYear!;
        if (!TryVersion(from, "from", out var fromNumber, out var badFrom)) return badFrom!;
        if (!TryVersion(to, "to", out var toNumber, out var badTo)) return badTo!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (await PkLoad.LoadAsync(loader, agency, year, at, ct) is not { } pk) return PkLoad.Missing(agency, year, at);

        var state = pk.Year.State;
        var a = fromNumber ?? 0;
        var b = toNumber ?? state.CurrentPk!.Number;
        if (PkVersions.Diff(state, a, b) is not { } diff)
        {
            var existing = string.Join(", ", state.PkVersions.Select(v => v.Number));
            var missing = state.PkVersion(a) is null ? a : b;
            return ReadQuery.NotFound($"PK {year} of '{agency}' has no version {missing}{IndicatorEndpoints.When(at)}; versions: {existing}.");
        }

        var rows = diff.Rows.Select(r => new PkDiffRowBody(r.Indicator, pk.Renstra?.Indicator(r.Indicator)?.Name, r.From, r.To, r.Delta, r.Changed))
            .ToList();
        return ReadQuery.Ok(http, new PkDiffBody(agency, year, a, b, state.PkVersion(a)!.Kind, state.PkVersion(b)!.Kind, rows,
            diff.Changed.Count, pk.Year.Version, at), pk.Year.Version);
    }

    private static bool TryVersion(string? raw, string field, out int? number, out IResult? problem)
    {
        number = null;
        problem = null;
        if (raw is null) return true;
        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            number = n;
            return true;
        }
        problem = ReadQuery.Invalid(field, $"'{raw}' is not a PK version number (0 = murni, N = perubahan N).");
        return false;
    }
}
