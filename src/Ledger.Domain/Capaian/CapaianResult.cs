namespace Ledger.Domain.Capaian;

/// <summary>
/// One computed capaian. <see cref="Value"/> keeps full decimal precision (README "Exact arithmetic": store full
/// precision, round only for display). Value is null when no capaian exists, and then
/// <see cref="NotComputedReason"/> says why (README "Missing is not zero"). <see cref="Method"/> is always the
/// formula that applies to the indicator, so every result records which method produced it (README "Polarity").
/// </summary>
public sealed record CapaianResult(decimal? Value, string Method, string? NotComputedReason)
{
    /// <summary>Id of the policy that produced this result (e.g. "capaian-v1").</summary>
    public string PolicyId { get; init; } = CapaianPolicy.Default.Id;

    /// <summary>Decimals used by <see cref="Display"/>, copied from the policy so the result is self-describing.</summary>
    public int DisplayDecimals { get; init; } = CapaianPolicy.Default.DisplayDecimals;

    /// <summary>The formula's value before any policy cap; equals Value when the policy has no cap or it did not bite.
    /// Kept because the raw value must survive capping (001 digest §7 T3).</summary>
    public decimal? RawValue { get; init; }

    /// <summary>True when the policy cap lowered the value.</summary>
    public bool Capped => Value is { } v && RawValue is { } raw && raw != v;

    /// <summary>Value rounded half-up to <see cref="DisplayDecimals"/>; null when not computed.</summary>
    public decimal? Display => Value is { } v ? CapaianCalculator.RoundHalfUp(v, DisplayDecimals) : null;
}
