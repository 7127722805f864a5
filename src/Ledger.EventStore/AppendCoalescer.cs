using Npgsql;

namespace Ledger.EventStore;

/// <summary>How the store sends appends to PostgreSQL.</summary>
public sealed record EventStoreOptions
{
    /// <summary>
    /// Group commit: appends that arrive while others are on their way to the database share one round trip and one
    /// transaction (one WAL flush), each still with its own stream lock, expectation, hash chain and result.
    /// A lone append goes at once; nothing waits for a timer. Off: one round trip and one commit per append.
    /// Ignored when the store has inline projections (each append then runs in its own explicit transaction).
    /// </summary>
    public bool CoalesceAppends { get; init; } = true;

    /// <summary>
    /// Only appends of at most this many events are grouped. A larger append already shares its commit among its own
    /// events, so it goes straight to the database, in its own round trip, as without group commit.
    /// </summary>
    public int MaxEventsPerGroupedAppend { get; init; } = 10;

    /// <summary>At most this many appends share one round trip.</summary>
    public int MaxAppendsPerRoundTrip { get; init; } = 64;

    /// <summary>At most this many events share one round trip.</summary>
    public int MaxEventsPerRoundTrip { get; init; } = 200;

    /// <summary>At most this many grouped round trips are in flight at once (each on its own pooled connection).</summary>
    public int MaxConcurrentRoundTrips { get; init; } = 2;

    public static EventStoreOptions Default { get; } = new();

    /// <summary>Refuses limits below 1 (a group that may hold nothing, or no flusher at all, would leave appends queued forever).</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(MaxEventsPerGroupedAppend), MaxEventsPerGroupedAppend), (nameof(MaxAppendsPerRoundTrip), MaxAppendsPerRoundTrip),
                     (nameof(MaxEventsPerRoundTrip), MaxEventsPerRoundTrip), (nameof(MaxConcurrentRoundTrips), MaxConcurrentRoundTrips),
                 })
        {
            if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
        }
    }

    /// <summary>One round trip and one commit per append (what the store did before group commit).</summary>
    public static EventStoreOptions OneCommitPerAppend { get; } = new() { CoalesceAppends = false };
}

/// <summary>
/// Group commit for <see cref="PostgresEventStore.AppendAsync"/>. Callers queue their append; up to
/// <see cref="EventStoreOptions.MaxConcurrentRoundTrips"/> flushers each take what is queued (in arrival order) and send
/// it as one call of <c>eventstore.append_many</c> (migration 0005): one round trip, one transaction, one commit. A
/// lone append is sent with <c>eventstore.append</c>, as without group commit. Every caller gets its own answer, and
/// only once the transaction has committed. Appends larger than <see cref="EventStoreOptions.MaxEventsPerGroupedAppend"/>
/// bypass the queue (they are not counted in <see cref="Counts"/>).
/// <list type="bullet">
/// <item>A stream that is not at the expected version is a result row, not an error, so it fails only its own append.</item>
/// <item>The function locks the group's stream rows in name order, so two groups cannot deadlock on rows that exist.</item>
/// <item>An ERROR from PostgreSQL rolls the whole transaction back (nothing of it was written): the group's appends
///   are then sent again one by one, so each gets exactly the answer it would have had alone. Anything else (a broken
///   connection, a FATAL) may have come after the commit, so it is passed to every caller of the group, never retried.</item>
/// <item>A caller's cancellation counts while its append is queued; once sent, the append's outcome is awaited.</item>
/// </list>
/// </summary>
internal sealed class AppendCoalescer(
    EventStoreOptions options,
    Func<AppendRequest, CancellationToken, Task<AppendResult>> sendAlone,
    Func<IReadOnlyList<AppendRequest>, Task<IReadOnlyList<AppendOutcome>>> sendTogether)
{
    private readonly object _gate = new();
    private readonly Queue<Pending> _queue = new();
    private int _flushers;
    private volatile bool _disabled;
    private long _appends, _roundTrips;

    /// <summary>Appends taken from the queue, and the round trips they used (a group that failed and was re-sent one by one counts every call).</summary>
    public (long Appends, long RoundTrips) Counts => (Interlocked.Read(ref _appends), Interlocked.Read(ref _roundTrips));

    /// <summary>False once a group failed because this role may not call <c>eventstore.append_many</c> (or it does not exist).</summary>
    public bool Grouping => !_disabled;

    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct)
    {
        if (request.Events.Count > options.MaxEventsPerGroupedAppend || _disabled) return sendAlone(request, ct);
        if (ct.IsCancellationRequested) return Task.FromCanceled<AppendResult>(ct);
        // What Npgsql would refuse while binding (text that is not valid UTF-16) must fail this append alone, not the
        // group it would have joined: a failure the client raises after sending cannot be told from one before.
        try
        {
            AppendText.EnsureEncodable(request);
        }
        catch (Exception e)
        {
            return Task.FromException<AppendResult>(e);
        }

        var pending = new Pending(request);
        if (ct.CanBeCanceled) pending.Registration = ct.Register(static p => ((Pending)p!).TryCancel(), pending);
        bool startFlusher;
        lock (_gate)
        {
            _queue.Enqueue(pending);
            startFlusher = _flushers < options.MaxConcurrentRoundTrips;
            if (startFlusher) _flushers++;
        }
        if (startFlusher)
        {
            // The flusher serves every caller, so it must not carry this caller's execution context (AsyncLocal, Activity).
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(FlushAsync, CancellationToken.None);
        }
        return pending.Completion.Task;
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            var batch = Take();
            if (batch is null) return;
            await SendAsync(batch);
        }
    }

    /// <summary>The next appends to send together, or null (and one flusher less) when nothing is queued.</summary>
    private List<Pending>? Take()
    {
        lock (_gate)
        {
            var batch = new List<Pending>();
            var events = 0;
            while (_queue.Count > 0 && batch.Count < options.MaxAppendsPerRoundTrip)
            {
                var next = _queue.Peek();
                var size = next.Request.Events.Count;
                if (batch.Count > 0 && events + size > options.MaxEventsPerRoundTrip) break;
                _queue.Dequeue();
                if (!next.TryTake()) continue; // cancelled while queued
                batch.Add(next);
                events += size;
            }
            if (batch.Count > 0) return batch;
            _flushers--; // the queue is empty (cancelled appends are dropped as they are met)
            return null;
        }
    }

    private async Task SendAsync(List<Pending> batch)
    {
        Interlocked.Add(ref _appends, batch.Count);
        if (batch.Count == 1)
        {
            await SendAloneAsync(batch[0]);
            return;
        }

        IReadOnlyList<AppendOutcome> outcomes;
        try
        {
            Interlocked.Increment(ref _roundTrips);
            outcomes = await sendTogether(batch.Select(p => p.Request).ToList());
        }
        catch (PostgresException e) when (e.InvariantSeverity == "ERROR")
        {
            // A role without EXECUTE on append_many, or a database without migration 0005: stop grouping for good
            // rather than fail every group and send it again.
            if (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.UndefinedFunction) _disabled = true;
            // Rolled back as a whole; each append alone gets the answer it would have had.
            foreach (var p in batch) await SendAloneAsync(p);
            return;
        }
        catch (Exception e)
        {
            foreach (var p in batch) p.Completion.TrySetException(e);
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var (p, o) = (batch[i], outcomes[i]);
            if (o.Result is { } r) p.Completion.TrySetResult(r);
            else p.Completion.TrySetException(new WrongExpectedVersionException(p.Request.Stream, p.Request.Expected, o.ConflictVersion));
        }
    }

    private async Task SendAloneAsync(Pending p)
    {
        Interlocked.Increment(ref _roundTrips);
        try
        {
            p.Completion.TrySetResult(await sendAlone(p.Request, CancellationToken.None));
        }
        catch (Exception e)
        {
            p.Completion.TrySetException(e);
        }
    }

    private sealed class Pending(AppendRequest request)
    {
        private const int Queued = 0, Taken = 1, Cancelled = 2;
        private int _state;

        public AppendRequest Request { get; } = request;
        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Registration { get; set; }

        public bool TryTake()
        {
            var taken = Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;
            Registration.Dispose();
            return taken;
        }

        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued) Completion.TrySetCanceled();
        }
    }
}

/// <summary>The text of an append, checked the way Npgsql encodes it (strict UTF-8) before it joins a group.</summary>
internal static class AppendText
{
    private static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="System.Text.EncoderFallbackException">some text holds an unpaired surrogate.</exception>
    public static void EnsureEncodable(AppendRequest r)
    {
        Check(r.Stream.Value);
        Check(r.StreamType);
        Check(r.Tenant);
        foreach (var e in r.Events)
        {
            Check(e.Type);
            Check(e.Json);
        }
        var m = r.Metadata;
        Check(m.ActorJson);
        Check(m.Reason);
        Check(m.CorrelationId);
        Check(m.CausationId);
        Check(m.IdempotencyKey);
        if (m.Headers is not null)
        {
            foreach (var (k, v) in m.Headers)
            {
                Check(k);
                Check(v);
            }
        }
    }

    private static void Check(string? s)
    {
        if (s is not null) Strict.GetByteCount(s);
    }
}

/// <summary>One append's answer inside a shared round trip: its result, or the version its stream was at instead.</summary>
internal readonly record struct AppendOutcome(AppendResult? Result, long ConflictVersion);
