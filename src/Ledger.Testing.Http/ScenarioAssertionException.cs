namespace Ledger.Testing.Http;

/// <summary>
/// Thrown when a scenario's expectations are not met (or the request could not be sent).
/// Test-framework neutral: any runner reports it as a failed test with <see cref="Exception.Message"/>.
/// </summary>
public sealed class ScenarioAssertionException : Exception
{
    public ScenarioAssertionException(string message) : base(message) { }

    public ScenarioAssertionException(string message, Exception inner) : base(message, inner) { }
}
