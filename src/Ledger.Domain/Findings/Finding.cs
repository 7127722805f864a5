using Ledger.Domain.Capaian;
using Ledger.Domain.History;

namespace Ledger.Domain.Findings;

/// <summary>Severity words of the HTTP answer: high changes a computed result; medium needs an explanation; low is
/// cosmetic; info asks for a reviewer's attention without asserting an error (the digests' H/M/L plus info).</summary>
public static class Severities
{
    public const string High = "high";
    public const string Medium = "medium";
    public const string Low = "low";
    public const string Info = "info";
}

/// <summary>
/// One finding: the rule that raised it, its severity, what it is about (an indicator code, a budget line code or
/// the year), a sentence an auditor can paste into an LHE, and the events that prove it (ids and global sequences,
/// in sequence order).
/// </summary>
public sealed record Finding(string Rule, string Severity, string Subject, string Message, IReadOnlyList<Guid> Evidence, IReadOnlyList<long> Sequences);

/// <summary>A named, documented rule (docs/findings.md has one row per <see cref="Id"/>).</summary>
public sealed record FindingRule(string Id, string Severity, string Detects, Func<FindingsContext, IEnumerable<Finding>> Evaluate)
{
    public Finding Raise(string subject, string message, IEnumerable<AuditedEvent?> evidence)
    {
        var proof = evidence.OfType<AuditedEvent>().DistinctBy(e => e.Id).OrderBy(e => e.Sequence).ToList();
        return new Finding(Id, Severity, subject, message, proof.Select(e => e.Id).ToList(), proof.Select(e => e.Sequence).ToList());
    }
}

/// <summary>
/// What the rules look at: the agency-year's events and the events of the Renstra in force for the year, each with
/// its metadata, both as recorded up to the instant of the question (the caller reads them as of that instant).
/// <paramref name="Now"/> is that instant: it decides whether the year has ended.
/// </summary>
public sealed record FindingsInput(
    string Agency, int Year, IReadOnlyList<AuditedEvent> RenstraEvents, IReadOnlyList<AuditedEvent> YearEvents, DateTimeOffset Now,
    CapaianPolicy Policy);
