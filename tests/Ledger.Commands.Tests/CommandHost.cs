using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Ledger.Commands.Tests.Counters;
using Ledger.Storage;
using Marten;
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
    public DocumentStore Store { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Per counter id: run while the increment loads its context (after its stream was read, before the append).</summary>
    public ConcurrentDictionary<string, Func<CancellationToken, Task>> Hooks { get; } = new();

    public async Task InitializeAsync()
    {
        _database = await TestCluster.CreateLedgerDatabaseAsync("commands");
        await CommandSchema.MigrateAsync(_database.Owner);
        var serviceCs = await _database.CreateLedgerServiceRoleAsync();
        await CommandSchema.GrantServiceRoleAsync(_database.Owner, new NpgsqlConnectionStringBuilder(serviceCs).Username!);
        ServiceRole = NpgsqlDataSource.Create(serviceCs);
        Store = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, serviceCs);
            Counter.Configure(o);
        });

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IDocumentStore>(Store);
        builder.Services.AddSingleton(new StreamLoader(Store, ServiceRole));
        builder.Services.AddSingleton(new IdempotencyStore(ServiceRole));
        builder.Services.AddSingleton<IValidator<OpenCounter>, OpenCounterValidator>();
        builder.Services.AddSingleton<IValidator<IncrementCounter>, IncrementCounterValidator>();
        builder.Services.AddCommandPipeline(o =>
        {
            o.Json = Counter.JsonOptions;
            o.Metadata = (http, command) => new CommandMetadata
            {
                Actor = http.Request.Headers[ActorHeader] is { Count: 1 } actor ? new { name = actor.ToString() } : null,
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
        Store.Dispose();
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

    /// <summary>A counter's events as stored: type name, payload (jsonb text), actor and reason headers.</summary>
    public async Task<IReadOnlyList<StoredEvent>> EventsOf(string id) => await EventsOfStreamAsync(Counter.StreamOf(id));

    public async Task<IReadOnlyList<StoredEvent>> EventsOfStreamAsync(string stream)
    {
        var list = new List<StoredEvent>();
        await using var cmd = Database.Owner.CreateCommand(
            "SELECT type, data::text, (headers->'actor')::text, headers->>'reason', correlation_id, headers->>'idempotencyKey', id, headers->>'agency', version FROM ledger.mt_events WHERE stream_id = @s ORDER BY version");
        cmd.Parameters.AddWithValue("s", stream);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new StoredEvent(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetGuid(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt64(8)));
        return list;
    }

    /// <summary>Another writer, straight through Marten: one event, whatever the stream's version (an append function call with its current version).</summary>
    public async Task AppendBehindTheBackAsync(string stream, object @event)
    {
        await using var session = Store.LightweightSession();
        var version = (await session.Events.FetchStreamStateAsync(stream))?.Version ?? 0;
        session.Events.Append(stream, version + 1, @event);
        await session.SaveChangesAsync();
    }

    /// <summary>An event of any stored type name (e.g. one no code registers), through Marten's own append function, as the service role.</summary>
    public async Task AppendRawAsync(string stream, string typeName, string json)
    {
        await using var cmd = ServiceRole.CreateCommand("""
            SELECT ledger.mt_quick_append_events(@s, NULL, '*DEFAULT*', ARRAY[gen_random_uuid()], ARRAY[@t]::varchar[], ARRAY['Gone.' || @t || ', Gone']::varchar[],
                ARRAY[@j::jsonb], ARRAY[NULL::bytea], ARRAY[NULL::varchar], ARRAY[NULL::varchar], ARRAY[NULL::jsonb],
                (SELECT coalesce((SELECT version FROM ledger.mt_streams WHERE id = @s), 0)))
            """);
        cmd.Parameters.AddWithValue("s", stream);
        cmd.Parameters.AddWithValue("t", typeName);
        cmd.Parameters.AddWithValue("j", json);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}

/// <summary>One event as stored in <c>ledger.mt_events</c>.</summary>
public sealed record StoredEvent(string Type, string Json, string? ActorJson, string? Reason, string? CorrelationId, string? IdempotencyKey, Guid Id, string? Tenant, long Version);
