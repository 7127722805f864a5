namespace Ledger.Domain.PerformanceYears.SigningPk;

/// <summary>Sign the PK murni (the year's original performance agreement). Only once per year.</summary>
public sealed record SignPk(DateOnly SignedOn, Signer Signer, IReadOnlyList<PkTarget> Targets) : PerformanceYearCommand;

/// <summary>PK murni, always version 0. <see cref="RenstraPeriodStart"/> names the Renstra the targets were checked against.</summary>
public sealed record PkSigned(int Version, DateOnly SignedOn, Signer Signer, int RenstraPeriodStart, IReadOnlyList<PkTargetSigned> Targets)
    : IDomainEvent;

public static class SigningPkDecision
{
    public static Decision Decide(PerformanceYearState state, SignPk command, PerformanceYearContext context)
    {
        if (context.RenstraCovering(state.Year) is not { } renstra) return Decision.Missing($"renstra covering {state.Year}");
        if (state.PkMurni is { } murni)
            return Decision.Refuse(RuleCodes.PkMurniAlreadySigned,
                $"The PK murni {state.Year} was already signed on {murni.SignedOn:yyyy-MM-dd}; a change is a PK perubahan.");
        if (PkRules.CheckSigner(command.Signer) is { } badSigner) return badSigner;
        if (PkRules.CheckSignedOn(command.SignedOn, context) is { } future) return future;
        if (PkRules.CheckTargets(command.Targets, renstra, state.Year) is { } badTargets) return badTargets;
        return Decision.Accept(new PkSigned(0, command.SignedOn, command.Signer, renstra.PeriodStart,
            command.Targets.Select(t => PkRules.Signed(t, renstra, state.Year)).ToList()));
    }
}
