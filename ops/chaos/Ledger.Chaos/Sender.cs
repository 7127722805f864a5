using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Ledger.Chaos;

/// <summary>
/// One request as a client means it. A retry sends exactly these bytes again: same method, path, token, body and
/// <see cref="Key"/> (the Idempotency-Key; null for reads).
/// </summary>
public sealed record Request(string Method, string Path, string Token, string? Body, string? Key, string What);

/// <summary>What the service answered to one attempt.</summary>
public sealed record Answer(int Status, string Body, string? ETag, bool Replayed, string? RetryAfter, string? ContentType);

/// <summary>
/// A request sent until it got a definitive answer (<see cref="Final"/>: anything but a broken connection, a timeout
/// or a 5xx), or until the command deadline (<see cref="Final"/> null: unresolved).
/// <see cref="AnswerLost"/>: some attempt before the final one got no answer or a 5xx, so the client cannot know from
/// its own answers whether that attempt was committed; only the key makes the retry safe.
/// </summary>
public sealed record Outcome(Request Request, Answer? Final, int Attempts, bool AnswerLost);

/// <summary>
/// Every answer any client saw, counted: statuses, broken connections and timeouts, and each answer that breaks the
/// rule "2xx, an expected 4xx or 503 with Retry-After (problem details), never a 500" with its request and body.
/// </summary>
public sealed class Observations
{
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentQueue<string> _serverErrors = new();
    private readonly ConcurrentQueue<string> _unavailableWithoutRetryAfter = new();
    private int _connectionFailures;
    private int _timeouts;
    private int _retries;

    public IReadOnlyDictionary<int, int> Statuses => _statuses;
    public IReadOnlyCollection<string> ServerErrors => _serverErrors;
    public IReadOnlyCollection<string> UnavailableWithoutRetryAfter => _unavailableWithoutRetryAfter;
    public int ConnectionFailures => _connectionFailures;
    public int Timeouts => _timeouts;
    public int Retries => _retries;
    public int Count(int status) => _statuses.GetValueOrDefault(status);
    public int ServiceUnavailable => Count(503);

    private readonly ConcurrentQueue<(long SentAt, long AnsweredAt, string What)> _unavailable = new();

    /// <summary>Every 503 with the moments its attempt was sent and answered (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public IReadOnlyCollection<(long SentAt, long AnsweredAt, string What)> Unavailable => _unavailable;

    public void Record(Request r, Answer a, long sentAt, long answeredAt)
    {
        _statuses.AddOrUpdate(a.Status, 1, (_, n) => n + 1);
        if (a.Status == 503) _unavailable.Enqueue((sentAt, answeredAt, $"{r.Method} {r.Path} ({r.What}): {Cut(a.Body)}"));
        if (a.Status == 503 && (string.IsNullOrEmpty(a.RetryAfter) || a.ContentType != "application/problem+json"))
            _unavailableWithoutRetryAfter.Enqueue($"{r.Method} {r.Path} ({r.What}): 503 with Retry-After '{a.RetryAfter}', {a.ContentType}: {Cut(a.Body)}");
        else if (a.Status >= 500 && a.Status != 503)
            _serverErrors.Enqueue($"{r.Method} {r.Path} ({r.What}): {a.Status} {a.ContentType}: {Cut(a.Body)}");
    }

    public void ConnectionFailed() => Interlocked.Increment(ref _connectionFailures);
    public void TimedOut() => Interlocked.Increment(ref _timeouts);
    public void Retried() => Interlocked.Increment(ref _retries);

    private static string Cut(string s) => s.Length <= 600 ? s : s[..600] + "…";
}

/// <summary>
/// Sends a <see cref="Request"/> like a careful client: on a broken connection, a timeout or a 503 (waiting what
/// Retry-After says, up to <see cref="ChaosOptions.RetryAfterCap"/>) the same request is sent again with the same key,
/// until a definitive answer. A 500 is retried too (so that the run goes on) but is a failure of the run.
/// </summary>
/// <param name="firstAttempt">instead of the first attempt over <paramref name="http"/> (the commit-crash probe's relay).</param>
public sealed class Sender(HttpClient http, ChaosOptions options, Observations seen, Func<Request, CancellationToken, Task<Answer>>? firstAttempt = null)
{
    public Observations Seen => seen;

    public async Task<Outcome> SendAsync(Request r, CancellationToken ct = default)
    {
        var started = Stopwatch.StartNew();
        var lost = false;
        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1) seen.Retried();
            TimeSpan wait;
            try
            {
                var sentAt = Stopwatch.GetTimestamp();
                var a = attempt == 1 && firstAttempt is not null ? await firstAttempt(r, ct) : await OnceAsync(http, r, options.AttemptTimeout, ct);
                seen.Record(r, a, sentAt, Stopwatch.GetTimestamp());
                if (a.Status < 500) return new Outcome(r, a, attempt, lost);
                lost = true;
                wait = a.Status == 503 && int.TryParse(a.RetryAfter, out var seconds)
                    ? TimeSpan.FromSeconds(Math.Min(seconds, options.RetryAfterCap.TotalSeconds))
                    : options.RetryAfterCap;
            }
            catch (HttpRequestException)
            {
                seen.ConnectionFailed(); // refused while the service restarts, reset when it was killed mid-request
                lost = true;
                wait = TimeSpan.FromMilliseconds(100 + Random.Shared.Next(150));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                seen.TimedOut();
                lost = true;
                wait = TimeSpan.FromMilliseconds(100);
            }
            if (started.Elapsed > options.CommandDeadline) return new Outcome(r, null, attempt, lost);
            await Task.Delay(wait, ct);
        }
    }

    /// <summary>One attempt, no retry.</summary>
    public static async Task<Answer> OnceAsync(HttpClient http, Request r, TimeSpan timeout, CancellationToken ct = default)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(timeout);
        using var message = Message(r);
        using var response = await http.SendAsync(message, attempt.Token);
        var body = await response.Content.ReadAsStringAsync(attempt.Token);
        return new Answer((int)response.StatusCode, body, response.Headers.ETag?.ToString(),
            response.Headers.TryGetValues("Idempotency-Replayed", out var replayed) && replayed.Contains("true"),
            response.Headers.RetryAfter?.ToString(), response.Content.Headers.ContentType?.MediaType);
    }

    public static HttpRequestMessage Message(Request r)
    {
        var message = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", r.Token);
        if (r.Key is not null) message.Headers.Add("Idempotency-Key", r.Key);
        if (r.Body is not null) message.Content = new StringContent(r.Body, Encoding.UTF8, "application/json");
        return message;
    }
}
