using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Ledger.Commands.Tests.Counters;
using Ledger.EventStore;
using Ledger.Testing.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.Commands.Tests;

[CollectionDefinition(Name)]
public sealed class CommandHostCollection : ICollectionFixture<CommandHost>
{
    public const string Name = "command host";
}

/// <summary>
/// A tiny web app on a TestServer, wired like the real service: the event store and the idempotency store on the
/// restricted service role of a fresh PostgreSQL database. Tests use a new counter id each, so they share the host.
/// </summary>
public sealed class CommandHost : IAsyncLifetime
{
    public const string ActorHeader = "X-Test-Actor";

    private WebApplication? _app;
    private TestDatabase? _database;

    public TestDatabase Database => _database!;
    public NpgsqlDataSource ServiceRole { get; private set; } = null!;
    public IEventStore Store { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Per counter id: run while the increment loads its context (after its stream was read, before the append).</summary>
    public ConcurrentDictionary<string, Func<CancellationToken, Task>> Hooks { get; } = new();

    public async Task InitializeAsync()
    {
        _database = await TestCluster.CreateDatabaseAsync("commands");
        ServiceRole = await _database.CreateServiceRoleAsync();
        Store = new PostgresEventStore(ServiceRole);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Store);
        builder.Services.AddSingleton(new IdempotencyStore(ServiceRole));
        builder.Services.AddSingleton<IValidator<OpenCounter>, OpenCounterValidator>();
        builder.Services.AddSingleton<IValidator<IncrementCounter>, IncrementCounterValidator>();
        builder.Services.AddCommandPipeline(o =>
        {
            o.Events = Counter.Events();
            o.Json = Counter.JsonOptions;
            o.Metadata = (http, command) => new AppendMetadata
            {
                ActorJson = http.Request.Headers[ActorHeader] is { Count: 1 } actor
                    ? JsonSerializer.Serialize(new { name = actor.ToString() })
                    : null,
                Reason = (command as IHasReason)?.Reason,
            };
        });

        _app = builder.Build();
        // As in production: an unhandled exception is a 500 (never a 4xx), logged by the middleware.
        _app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = _ => Task.CompletedTask });

        var counters = _app.MapGroup("/counters");
        counters.MapCommand("/", Counter.Open, StatusCodes.Status201Created);
        counters.MapCommand("/{id}/increments", Counter.Increment(RunHook),
            (HttpContext http, IncrementBody body) => new IncrementCounter((string)http.GetRouteValue("id")!, body.By, body.Reason));

        await _app.StartAsync();
        Client = _app.GetTestClient();
    }

    private Task RunHook(IncrementCounter command, CancellationToken ct) =>
        Hooks.TryGetValue(command.Id, out var hook) ? hook(ct) : Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        await ServiceRole.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    // ---- helpers for the tests ----

    public static string NewId() => "c-" + Guid.NewGuid().ToString("N")[..12];

    public Task<HttpResponseMessage> PostAsync(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return Client.SendAsync(request);
    }

    public async Task<string> OpenAsync(string? id = null)
    {
        id ??= NewId();
        using var response = await PostAsync("/counters", $$"""{"id":"{{id}}","name":"Visitors"}""");
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    public Task<HttpResponseMessage> IncrementAsync(string id, int by, params (string Name, string Value)[] headers) =>
        PostAsync($"/counters/{id}/increments", $$"""{"by":{{by}}}""", headers);

    public Task<IReadOnlyList<RecordedEvent>> EventsOf(string id) => Store.ReadStreamAsync(Counter.StreamOf(id));

    /// <summary>Another writer, straight to the store: one increment, whatever the stream's version.</summary>
    public Task AppendBehindTheBackAsync(string id, object @event, string type) =>
        Store.AppendAsync(new AppendRequest(Counter.StreamOf(id), "counter", "toy", ExpectedVersion.Any,
            [new EventData(Guid.CreateVersion7(), type, JsonSerializer.Serialize(@event, @event.GetType(), Counter.JsonOptions))],
            AppendMetadata.None));

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
