namespace Ledger.Domain.Capaian;

/// <summary>
/// A named, versioned capaian policy (README: "make each one data or a named, versioned policy, never a hidden
/// constant"). Display rounding is half-up (001 digest §4.2 recommends 2 decimals half-up; 004 digest §4.1: every
/// printed ratio equals round-half-up(R/T×100, 2)). No cap unless the agency says so: the documents print 115 and
/// 140,7 uncapped (001 digest §4.2).
/// </summary>
public sealed record CapaianPolicy(string Id, int DisplayDecimals = 2, decimal? Cap = null)
{
    /// <summary>"capaian-v1": 2 display decimals, half-up, no cap.</summary>
    public static CapaianPolicy Default { get; } = new("capaian-v1");
}
