using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.Testing.Http;

/// <summary>
/// Runs scenarios against an <see cref="HttpClient"/> (for instance one from a TestServer or a
/// <see cref="WebApplicationFactory{TEntryPoint}"/>). Disposing the host disposes what it created.
/// </summary>
public sealed class ScenarioHost : IDisposable, IAsyncDisposable
{
    private readonly List<Action<Scenario>> _beforeEach = [];
    private readonly IDisposable? _owned;
    private readonly bool _ownsClient;

    /// <summary>Wraps a client. The caller keeps ownership of <paramref name="client"/>.</summary>
    public ScenarioHost(HttpClient client, JsonSerializerOptions? jsonOptions = null)
        : this(client, jsonOptions, ownsClient: false, owned: null)
    {
    }

    private ScenarioHost(HttpClient client, JsonSerializerOptions? jsonOptions, bool ownsClient, IDisposable? owned)
    {
        Client = client ?? throw new ArgumentNullException(nameof(client));
        JsonOptions = jsonOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
        _ownsClient = ownsClient;
        _owned = owned;
    }

    public HttpClient Client { get; }

    /// <summary>Used for request bodies, <see cref="Scenario.JsonShouldHave"/> and <see cref="ScenarioResult.ReadAsJson{T}"/>. Web defaults (camelCase).</summary>
    public JsonSerializerOptions JsonOptions { get; }

    /// <summary>Wraps a client the caller owns.</summary>
    public static ScenarioHost For(HttpClient client, JsonSerializerOptions? jsonOptions = null) => new(client, jsonOptions);

    /// <summary>
    /// Creates a client from <paramref name="factory"/> that does not follow redirects (so 3xx and Location can be asserted).
    /// The host always disposes that client; it disposes the factory too when <paramref name="disposeFactory"/> is true
    /// (handy for <c>ScenarioHost.For(new WebApplicationFactory&lt;Program&gt;().WithWebHostBuilder(...), disposeFactory: true)</c>).
    /// </summary>
    public static ScenarioHost For<TEntryPoint>(
        WebApplicationFactory<TEntryPoint> factory, JsonSerializerOptions? jsonOptions = null, bool disposeFactory = false)
        where TEntryPoint : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return new ScenarioHost(client, jsonOptions, ownsClient: true, owned: disposeFactory ? factory : null);
    }

    /// <summary>Applies <paramref name="configure"/> to every scenario before its own configuration (e.g. a default bearer token).</summary>
    public ScenarioHost BeforeEach(Action<Scenario> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _beforeEach.Add(configure);
        return this;
    }

    /// <summary>Sends the request described by <paramref name="configure"/> and checks every expectation.</summary>
    /// <exception cref="ScenarioAssertionException">An expectation failed, or the request threw; the message holds the full exchange.</exception>
    public async Task<ScenarioResult> Scenario(Action<Scenario> configure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var scenario = new Scenario(JsonOptions);
        foreach (var before in _beforeEach) before(scenario);
        configure(scenario);

        using var request = scenario.BuildRequest();
        var target = $"{request.Method} {scenario.Url}";
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ScenarioAssertionException($"{target} failed before a response was received: {e.GetType().Name}: {e.Message}", e);
        }

        var result = new ScenarioResult(request.Method, scenario.Url!, response, body, JsonOptions);
        var failures = new List<string>();
        foreach (var expectation in scenario.AllExpectations())
        {
            string? failure;
            try
            {
                failure = expectation(result);
            }
            catch (Exception e)
            {
                failure = $"An expectation threw {e.GetType().Name}: {e.Message}";
            }
            if (failure is not null) failures.Add(failure);
        }
        if (failures.Count > 0)
        {
            var headline = $"Scenario {target} failed {failures.Count} expectation{(failures.Count == 1 ? "" : "s")}:";
            throw new ScenarioAssertionException(result.Describe(headline, failures, DescribeRequestBody(scenario)));
        }
        return result;
    }

    private static string? DescribeRequestBody(Scenario scenario)
    {
        if (scenario.Body is null) return null;
        var mediaType = scenario.BodyContentType?.MediaType ?? "";
        var isText = mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Contains("xml", StringComparison.OrdinalIgnoreCase)
            || mediaType.Contains("form-urlencoded", StringComparison.OrdinalIgnoreCase);
        return isText
            ? Encoding.UTF8.GetString(scenario.Body)
            : $"<{scenario.Body.Length} bytes of {(mediaType.Length == 0 ? "unknown type" : mediaType)}>";
    }

    public void Dispose()
    {
        if (_ownsClient) Client.Dispose();
        _owned?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsClient) Client.Dispose();
        switch (_owned)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case not null:
                _owned.Dispose();
                break;
        }
    }
}
