using Ledger.Domain.PerformanceYears;

namespace Ledger.Domain.Reading;

public sealed record PkTargetView(string Indicator, decimal Target, decimal? RenstraTarget);

/// <summary>One PK version: number 0 = murni, N = perubahan N.</summary>
public sealed record PkVersionView(
    int Number, string Kind, DateOnly SignedOn, Signer Signer, string? Reason, string? Ground, IReadOnlyList<PkTargetView> Targets);

/// <summary>An indicator's target in each of two versions; null where the version has no target for it.</summary>
public sealed record PkDiffRow(string Indicator, decimal? From, decimal? To, decimal? Delta, bool Changed);

public sealed record PkDiff(int From, int To, IReadOnlyList<PkDiffRow> Rows)
{
    public IReadOnlyList<PkDiffRow> Changed => Rows.Where(r => r.Changed).ToList();
}

/// <summary>The PK of a year as versions, and the difference between two of them.</summary>
public static class PkVersions
{
    public static IReadOnlyList<PkVersionView> Of(PerformanceYearState state) =>
        state.PkVersions.Select(v => new PkVersionView(
            v.Number, v.Kind, v.SignedOn, v.Signer, v.Reason, v.Ground is { } g ? Wire.Name(g) : null,
            v.Targets.Select(t => new PkTargetView(t.Indicator, t.Target, t.RenstraTarget)).ToList())).ToList();

    /// <summary>Null when either version does not exist. Rows follow version <paramref name="from"/>'s order, then new ones.</summary>
    public static PkDiff? Diff(PerformanceYearState state, int from, int to)
    {
        if (state.PkVersion(from) is not { } a || state.PkVersion(to) is not { } b) return null;
        var indicators = a.Targets.Select(t => t.Indicator).Concat(b.Targets.Select(t => t.Indicator)).Distinct();
        var rows = indicators.Select(code =>
        {
            var x = a.TargetFor(code);
            var y = b.TargetFor(code);
            return new PkDiffRow(code, x, y, x is { } xv && y is { } yv ? yv - xv : null, x != y);
        }).ToList();
        return new PkDiff(from, to, rows);
    }
}
