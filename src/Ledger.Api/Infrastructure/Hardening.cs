using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Ledger.Storage;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Service-wide hardening (docs/security.md): a request body limit for every endpoint, security headers on every
/// response, and problem details for requests the server refuses before an endpoint runs.
/// </summary>
public static class Hardening
{
    /// <summary>The largest request body anywhere in the service (Kestrel and this middleware both answer 413 above it).</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static void AddLedgerHardening(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.AddSingleton<AuthFailureLimiter>();
    }

    /// <summary>
    /// Exception handler, problem details always: a <see cref="BadHttpRequestException"/> keeps its status (413 body too
    /// large, 400 bad request); the database out of reach (<see cref="DatabaseOutage"/>) is 503 with Retry-After, so a
    /// client retries later instead of reporting a bug; anything else is 500.
    /// </summary>
    public static void UseLedgerExceptionHandler(this WebApplication app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e switch
            {
                BadHttpRequestException b => b.StatusCode,
                _ when DatabaseOutage.Is(e) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });

    /// <summary>The problem details of an outage: what happened, when and how to retry.</summary>
    public static void AddLedgerProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (c.Exception is not null && DatabaseOutage.Is(c.Exception))
            {
                c.HttpContext.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                c.ProblemDetails.Title = "The database is unavailable.";
                // Honest about the one case nobody can know: a connection that broke while committing. The same
                // Idempotency-Key makes the retry safe either way (the key is claimed in the events' transaction).
                c.ProblemDetails.Detail = $"The ledger's database did not answer. Retry after {DatabaseOutage.RetryAfterSeconds} s; " +
                    "send a write again with the same Idempotency-Key, so that it is recorded once even if the connection broke while it was being committed.";
            }
            Language.ProblemLanguage.Apply(c.HttpContext, c.ProblemDetails); // Accept-Language: id (docs/api-notes.md "Language")
        });

    /// <summary>Security headers on every response; the body limit for every request (also under TestServer, which has no Kestrel limits).</summary>
    public static void UseLedgerHardening(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var h = http.Response.Headers;
                h.XContentTypeOptions = "nosniff";
                h.XFrameOptions = "DENY";
                h["Referrer-Policy"] = "no-referrer";
                h.ContentSecurityPolicy = Ledger.Web.WebRegistration.ContentSecurityPolicyFor(http.Request.Path);
                if (http.Request.Path.StartsWithSegments("/api") || Ledger.Web.WebRegistration.IsPage(http.Request.Path) && !h.ContainsKey("Cache-Control"))
                    h.CacheControl = "no-store";
                return Task.CompletedTask;
            });

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = MaxRequestBodyBytes;
            if (http.Request.ContentLength > MaxRequestBodyBytes)
            {
                await TooLarge(http);
                return;
            }
            if (http.Request.ContentLength is null && http.Request.Body.CanRead)
                http.Request.Body = new LimitedStream(http.Request.Body, MaxRequestBodyBytes);
            await next(http);
        });
    }

    private static Task TooLarge(HttpContext http) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
            detail: $"At most {MaxRequestBodyBytes} bytes.").ExecuteAsync(http);

    /// <summary>A read-only body stream that throws the server's own 413 exception past its limit (chunked bodies).</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        private int Count(int n)
        {
            _read += n;
            if (_read > limit) throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
            return n;
        }
    }
}

/// <summary>
/// Counts failed bearer tokens per client IP in a fixed one-minute window. Over the limit
/// (<c>Ledger:AuthFailuresPerMinute</c>, 20 by default) a failed request gets 429 with Retry-After instead of 401;
/// requests with a valid token are never limited.
/// </summary>
public sealed class AuthFailureLimiter(IConfiguration config, TimeProvider? clock = null)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    public int Limit { get; } = int.TryParse(config["Ledger:AuthFailuresPerMinute"], CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 20;

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start = start;
        public int Count;
    }

    /// <summary>Records a failure; returns how long to wait when the client is over the limit, else null.</summary>
    public TimeSpan? Fail(string client)
    {
        var now = _clock.GetUtcNow();
        if (_windows.Count > 100_000) _windows.Clear(); // bounded memory under a spread-out attack
        var w = _windows.GetOrAdd(client, _ => new Window(now));
        lock (w)
        {
            if (now - w.Start >= Length)
            {
                w.Start = now;
                w.Count = 0;
            }
            w.Count++;
            return w.Count > Limit ? w.Start + Length - now : null;
        }
    }
}
