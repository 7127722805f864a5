using Ledger.Api.Infrastructure;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Reads;

// GET /api/agencies/{agency}/pk/{year}[?asOf=instant]   (agency read)
//     → the current PK (latest version) { number, kind, signedOn, signer, reason, ground, targets } plus
//       versions: [ { number, kind: murni|perubahan, signedOn, signer, reason, ground, targets } ], version
//     ETag: the year stream's version. 404 agency unknown or no PK signed for the year (as of the instant).
public static class PkEndpoints
{
    public sealed record SignerBody(string Name, string Nip, string Position);

    /// <summary><c>renstraTarget</c> is the Renstra target of that year when the version was signed (provenance).</summary>
    public sealed record PkTargetBody(string Indicator, string? Name, decimal Target, decimal? RenstraTarget);

    public sealed record PkVersionBody(
        int Number, string Kind, DateOnly SignedOn, SignerBody Signer, string? Reason, string? Ground, IReadOnlyList<PkTargetBody> Targets);

    public sealed record PkBody(
        string Agency, int Year, int Number, string Kind, DateOnly SignedOn, SignerBody Signer, string? Reason, string? Ground,
        IReadOnlyList<PkTargetBody> Targets, IReadOnlyList<PkVersionBody> Versions, long Version, DateTimeOffset? AsOf);

    public static void MapPkRead(this RouteGroupBuilder api) =>
        api.MapGet("/agencies/{agency}/pk/{year:int}", ReadAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<PkBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .StandbyReadable().PrefetchesHeads(HeadsPrefetch.RouteYear()).WithName("ReadPk").WithTags("Reads").WithSummary("The year's PK: the version in force and every version (murni, perubahan N)");

    private static async Task<IResult> ReadAsync(
        HttpContext http, string agency, int year, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!ReadQuery.CheckYear(year, "year", out var badYear)) return badYear!;
        if (!ReadQuery.TryAsOf(asOf, out var at, out var badAsOf)) return badAsOf!;
        if (await PkLoad.LoadAsync(loader, agency, year, at, ct) is not { } pk) return PkLoad.Missing(agency, year, at);

        var versions = PkVersions.Of(pk.Year.State).Select(v => ToBody(v, pk.Renstra)).ToList();
        var current = versions[^1];
        return ReadQuery.Ok(http, new PkBody(agency, year, current.Number, current.Kind, current.SignedOn, current.Signer, current.Reason,
            current.Ground, current.Targets, versions, pk.Year.Version, at), pk.Year.Version);
    }

    private static PkVersionBody ToBody(PkVersionView v, RenstraState? renstra) =>
        new(v.Number, v.Kind, v.SignedOn, new SignerBody(v.Signer.Name, v.Signer.Nip, v.Signer.Position), v.Reason, v.Ground,
            v.Targets.Select(t => new PkTargetBody(t.Indicator, renstra?.Indicator(t.Indicator)?.Name, t.Target, t.RenstraTarget)).ToList());
}

/// <summary>What both PK reads load: the year (with at least one PK version) and, for indicator names, the Renstra.</summary>
internal sealed record PkLoad(Loaded<PerformanceYearState> Year, RenstraState? Renstra)
{
    /// <summary>Null when the agency did not exist or no PK was signed (as of the instant).</summary>
    public static async Task<PkLoad?> LoadAsync(ReadLoader loader, string agency, int year, DateTimeOffset? asOf, CancellationToken ct)
    {
        var heads = await loader.HeadsAsync(agency, [year], asOf, ct);
        if (!(await loader.AgencyAsync(agency, asOf, heads, ct)).State.Exists) return null;
        var state = await loader.YearAsync(agency, year, asOf, heads, ct);
        if (state.State.PkVersions.IsEmpty) return null;
        var renstra = await loader.RenstraCoveringAsync(agency, year, asOf, heads, ct);
        return new PkLoad(state, renstra?.State);
    }

    public static IResult Missing(string agency, int year, DateTimeOffset? asOf) =>
        ReadQuery.NotFound($"No PK {year} of agency '{agency}' is on record{IndicatorEndpoints.When(asOf)}.");
}
