using FluentValidation;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Shape limits shared by every write body (docs/api-notes.md). Only shape: whether a value is present, how long,
/// how many, how big. What the domain decides (blank names, negative amounts, unknown codes) stays in the domain and
/// answers 422 with its rule code.
/// </summary>
public static class BodyRules
{
    public const int CodeLength = 100;
    public const int NameLength = 500;
    public const int TextLength = 2000;   // reasons, evidence, notes, legal bases
    public const int MaxItems = 2000;     // lines, targets, changes
    public const decimal MaxMagnitude = 1_000_000_000_000_000m; // 1e15: above any APBD in rupiah, and any indicator value

    // Stable error codes of the rules below (Language/FieldTexts translates by them; Required keeps NotNullValidator).
    public const string MagnitudeCode = "body.magnitude", MoneyCode = "body.money", YearCode = "body.year", OneOfCode = "body.one-of",
        MaxItemsCode = "body.max-items";

    /// <summary>Required: the field must be present (null and absent are the same in JSON here).</summary>
    public static IRuleBuilderOptions<T, TProperty> Required<T, TProperty>(this IRuleBuilder<T, TProperty> rule) =>
        rule.NotNull().WithMessage("'{PropertyName}' is required.");

    /// <summary>|value| ≤ 1e15. The sign is the domain's business (e.g. budget.pagu-negative → 422).</summary>
    public static IRuleBuilderOptions<T, decimal?> Magnitude<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.Must(v => v is null || Math.Abs(v.Value) <= MaxMagnitude)
            .WithMessage("'{PropertyName}' is out of range: at most 1e15 in absolute value.").WithErrorCode(MagnitudeCode);

    /// <summary>
    /// A rupiah amount (pagu, spending, declared totals): within <see cref="MaxMagnitude"/> and in whole sen (at most 2
    /// decimals). Without the second rule a pagu of 1e-28 was accepted, and spent / pagu × 100 overflowed decimal in the
    /// findings and the performance table (a 500 on every later read of that year).
    /// </summary>
    public static IRuleBuilderOptions<T, decimal?> Money<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.Magnitude()
            .Must(v => v is null || decimal.Round(v.Value, 2) == v.Value)
            .WithMessage("'{PropertyName}' is a rupiah amount: at most 2 decimals (sen).").WithErrorCode(MoneyCode);

    public static IRuleBuilderOptions<T, int?> Year<T>(this IRuleBuilder<T, int?> rule) =>
        rule.Must(y => y is null or >= YearAddressedValidator<object>.MinYear and <= YearAddressedValidator<object>.MaxYear)
            .WithMessage($"'{{PropertyName}}' must be a year from {YearAddressedValidator<object>.MinYear} to {YearAddressedValidator<object>.MaxYear}.")
            .WithErrorCode(YearCode);

    /// <summary>An enum-like field: one of the contract's wire words, exactly (case-sensitive).</summary>
    public static IRuleBuilderOptions<T, string?> OneOf<T>(this IRuleBuilder<T, string?> rule, TryParse parse, string words) =>
        rule.Must(w => w is null || parse(w)).WithMessage($"'{{PropertyName}}' must be one of {words}.").WithErrorCode(OneOfCode)
            .WithState(_ => words);

    public delegate bool TryParse(string word);

    public static IRuleBuilderOptions<T, List<TItem>?> MaxItemCount<T, TItem>(this IRuleBuilder<T, List<TItem>?> rule) =>
        rule.Must(l => l is null || l.Count <= MaxItems).WithMessage($"'{{PropertyName}}' has more than {MaxItems} items.").WithErrorCode(MaxItemsCode);
}
