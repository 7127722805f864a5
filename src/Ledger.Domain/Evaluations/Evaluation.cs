using System.Collections.Immutable;
using Ledger.Domain.Rating;

namespace Ledger.Domain.Evaluations;

// The Inspektorat's SAKIP evaluation of one agency-year (PermenPANRB 88/2021), stream evaluation-{agency}-{year}:
// a score 0–100 with its predikat, optional component scores, numbered recommendations, and the agency's follow-ups.

public abstract record EvaluationCommand;

/// <summary>Component scores; each at most its maximum (<see cref="EvaluationRules"/>).</summary>
public sealed record EvaluationComponents(decimal Perencanaan, decimal Pengukuran, decimal Pelaporan, decimal EvaluasiInternal)
{
    public decimal Sum => Perencanaan + Pengukuran + Pelaporan + EvaluasiInternal;
}

/// <summary><paramref name="Predikat"/> is the one the report printed (checked, never trusted); <paramref name="Indicator"/> the Nilai SAKIP indicator's code.</summary>
public sealed record RecordEvaluation(
    decimal Score, string? Predikat, EvaluationComponents? Components, IReadOnlyList<string> Recommendations, string? ReportNumber,
    string? Indicator) : EvaluationCommand;

public enum FollowUpStatus { Planned, InProgress, Done }

public sealed record RecordFollowUp(int Recommendation, string Action, FollowUpStatus Status, string? Evidence) : EvaluationCommand;

public sealed record Recommendation(int Number, string Text);

/// <summary>The predikat is computed by <see cref="Scale"/>; recommendations are numbered from 1.</summary>
public sealed record EvaluationRecorded(
    decimal Score, string Predikat, string Scale, EvaluationComponents? Components, IReadOnlyList<Recommendation> Recommendations,
    string? ReportNumber, string? Indicator) : IDomainEvent;

public sealed record FollowUpRecorded(int Recommendation, string Action, string Status, string? Evidence) : IDomainEvent;

public sealed record EvaluationState(bool Exists, EvaluationRecorded? Recorded, ImmutableList<FollowUpRecorded> FollowUps)
{
    public static EvaluationState Initial { get; } = new(false, null, []);

    public EvaluationState Evolve(IDomainEvent @event) => @event switch
    {
        EvaluationRecorded e => this with { Exists = true, Recorded = e },
        FollowUpRecorded e => this with { FollowUps = FollowUps.Add(e) },
        _ => this,
    };
}

public static class EvaluationRules
{
    public const decimal MaxPerencanaan = 30m, MaxPengukuran = 30m, MaxPelaporan = 15m, MaxEvaluasiInternal = 25m;
    public static RatingScale Scale => RatingScale.Akip88_2021;

    public static string FollowUpStatusName(FollowUpStatus s) => s switch
    {
        FollowUpStatus.Planned => "planned",
        FollowUpStatus.InProgress => "in-progress",
        FollowUpStatus.Done => "done",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static bool TryParseFollowUpStatus(string? name, out FollowUpStatus status)
    {
        status = name switch { "planned" => FollowUpStatus.Planned, "in-progress" => FollowUpStatus.InProgress, "done" => FollowUpStatus.Done, _ => (FollowUpStatus)(-1) };
        return status >= 0;
    }
}

public static class Evaluation
{
    public static string StreamName(string agencyCode, int year) => $"evaluation-{agencyCode}-{year}";

    public static Decision Decide(EvaluationState state, EvaluationCommand command, bool agencyExists)
    {
        if (!agencyExists) return Decision.Missing("agency");
        return command switch
        {
            RecordEvaluation c => DecideRecord(state, c),
            RecordFollowUp c => DecideFollowUp(state, c),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown evaluation command."),
        };
    }

    public static EvaluationState Evolve(EvaluationState state, IDomainEvent @event) => state.Evolve(@event);

    public static EvaluationState Replay(IEnumerable<IDomainEvent> events) => events.Aggregate(EvaluationState.Initial, Evolve);

    private static Decision DecideRecord(EvaluationState state, RecordEvaluation c)
    {
        if (state.Exists)
            return Decision.Refuse(RuleCodes.EvaluationAlreadyRecorded, "This year's evaluation is already recorded.");
        if (c.Score is < 0m or > 100m)
            return Decision.Refuse(RuleCodes.EvaluationScoreOutOfRange, "The Nilai SAKIP is a score from 0 to 100.", "score");
        var predikat = EvaluationRules.Scale.Rate(c.Score)!;
        if (c.Predikat is { } printed && !string.Equals(printed.Trim(), predikat, StringComparison.Ordinal))
            return Decision.Refuse(RuleCodes.EvaluationPredikatMismatch,
                $"A score of {c.Score} is {predikat} on {EvaluationRules.Scale.Name}, not {printed}.", "predikat");
        if (c.Components is { } k)
        {
            foreach (var (name, value, max) in new[]
                     {
                         ("perencanaan", k.Perencanaan, EvaluationRules.MaxPerencanaan), ("pengukuran", k.Pengukuran, EvaluationRules.MaxPengukuran),
                         ("pelaporan", k.Pelaporan, EvaluationRules.MaxPelaporan), ("evaluasiInternal", k.EvaluasiInternal, EvaluationRules.MaxEvaluasiInternal),
                     })
                if (value < 0m || value > max)
                    return Decision.Refuse(RuleCodes.EvaluationComponentOutOfRange, $"{name} must be from 0 to {max}; it is {value}.", $"components.{name}");
            // Exact decimal: the components are printed to 2 decimals and the report's score is their sum, so no tolerance.
            if (k.Sum != c.Score)
                return Decision.Refuse(RuleCodes.EvaluationComponentsSumMismatch,
                    $"The components sum to {k.Sum}, not the score {c.Score} (exact decimal comparison).", "components");
        }
        if (c.Recommendations.Count == 0 || c.Recommendations.Any(string.IsNullOrWhiteSpace))
            return Decision.Refuse(RuleCodes.EvaluationRecommendationsRequired, "List the report's recommendations, none blank.", "recommendations");
        var numbered = c.Recommendations.Select((r, i) => new Recommendation(i + 1, r.Trim())).ToList();
        return Decision.Accept(new EvaluationRecorded(c.Score, predikat, EvaluationRules.Scale.Name, c.Components, numbered,
            string.IsNullOrWhiteSpace(c.ReportNumber) ? null : c.ReportNumber.Trim(), string.IsNullOrWhiteSpace(c.Indicator) ? null : c.Indicator.Trim()));
    }

    private static Decision DecideFollowUp(EvaluationState state, RecordFollowUp c)
    {
        if (state.Recorded is not { } recorded) return Decision.Missing("evaluation");
        if (recorded.Recommendations.All(r => r.Number != c.Recommendation)) return Decision.Missing($"recommendation {c.Recommendation}");
        if (string.IsNullOrWhiteSpace(c.Action))
            return Decision.Refuse(RuleCodes.FollowUpActionRequired, "A follow-up says what was done.", "action");
        return Decision.Accept(new FollowUpRecorded(c.Recommendation, c.Action.Trim(), EvaluationRules.FollowUpStatusName(c.Status),
            string.IsNullOrWhiteSpace(c.Evidence) ? null : c.Evidence.Trim()));
    }
}
