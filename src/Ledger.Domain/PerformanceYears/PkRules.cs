using Ledger.Domain.Renstras;

namespace Ledger.Domain.PerformanceYears;

/// <summary>A PK target line of a command.</summary>
public sealed record PkTarget(string Indicator, decimal Target);

/// <summary>Checks shared by PK murni and PK perubahan.</summary>
internal static class PkRules
{
    public static Decision.Refused? CheckSigner(Signer? signer)
    {
        if (signer is null || string.IsNullOrWhiteSpace(signer.Name) || string.IsNullOrWhiteSpace(signer.Position)
            || string.IsNullOrWhiteSpace(signer.Nip))
            return new(RuleCodes.PkSignerRequired, "A PK needs its signer's name, NIP and position.", "signer");
        // NIP: 18 digits (birth date, appointment month, sex, sequence); printed with spaces, e.g. 19800412 200003 1 003.
        var digits = signer.Nip.Replace(" ", "", StringComparison.Ordinal);
        if (digits.Length != 18 || !digits.All(char.IsAsciiDigit))
            return new(RuleCodes.PkSignerNipInvalid, "A NIP has 18 digits (spaces allowed).", "signer.nip");
        return null;
    }

    /// <summary>A PK is recorded once signed: its date cannot be after today (when the caller knows today).</summary>
    public static Decision.Refused? CheckSignedOn(DateOnly signedOn, PerformanceYearContext context) =>
        context.Today is { } today && signedOn > today
            ? new(RuleCodes.PkSignedInFuture, $"The PK is dated {signedOn:yyyy-MM-dd}, after today ({today:yyyy-MM-dd}): record it once it is signed.", "signedOn")
            : null;

    public static Decision.Refused? CheckTargets(IReadOnlyList<PkTarget> targets, RenstraState renstra, int year)
    {
        if (targets.Count == 0)
            return new(RuleCodes.PkTargetsRequired, "A PK needs at least one target.", "targets");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            if (renstra.Indicator(t.Indicator) is null)
                return new(RuleCodes.PkUnknownIndicator,
                    $"Indicator '{t.Indicator}' is not in the Renstra {renstra.PeriodStart}–{renstra.PeriodEnd} covering {year}.",
                    $"targets[{i}].indicator");
            if (!seen.Add(t.Indicator))
                return new(RuleCodes.PkDuplicateIndicator, $"Indicator '{t.Indicator}' is listed twice.", $"targets[{i}].indicator");
            if (t.Target < 0)
                return new(RuleCodes.PkTargetNegative, "A PK target cannot be negative.", $"targets[{i}].target");
        }
        return null;
    }

    public static PkTargetSigned Signed(PkTarget t, RenstraState renstra, int year) =>
        new(t.Indicator, t.Target, renstra.Indicator(t.Indicator)?.TargetFor(year));
}
