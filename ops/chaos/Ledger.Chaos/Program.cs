using Ledger.Chaos;

// ops/chaos/run: the long crash test (docs/reliability.md). Exit code 0 only when nothing was lost, duplicated or
// answered 500, the projections caught up and the chain verifies; 2 for a bad command line.
ChaosOptions options;
try
{
    if (args is ["-h" or "--help" or "help"])
    {
        Console.WriteLine(ChaosOptions.Usage);
        return 0;
    }
    options = ChaosOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ChaosOptions.Usage);
    return 2;
}

var started = DateTimeOffset.UtcNow;
options = options with { Log = line => Console.Error.WriteLine($"[{(DateTimeOffset.UtcNow - started).TotalSeconds,7:F1} s] {line}") };
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop cleanly: the service and the cluster are stopped and deleted
    cancel.Cancel();
};
try
{
    var report = await ChaosRun.RunAsync(options, cancel.Token);
    Console.WriteLine(report.Summary());
    return report.Ok ? 0 : 1;
}
catch (Exception e)
{
    // The run itself broke (what it started is stopped and deleted): not a result, but not a pass either.
    Console.Error.WriteLine(e);
    Console.WriteLine($"RESULT: the run did not complete: {e.GetType().Name}: {e.Message}");
    return 1;
}
