namespace Ledger.Domain.PerformanceYears.RevisingPk;

/// <summary>
/// Sign a PK perubahan. Targets listed replace the current ones (or add an indicator); indicators not listed keep
/// their current target, so a revision can never silently drop a commitment. <paramref name="Ground"/> is null when
/// the client sent none or an unknown word.
/// </summary>
public sealed record RevisePk(string Reason, PkRevisionGround? Ground, DateOnly SignedOn, Signer Signer, IReadOnlyList<PkTarget> Targets)
    : PerformanceYearCommand;

/// <summary>A target that moved: <see cref="Before"/> is null when the indicator is new to the PK.</summary>
public sealed record PkTargetChanged(string Indicator, decimal? Before, decimal After);

/// <summary>PK perubahan N (N ≥ 1): the full target set now in force plus exactly what changed versus version N − 1.</summary>
public sealed record PkRevised(
    int Version, string Reason, string Ground, DateOnly SignedOn, Signer Signer,
    IReadOnlyList<PkTargetSigned> Targets, IReadOnlyList<PkTargetChanged> Changes) : IDomainEvent;

public static class RevisingPkDecision
{
    public static Decision Decide(PerformanceYearState state, RevisePk command, PerformanceYearContext context)
    {
        if (context.RenstraCovering(state.Year) is not { } renstra) return Decision.Missing($"renstra covering {state.Year}");
        if (state.CurrentPk is not { } current)
            return Decision.Refuse(RuleCodes.PkPerubahanWithoutMurni, $"There is no PK murni {state.Year} to revise yet.");
        if (string.IsNullOrWhiteSpace(command.Reason))
            return Decision.Refuse(RuleCodes.PkPerubahanReasonRequired, "A PK perubahan needs a reason.", "reason");
        if (command.Ground is not { } ground)
            return Decision.Refuse(RuleCodes.PkPerubahanGroundRequired,
                "A PK perubahan needs a ground: official-change, budget-change or priority-change.", "ground");
        if (PkRules.CheckSigner(command.Signer) is { } badSigner) return badSigner;
        if (PkRules.CheckSignedOn(command.SignedOn, context) is { } future) return future;
        if (PkRules.CheckTargets(command.Targets, renstra, state.Year) is { } badTargets) return badTargets;
        if (command.SignedOn < current.SignedOn)
            return Decision.Refuse(RuleCodes.PkPerubahanSignedBeforePrevious,
                $"PK version {current.Number} was signed on {current.SignedOn:yyyy-MM-dd}; a perubahan cannot be signed earlier.",
                "signedOn");

        var changes = command.Targets
            .Where(t => current.TargetFor(t.Indicator) != t.Target)
            .Select(t => new PkTargetChanged(t.Indicator, current.TargetFor(t.Indicator), t.Target))
            .ToList();
        if (changes.Count == 0)
            return Decision.Refuse(RuleCodes.PkPerubahanNoChange,
                $"Every target equals PK version {current.Number}; a PK perubahan must change at least one target.", "targets");

        var targets = current.Targets.ConvertAll(t =>
            command.Targets.FirstOrDefault(c => c.Indicator == t.Indicator) is { } replaced
                ? PkRules.Signed(replaced, renstra, state.Year)
                : t);
        targets = targets.AddRange(command.Targets
            .Where(c => current.TargetFor(c.Indicator) is null)
            .Select(c => PkRules.Signed(c, renstra, state.Year)));

        return Decision.Accept(new PkRevised(current.Number + 1, command.Reason.Trim(), Wire.Name(ground), command.SignedOn,
            command.Signer, targets.ToList(), changes));
    }
}
