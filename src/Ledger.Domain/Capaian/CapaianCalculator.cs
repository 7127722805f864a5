namespace Ledger.Domain.Capaian;

/// <summary>
/// Pure capaian arithmetic (README "Rules"). Everything is <see cref="decimal"/>; no double anywhere, because the
/// documents' recomputations are exact decimal (001 digest §3.2: 93,75, 115, 140,7375 reproduce exactly).
/// </summary>
public static partial class CapaianCalculator
{
    public const string MethodHigher = "R/T×100";
    public const string MethodInverse2T = "(2T−R)/T×100";
    public const string MethodRatioInverse = "T/R×100";

    public const string ReasonNoRealization = "no realization";
    public const string ReasonTargetZero = "target is zero";
    public const string ReasonRealizationZero = "realization is zero";
    public const string ReasonNegativeTarget = "target is negative";
    public const string ReasonNegativeRealization = "realization is negative";
    public const string ReasonOutOfRange = "result is out of decimal range";

    /// <summary>
    /// Capaian in percent. Decisions, in the order they are checked:
    /// <list type="number">
    /// <item>R null → not computed, "no realization". Missing is not zero (README; 004 digest §7 S6).</item>
    /// <item>T or R negative → not computed. Every formula here is defined for non-negative quantities (counts, %,
    /// indices, scores: every indicator in both seeds); a negative input is a data problem, not a capaian.</item>
    /// <item>T = 0 → not computed, "target is zero"; except lower-is-better with R = 0, which is 100 for both lower
    /// formulas (README "Missing is not zero"; 004 digest §4.1 and §7 S5 (a) print 100,00, S5 (b) prints "-").</item>
    /// <item>Lower + RatioInverse with R = 0 and T &gt; 0 → not computed, "realization is zero": T/R has no finite
    /// value and no document defines a substitute; inventing one (100? 200?) would hide the case from the auditor.
    /// Agencies that want a number for a perfect zero use Inverse2T, which gives 200.</item>
    /// <item>Inverse2T is floored at 0 (README "Polarity"): R ≥ 2T gives 0, never a negative capaian.</item>
    /// <item>The cap applies only when policy.Cap is set (README: no cap at 100 unless the policy says so);
    /// <see cref="CapaianResult.RawValue"/> keeps the uncapped value.</item>
    /// </list>
    /// </summary>
    public static CapaianResult Compute(
        decimal target, decimal? realization, Polarity polarity, LowerFormula lowerFormula, CapaianPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        CheckDecimals(policy.DisplayDecimals, nameof(policy));
        if (policy.Cap is < 0m)
            throw new ArgumentOutOfRangeException(nameof(policy), policy.Cap, "Cap must not be negative.");

        var method = MethodFor(polarity, lowerFormula);
        CapaianResult NotComputed(string reason) =>
            new(null, method, reason) { PolicyId = policy.Id, DisplayDecimals = policy.DisplayDecimals };

        if (realization is not { } r) return NotComputed(ReasonNoRealization);
        if (target < 0m) return NotComputed(ReasonNegativeTarget);
        if (r < 0m) return NotComputed(ReasonNegativeRealization);

        decimal raw;
        if (target == 0m)
        {
            if (polarity == Polarity.Lower && r == 0m) raw = 100m;
            else return NotComputed(ReasonTargetZero);
        }
        else if (method == MethodRatioInverse && r == 0m)
        {
            return NotComputed(ReasonRealizationZero);
        }
        else
        {
            try
            {
                raw = method switch
                {
                    MethodHigher => r * 100m / target,
                    MethodInverse2T => Math.Max(0m, (2m * target - r) * 100m / target), // floored at 0
                    _ => target * 100m / r,
                };
            }
            catch (OverflowException)
            {
                return NotComputed(ReasonOutOfRange);
            }
        }

        var value = policy.Cap is { } cap && raw > cap ? cap : raw;
        return new CapaianResult(value, method, null)
        {
            PolicyId = policy.Id, DisplayDecimals = policy.DisplayDecimals, RawValue = raw,
        };
    }

    /// <summary>The method string for an indicator's polarity and lower formula (lower formula ignored for Higher).</summary>
    public static string MethodFor(Polarity polarity, LowerFormula lowerFormula) => polarity switch
    {
        Polarity.Higher => MethodHigher,
        Polarity.Lower => lowerFormula switch
        {
            LowerFormula.Inverse2T => MethodInverse2T,
            LowerFormula.RatioInverse => MethodRatioInverse,
            _ => throw new ArgumentOutOfRangeException(nameof(lowerFormula), lowerFormula, "Unknown lower formula."),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(polarity), polarity, "Unknown polarity."),
    };

    /// <summary>
    /// Half-up rounding, the rule the documents' recomputations match (001 digest §4.2: 94,375 → 94,38;
    /// 004 digest §4.1). Implemented as midpoint-away-from-zero, which is half-up for the non-negative values
    /// capaian has and symmetric for negatives. Never banker's rounding (0,125 → 0,13, not 0,12).
    /// </summary>
    public static decimal RoundHalfUp(decimal value, int decimals)
    {
        CheckDecimals(decimals, nameof(decimals));
        return Math.Round(value, decimals, MidpointRounding.AwayFromZero);
    }

    private static void CheckDecimals(int decimals, string paramName)
    {
        if (decimals is < 0 or > 28)
            throw new ArgumentOutOfRangeException(paramName, decimals, "Decimals must be between 0 and 28.");
    }
}
