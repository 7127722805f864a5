namespace Ledger.Domain.Renstras.CreatingRenstra;

/// <summary>
/// Create a Renstra for <paramref name="PeriodStart"/>–<paramref name="PeriodEnd"/>. A transition year (the "6th year"
/// some plans carry, e.g. 2030 for 2025–2029) may be declared; it must sit right before or after the period.
/// </summary>
public sealed record CreateRenstra(
    string AgencyCode, int PeriodStart, int PeriodEnd, string Title, string? Decree = null, int? TransitionYear = null)
    : RenstraCommand;

public sealed record RenstraCreated(
    string AgencyCode, int PeriodStart, int PeriodEnd, string Title, string? Decree, int? TransitionYear) : IDomainEvent;

public static class CreatingRenstraDecision
{
    /// <summary>A Renstra spans 1 to 6 years (Surakarta's 2021–2026 plan has six).</summary>
    public const int MaxPeriodYears = 6;

    public static Decision Decide(RenstraState state, CreateRenstra command, RenstraContext context)
    {
        if (!context.AgencyExists) return Decision.Missing("agency");
        if (state.Exists)
            return Decision.Refuse(RuleCodes.RenstraAlreadyExists,
                $"A Renstra starting {state.PeriodStart} already exists for this agency.", "periodStart");
        if (command.PeriodStart < 1900 || command.PeriodEnd < command.PeriodStart
            || command.PeriodEnd - command.PeriodStart + 1 > MaxPeriodYears)
            return Decision.Refuse(RuleCodes.RenstraPeriodInvalid,
                $"A Renstra period runs forward over 1 to {MaxPeriodYears} years; got {command.PeriodStart}–{command.PeriodEnd}.",
                "periodEnd");
        if (string.IsNullOrWhiteSpace(command.Title))
            return Decision.Refuse(RuleCodes.RenstraTitleRequired, "A Renstra needs a title.", "title");
        if (command.TransitionYear is { } t && t != command.PeriodEnd + 1 && t != command.PeriodStart - 1)
            return Decision.Refuse(RuleCodes.RenstraTransitionYearInvalid,
                $"The transition year must be {command.PeriodStart - 1} or {command.PeriodEnd + 1}; got {t}.", "transitionYear");
        return Decision.Accept(new RenstraCreated(command.AgencyCode, command.PeriodStart, command.PeriodEnd,
            command.Title.Trim(), string.IsNullOrWhiteSpace(command.Decree) ? null : command.Decree.Trim(), command.TransitionYear));
    }
}
