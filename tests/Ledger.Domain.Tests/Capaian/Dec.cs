using System.Globalization;

namespace Ledger.Domain.Tests.Capaian;

/// <summary>Attributes cannot hold decimals; theories pass invariant strings ("0.80") and parse them exactly.</summary>
internal static class Dec
{
    public static decimal D(string s) => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture);
    public static decimal? N(string? s) => s is null ? null : D(s);
}
