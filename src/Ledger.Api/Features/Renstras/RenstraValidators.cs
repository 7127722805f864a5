using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.Capaian;
using static Ledger.Api.Features.Renstras.RenstraEndpoints;

namespace Ledger.Api.Features.Renstras;

/// <summary>
/// Shape checks of the Renstra bodies (400 per field). Required = present; blank strings, period order, target years
/// outside the period, negative targets and unknown indicators are the domain's rules (422 with the rule code).
/// The route's or body's periodStart is checked by <see cref="YearAddressedValidator{TCommand}"/>.
/// </summary>
public static class RenstraValidators
{
    public sealed class RenstraBodyValidator : AbstractValidator<RenstraBody>
    {
        public RenstraBodyValidator()
        {
            RuleFor(b => b.PeriodEnd).Required().Year();
            RuleFor(b => b.Title).Required().MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.Decree).MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.TransitionYear).Year();
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    public sealed class IndicatorBodyValidator : AbstractValidator<IndicatorBody>
    {
        public IndicatorBodyValidator()
        {
            RuleFor(b => b.Code).Required().MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Name).Required().MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.Level).Required().OneOf(w => Wire.TryParseLevel(w, out _), "tujuan, sasaran, program, kegiatan, subkegiatan");
            RuleFor(b => b.Kind).Required().OneOf(w => Wire.TryParseKind(w, out _), "IKU, IKK, other");
            RuleFor(b => b.Parent).MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Unit).Required().MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Polarity).Required().OneOf(w => WireNames.TryParsePolarity(w, out _), "higher, lower");
            RuleFor(b => b.LowerFormula).OneOf(w => WireNames.TryParseLowerFormula(w, out _), "inverse-2t, ratio-inverse");
            RuleFor(b => b.Aggregation).Required().OneOf(w => WireNames.TryParseAggregation(w, out _), "sum, last, average, annual");
            RuleFor(b => b.Baseline).Magnitude();
            RuleFor(b => b.BaselineYear).Year();
            RuleFor(b => b.EndTarget).Magnitude();
            RuleFor(b => b.Targets).Required().YearTargets();
            RuleFor(b => b.TargetsSource).MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    /// <summary>Shape of a declaration; a blank source, an unknown indicator, years outside the period, negative
    /// targets and an empty map are the domain's (422 with the rule code).</summary>
    public sealed class DeclaredTargetsBodyValidator : AbstractValidator<DeclaredTargetsBody>
    {
        public DeclaredTargetsBodyValidator()
        {
            RuleFor(b => b.Indicator).Required().MaximumLength(BodyRules.CodeLength);
            RuleFor(b => b.Source).Required().MaximumLength(BodyRules.NameLength);
            RuleFor(b => b.Targets).Required().YearTargets();
            RuleFor(b => b.Note).MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Reason).MaximumLength(BodyRules.TextLength);
        }
    }

    /// <summary>A year → target map: at most <see cref="BodyRules.MaxItems"/> years from 2000 to 2100, magnitudes bounded.</summary>
    private static IRuleBuilderOptions<T, Dictionary<int, decimal>?> YearTargets<T>(this IRuleBuilder<T, Dictionary<int, decimal>?> rule) => rule
        .Must(t => t is null || t.Count <= BodyRules.MaxItems).WithMessage($"'targets' has more than {BodyRules.MaxItems} years.")
        .Must(t => t is null || t.Keys.All(y => y is >= YearAddressedValidator<object>.MinYear and <= YearAddressedValidator<object>.MaxYear))
        .WithMessage("Every key of 'targets' must be a year from 2000 to 2100.")
        .Must(t => t is null || t.Values.All(v => Math.Abs(v) <= BodyRules.MaxMagnitude))
        .WithMessage("Every target must be at most 1e15 in absolute value.");

    public sealed class RevisionBodyValidator : AbstractValidator<RevisionBody>
    {
        public RevisionBodyValidator()
        {
            RuleFor(b => b.Reason).Required().MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.LegalBasis).MaximumLength(BodyRules.TextLength);
            RuleFor(b => b.Changes).Required().MaxItemCount();
            RuleForEach(b => b.Changes).NotNull().WithMessage("A change cannot be null.").ChildRules(c =>
            {
                c.RuleFor(x => x!.Indicator).Required().MaximumLength(BodyRules.CodeLength);
                c.RuleFor(x => x!.Year).Required().Year();
                c.RuleFor(x => x!.Target).Required().Magnitude();
            });
        }
    }
}
