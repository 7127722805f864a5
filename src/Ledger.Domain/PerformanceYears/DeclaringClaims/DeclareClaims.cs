using Ledger.Domain.Capaian;

namespace Ledger.Domain.PerformanceYears.DeclaringClaims;

/// <summary>
/// One printed claim about an indicator-period: the capaian and/or the progress toward the Renstra's end-of-period
/// target (LKjIP "Tahun 2026 (Akhir RPJMD) Capaian (%)") as the source prints them. At least one of the two is given.
/// </summary>
public sealed record PrintedClaim(
    string Indicator, Period Period, decimal? ClaimedCapaian = null, decimal? ClaimedProgress = null, string? Note = null);

/// <summary>
/// Record figures a report of the year prints for indicators that are not themselves realizations: a capaian or a
/// progress printed where the realization is blank (001 A9: PMPRB 2023 has no realisasi, yet Tabel 3.5 prints progress
/// "100" toward 2026), or printed again in another table (the Kesimpulan). Claims are evidence, never used to compute
/// anything and never a realization: where the indicator-period has a realization, the findings check the claim
/// exactly as if it had been printed on it (<c>capaian.claimed-mismatch</c>, <c>capaian.claimed-progress-mismatch</c>);
/// where it has none, <c>capaian.claimed-without-realization</c> says that no capaian can be computed.
/// </summary>
/// <param name="Source">Where the claims are printed, e.g. "LKjIP 2023 Tabel 3.5".</param>
public sealed record DeclareClaims(string Source, IReadOnlyList<PrintedClaim> Claims) : PerformanceYearCommand;

/// <summary>One printed claim as stored; <see cref="Period"/> is the wire word (<c>"Y"</c>, <c>"Q2"</c>, …).</summary>
public sealed record ClaimDeclared(string Indicator, string Period, decimal? ClaimedCapaian, decimal? ClaimedProgress, string? Note);

public sealed record ClaimsDeclared(string Source, IReadOnlyList<ClaimDeclared> Claims) : IDomainEvent;

public static class DeclaringClaimsDecision
{
    public static Decision Decide(PerformanceYearState state, DeclareClaims command, PerformanceYearContext context)
    {
        if (context.RenstraCovering(state.Year) is not { } renstra) return Decision.Missing($"renstra covering {state.Year}");
        if (string.IsNullOrWhiteSpace(command.Source))
            return Decision.Refuse(RuleCodes.DeclaredClaimsSourceRequired,
                "Say where the claims are printed (e.g. 'LKjIP 2023 Tabel 3.5').", "source");
        if (command.Claims.Count == 0)
            return Decision.Refuse(RuleCodes.DeclaredClaimsRequired, "Declare at least one printed claim.", "claims");

        var seen = new HashSet<(string, Period)>();
        var declared = new List<ClaimDeclared>();
        for (var i = 0; i < command.Claims.Count; i++)
        {
            var c = command.Claims[i];
            if (renstra.Indicator(c.Indicator) is not { } indicator)
                return Decision.Refuse(RuleCodes.DeclaredClaimsUnknownIndicator,
                    $"Indicator '{c.Indicator}' is not in the Renstra covering {state.Year}; a claim must name one of its indicators.",
                    $"claims[{i}].indicator");
            if (!CapaianCalculator.IsValidPeriod(indicator.Aggregation, c.Period))
                return Decision.Refuse(RuleCodes.RealizationPeriodInvalid,
                    $"Period {Wire.Name(c.Period)} is not valid for an indicator aggregated by '{Wire.Name(indicator.Aggregation)}'.",
                    $"claims[{i}].period");
            if (!seen.Add((indicator.Code, c.Period)))
                return Decision.Refuse(RuleCodes.DeclaredClaimsDuplicate,
                    $"{indicator.Code} {Wire.Name(c.Period)} is claimed twice in one declaration; a source prints one figure per place.",
                    $"claims[{i}]");
            if (c.ClaimedCapaian is null && c.ClaimedProgress is null)
                return Decision.Refuse(RuleCodes.DeclaredClaimFigureRequired,
                    "A printed claim needs at least one figure: claimedCapaian or claimedProgress.", $"claims[{i}]");
            // R/T and (2T−R)/T (floored at 0) are never negative: a negative printed capaian is a typing error.
            if (c.ClaimedCapaian < 0)
                return Decision.Refuse(RuleCodes.DeclaredClaimNegative, "A capaian cannot be negative.", $"claims[{i}].claimedCapaian");
            if (c.ClaimedProgress < 0)
                return Decision.Refuse(RuleCodes.DeclaredClaimNegative, "A progress cannot be negative.", $"claims[{i}].claimedProgress");
            declared.Add(new ClaimDeclared(indicator.Code, Wire.Name(c.Period), c.ClaimedCapaian, c.ClaimedProgress,
                string.IsNullOrWhiteSpace(c.Note) ? null : c.Note.Trim()));
        }
        return Decision.Accept(new ClaimsDeclared(command.Source.Trim(), declared));
    }
}
