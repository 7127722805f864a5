namespace Ledger.Importing;

public enum StepOutcome
{
    /// <summary>The server wrote it now (2xx, not replayed).</summary>
    Accepted,
    /// <summary>The server answered from its idempotency store (a re-run) or a known user was reused: nothing new written.</summary>
    Replayed,
    /// <summary>Refused with the status and rule the dataset says it must be refused with.</summary>
    RefusedAsExpected,
    /// <summary>Refused when it should have been accepted, refused with another rule, or accepted when a refusal was expected.</summary>
    RefusedUnexpectedly,
}

public sealed record StepResult(string Dataset, DatasetStep Step, StepOutcome Outcome, int Status, string? Rule, string? Detail);

public sealed class ImportReport
{
    private readonly List<StepResult> _results = [];

    public IReadOnlyList<StepResult> Results => _results;
    public int Accepted => Count(StepOutcome.Accepted);
    public int Replayed => Count(StepOutcome.Replayed);
    public int RefusedAsExpected => Count(StepOutcome.RefusedAsExpected);
    public int RefusedUnexpectedly => Count(StepOutcome.RefusedUnexpectedly);
    public IEnumerable<StepResult> Unexpected => _results.Where(r => r.Outcome == StepOutcome.RefusedUnexpectedly);
    public bool Ok => RefusedUnexpectedly == 0;

    internal void Add(StepResult result) => _results.Add(result);

    private int Count(StepOutcome outcome) => _results.Count(r => r.Outcome == outcome);

    /// <summary>The summary the CLI prints (and tests show on failure).</summary>
    public string Summary()
    {
        var lines = new List<string>
        {
            $"accepted: {Accepted}, replayed (idempotent): {Replayed}, refused as expected: {RefusedAsExpected}, refused unexpectedly: {RefusedUnexpectedly}",
        };
        foreach (var r in _results.Where(r => r.Outcome == StepOutcome.RefusedAsExpected))
            lines.Add($"  expected refusal  {r.Dataset}/{r.Step.Label} {r.Step.Method} {r.Step.Path}: {r.Status} {r.Rule}");
        foreach (var r in Unexpected)
            lines.Add($"  UNEXPECTED        {r.Dataset}/{r.Step.Label} {r.Step.Method} {r.Step.Path}: {r.Status} {r.Rule} {r.Detail}");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Where progress goes: a terminal bar, plain lines, or nowhere (tests).</summary>
public interface IImportProgress
{
    void Started(string dataset, int steps);
    void Step(string dataset, DatasetStep step, int done, int total, StepOutcome outcome);
    void Finished(string dataset);
}

public sealed class NoProgress : IImportProgress
{
    public static readonly NoProgress Instance = new();
    public void Started(string dataset, int steps) { }
    public void Step(string dataset, DatasetStep step, int done, int total, StepOutcome outcome) { }
    public void Finished(string dataset) { }
}
