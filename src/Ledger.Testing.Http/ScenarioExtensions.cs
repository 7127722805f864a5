using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.Testing.Http;

/// <summary>Run a scenario straight off an <see cref="HttpClient"/> or a <see cref="WebApplicationFactory{TEntryPoint}"/>.</summary>
public static class ScenarioExtensions
{
    /// <summary>Runs one scenario on <paramref name="client"/> with web-default JSON options. The client is not disposed.</summary>
    public static Task<ScenarioResult> Scenario(this HttpClient client, Action<Scenario> configure, CancellationToken cancellationToken = default) =>
        new ScenarioHost(client).Scenario(configure, cancellationToken);

    /// <summary>Runs one scenario on a fresh non-redirecting client of <paramref name="factory"/>.</summary>
    public static async Task<ScenarioResult> Scenario<TEntryPoint>(
        this WebApplicationFactory<TEntryPoint> factory, Action<Scenario> configure, CancellationToken cancellationToken = default)
        where TEntryPoint : class
    {
        using var host = ScenarioHost.For(factory);
        return await host.Scenario(configure, cancellationToken).ConfigureAwait(false);
    }
}
