namespace Ledger.Domain.Capaian;

// The vocabulary of the capaian rules in /work/shared/domain/README.md ("Rules": polarity, aggregation).
// Wire strings live in WireNames, never in ToString(), so renaming a member cannot change stored events.

/// <summary>Whether a bigger realization is better (Higher) or worse (Lower, e.g. share of staff with disciplinary violations).</summary>
public enum Polarity { Higher, Lower }

/// <summary>
/// Formula for lower-is-better indicators. The method belongs to the indicator (versioned), because neither seed
/// document defines one (001 digest §4.2, 004 digest §4.1): Inverse2T is the official (2T − R)/T × 100,
/// RatioInverse is the T/R × 100 some agencies use.
/// </summary>
public enum LowerFormula { Inverse2T, RatioInverse }

/// <summary>How period values make the year's value (README "Aggregation over the year").</summary>
public enum Aggregation { Sum, Last, Average, Annual }

/// <summary>Reporting periods within one year: quarters (triwulan), semesters, and the year itself.</summary>
public enum Period { Q1, Q2, Q3, Q4, S1, S2, Y }
