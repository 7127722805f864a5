using System.Collections.Concurrent;
using System.Text.Json;
using FluentValidation;
using Ledger.Api.Commands;
using Ledger.Api.Features.PerformanceYears;
using Ledger.Api.Infrastructure;
using Ledger.Api.Tests.Writes;
using Alba;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Api.Tests.Commands;

/// <summary>
/// The real service with the command pipeline's test seam filled: <see cref="Hooks"/> is the <see cref="ICommandHooks"/>
/// that <see cref="CommandRunner"/> (a singleton) runs just before each append, after deciding. The race tests play a
/// concurrent writer there; the metadata tests read the request's trace identifier there (IHttpContextAccessor).
/// <see cref="LoggedExceptions"/> holds every exception the service logged (what a 500 was).
/// </summary>
public sealed class HookedApiFactory : LedgerApiFactory
{
    private readonly ExceptionCapture _exceptions = new();

    public TestCommandHooks Hooks { get; } = new();

    /// <summary>How many attempts a realization took, per agency (every attempt validates its command first).</summary>
    public RealizationAttempts RealizationAttempts { get; } = new();

    public IReadOnlyCollection<Exception> LoggedExceptions => _exceptions.Exceptions;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(_exceptions));
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ICommandHooks>(Hooks); // registered after the service's NoCommandHooks: this one is resolved
            services.AddHttpContextAccessor();
            services.AddSingleton<IValidator<Addressed<RealizationEndpoints.RealizationBody>>>(RealizationAttempts);
        });
    }

    private sealed class ExceptionCapture : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<Exception> Exceptions { get; } = new();
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null && logLevel >= LogLevel.Error) Exceptions.Enqueue(exception);
        }

        public void Dispose() { }
    }
}

/// <summary>
/// A validator that accepts everything and counts, per agency, the attempts of POST …/realizations: CommandRunner validates
/// the command at the start of every attempt (a retry after a lost race runs the whole chain again), so this counts the
/// attempts, including those that end before the append (and the hook).
/// </summary>
public sealed class RealizationAttempts : AbstractValidator<Addressed<RealizationEndpoints.RealizationBody>>
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

    public RealizationAttempts() => RuleFor(c => c.Agency).Must(agency =>
    {
        _attempts.AddOrUpdate(agency, 1, (_, n) => n + 1);
        return true;
    });

    public int Of(string agency) => _attempts.TryGetValue(agency, out var n) ? n : 0;
}

/// <summary>
/// Hooks per stream (each test writes to its own agency's streams, so tests of a class never see each other's hooks).
/// Calls on a stream without a hook pass straight through.
/// </summary>
public sealed class TestCommandHooks : ICommandHooks
{
    private readonly ConcurrentDictionary<string, StreamHook> _hooks = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="before"/> (with the 1-based number of the call on that stream) before every append to <paramref name="stream"/>.</summary>
    public StreamHook On(string stream, Func<int, CancellationToken, Task> before) => _hooks[stream] = new StreamHook(before);

    private readonly ConcurrentDictionary<string, StreamHook> _folds = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="before"/> (with the 1-based number of the call on that stream) before every fold of <paramref name="stream"/> for a decision.</summary>
    public StreamHook OnFold(string stream, Func<int, CancellationToken, Task> before) => _folds[stream] = new StreamHook(before);

    public Task BeforeAppendAsync(string stream, CancellationToken ct) =>
        _hooks.TryGetValue(stream, out var hook) ? hook.RunAsync(ct) : Task.CompletedTask;

    public Task BeforeFoldAsync(string stream, CancellationToken ct) =>
        _folds.TryGetValue(stream, out var hook) ? hook.RunAsync(ct) : Task.CompletedTask;
}

public sealed class StreamHook(Func<int, CancellationToken, Task> before)
{
    private int _calls;

    /// <summary>How many appends to the stream reached the hook (one per decided attempt that accepted).</summary>
    public int Calls => Volatile.Read(ref _calls);

    internal Task RunAsync(CancellationToken ct) => before(Interlocked.Increment(ref _calls), ct);
}

/// <summary>One event as stored in <c>ledger.mt_events</c>, with the metadata a command records on it.</summary>
public sealed record LoggedEvent(
    Guid Id, string Type, long Version, string Json, string? ActorJson, string? Reason, string? CorrelationId, string? IdempotencyKey,
    string? Agency)
{
    public JsonElement Data => JsonDocument.Parse(Json).RootElement.Clone();
}

public static class CommandTestKit
{
    /// <summary>A stream's events with their metadata, in version order, read as the owner.</summary>
    public static async Task<IReadOnlyList<LoggedEvent>> LogAsync(this LedgerApiFactory f, string stream)
    {
        var list = new List<LoggedEvent>();
        await using var cmd = f.Database.Owner.CreateCommand("""
            SELECT id, type, version, data::text, (headers->'actor')::text, headers->>'reason', correlation_id,
                   headers->>'idempotencyKey', headers->>'agency'
            FROM ledger.mt_events WHERE stream_id = @s ORDER BY version
            """);
        cmd.Parameters.AddWithValue("s", stream);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new LoggedEvent(r.GetGuid(0), r.GetString(1), r.GetInt64(2), r.GetString(3), Text(r, 4), Text(r, 5), Text(r, 6),
                Text(r, 7), Text(r, 8)));
        return list;

        static string? Text(Npgsql.NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    }

    /// <summary>
    /// POST a raw body to /api/agencies/{agency}/{path} as <paramref name="token"/>, whatever the answer (the test asserts
    /// it). The body is sent as application/json text exactly as given.
    /// </summary>
    public static Task<IScenarioResult> SendAsync(this Surakarta s, string token, string path, string json,
        params (string Name, string Value)[] headers) =>
        s.Factory.Scenario(x =>
        {
            x.WithBearerToken(token);
            x.WithRequestHeaders(headers);
            x.Post.RawJson(json).ToUrl($"/api/agencies/{s.Agency}/{path}");
            x.IgnoreStatusCode();
        });

    /// <summary>As <see cref="SendAsync"/> with a body serialised from <paramref name="body"/>.</summary>
    public static Task<IScenarioResult> SendAsync(this Surakarta s, string token, string path, object body,
        params (string Name, string Value)[] headers) =>
        s.SendAsync(token, path, JsonSerializer.Serialize(body, Storage.LedgerJson.Options), headers);

    /// <summary>
    /// Another writer, straight through Marten as the owner (not through the service, so no hook runs for it): one event
    /// appended at the stream's current version, committed before this returns.
    /// </summary>
    public static async Task AppendBehindTheBackAsync(this LedgerApiFactory f, string stream, object @event)
    {
        await using var session = f.Store.LightweightSession();
        var version = (await session.Events.FetchStreamStateAsync(stream))?.Version ?? 0;
        session.Events.Append(stream, version + 1, @event);
        await session.SaveChangesAsync();
    }

    /// <summary>
    /// An event of any stored type name (e.g. one no code maps), through Marten's own append function, as the superuser:
    /// the audit layer seals it like any other event.
    /// </summary>
    public static async Task AppendRawAsync(this LedgerApiFactory f, string stream, string typeName, string json)
    {
        await using var cmd = f.Database.Owner.CreateCommand("""
            SELECT ledger.mt_quick_append_events(@s, NULL, '*DEFAULT*', ARRAY[gen_random_uuid()], ARRAY[@t]::varchar[], ARRAY['Gone.' || @t || ', Gone']::varchar[],
                ARRAY[@j::jsonb], ARRAY[NULL::bytea], ARRAY[NULL::varchar], ARRAY[NULL::varchar], ARRAY[NULL::jsonb],
                (SELECT coalesce((SELECT version FROM ledger.mt_streams WHERE id = @s), 0)))
            """);
        cmd.Parameters.AddWithValue("s", stream);
        cmd.Parameters.AddWithValue("t", typeName);
        cmd.Parameters.AddWithValue("j", json);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A realization body for the year of <see cref="Surakarta"/>.</summary>
    public static object Realization(string indicator, decimal value, string period = "Y") =>
        new { indicator, year = Surakarta.Year, period, value };

    public static (string, string) NewKey() => ("Idempotency-Key", Guid.NewGuid().ToString());
}
