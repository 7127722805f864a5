using System.Runtime.ExceptionServices;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using JasperFx.Events.Subscriptions;
using Ledger.Domain;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// How Marten's daemon runs projection <c>sakip</c>: exactly as Marten's own wrapper of an <see cref="Marten.Events.Projections.IProjection"/>
/// (<see cref="ProjectionWrapper{TOperations,TQuerySession}"/>: same name, shard, options, filters and teardown), except
/// for a replay from the start of the log, which <see cref="OverlappedReplay"/> drives (docs/projections.md, "Rebuilds
/// load the next page while one is written").
/// <para>
/// The daemon builds each shard's execution through <see cref="ISubscriptionFactory{TOperations,TQuerySession}"/>; this
/// class re-implements that interface (its base's methods are not virtual) to build a <see cref="SakipExecution"/>,
/// Marten's own <see cref="ProjectionExecution{TOperations,TQuerySession}"/> with one override: it offers the daemon a
/// replay executor (<see cref="IReplayExecutor"/>, the hook JasperFx.Events gives a projection for an "optimized
/// rebuild"). The agent asks for one in a rebuild and when a shard that has committed nothing starts on a log with events.
/// </para>
/// </summary>
internal sealed class SakipProjectionSource(SakipProjection projection)
    : ProjectionWrapper<IDocumentOperations, IQuerySession>(projection, ProjectionLifecycle.Async), ISubscriptionFactory<IDocumentOperations, IQuerySession>
{
    public SakipProjection Projection { get; } = projection;

    ISubscriptionExecution ISubscriptionFactory<IDocumentOperations, IQuerySession>.BuildExecution(
        IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database, ILoggerFactory loggerFactory, ShardName shardName) =>
        new SakipExecution(this, store, database, loggerFactory.CreateLogger<SakipExecution>(), shardName);

    ISubscriptionExecution ISubscriptionFactory<IDocumentOperations, IQuerySession>.BuildExecution(
        IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database, ILogger logger, ShardName shardName) =>
        new SakipExecution(this, store, database, logger, shardName);
}

/// <summary>
/// Marten's execution of an <c>IProjection</c> (each page in one transaction with the shard's progression, errors
/// reported to the agent as Marten does), which also offers <see cref="OverlappedReplay"/> for replays from the start
/// (unless <see cref="SakipProjection.OverlapReplayLoads"/> is off), and remembers why a page failed so that a rebuild
/// fails with that exception, as Marten's own rebuild does.
/// </summary>
internal sealed class SakipExecution(
    SakipProjectionSource source, IEventStore<IDocumentOperations, IQuerySession> store, IEventDatabase database, ILogger logger, ShardName shardName)
    : ProjectionExecution<IDocumentOperations, IQuerySession>(shardName, source.Options, store, database, source.Projection, logger)
{
    private Exception? _failure;
    private long _committedThrough = -1;

    public SakipProjection Projection => source.Projection;

    /// <summary>Cancelled when the agent stops this execution (a failed page, the agent stopped or disposed).</summary>
    internal CancellationToken Stopped => _cancellation.Token;

    public override bool TryBuildReplayExecutor([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReplayExecutor? executor)
    {
        executor = source.Projection.OverlapReplayLoads
            ? new OverlappedReplay(this, source.Projection.ReplayReadsRows ? RowLoader() : _store.BuildEventLoader(_database, _logger, source, _options, _shardName),
                _options, _shardName, _logger)
            : null;
        return executor is not null;
    }

    private SakipPageLoader RowLoader() =>
        new(_database is Weasel.Postgresql.PostgresqlDatabase { DataSource: var dataSource }
                ? dataSource
                : throw new InvalidOperationException($"{_shardName.Identity}: the replay reads the log through the Marten database's data source; this database has none."),
            ((IDocumentStore)_store).Options.Serializer(), source.Projection.EventTypeNames, _logger);

    /// <summary>
    /// Writes one page as the daemon would (<see cref="ProjectionExecution{TOperations,TQuerySession}.ProcessRangeAsync"/>:
    /// its transaction, its progression, the agent told of success or failure). Returns whether it committed; if not,
    /// the exception that stopped it, if any (null: the execution was stopped).
    /// </summary>
    internal async Task<(bool Committed, Exception? Failure)> ApplyPageAsync(ISubscriptionAgent agent, EventPage page)
    {
        _failure = null;
        Interlocked.Exchange(ref _committedThrough, -1);
        await ProcessRangeAsync(new EventRange(agent, page.Floor, page.Ceiling) { Events = page });
        return (Interlocked.Read(ref _committedThrough) == page.Ceiling, _failure);
    }

    protected override async Task<IProjectionBatch> buildBatchAsync(EventRange range)
    {
        try
        {
            return new ObservedBatch(await base.buildBatchAsync(range), this, range.SequenceCeiling);
        }
        catch (Exception e)
        {
            _failure = e;
            throw;
        }
    }

    /// <summary>Marten's batch for a page; notes whether it committed, or why not.</summary>
    private sealed class ObservedBatch(IProjectionBatch inner, SakipExecution owner, long ceiling) : IProjectionBatch
    {
        public async Task ExecuteAsync(CancellationToken token)
        {
            try
            {
                await inner.ExecuteAsync(token);
                Interlocked.Exchange(ref owner._committedThrough, ceiling);
            }
            catch (Exception e)
            {
                owner._failure = e;
                throw;
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
        public void QuickAppendEventWithVersion(StreamAction action, IEvent @event) => inner.QuickAppendEventWithVersion(action, @event);
        public void UpdateStreamVersion(StreamAction action) => inner.UpdateStreamVersion(action);
        public void QuickAppendEvents(StreamAction action) => inner.QuickAppendEvents(action);
        public Task PublishMessageAsync(object message, string tenantId) => inner.PublishMessageAsync(message, tenantId);
        public Task PublishMessageAsync(object message, MessageMetadata metadata) => inner.PublishMessageAsync(message, metadata);
        public ValueTask RecordProgress(EventRange range) => inner.RecordProgress(range);
    }
}

/// <summary>
/// A replay of projection <c>sakip</c> from the start of the log (a rebuild after Marten's teardown, or a shard that has
/// committed nothing catching up): Marten's execution (each page's rows committed with the shard's progression in one
/// transaction, by compare-and-swap) fed by an event loader (<see cref="SakipPageLoader"/>, or Marten's own with
/// <see cref="SakipProjection.ReplayReadsRows"/> off; the same pages either way). What differs from the daemon's own
/// loop: the next page is loaded while the current one is written.
/// The daemon's agent loads a page only after the previous one has committed, so a rebuild took the loading time plus
/// the writing time (docs/performance.md, "Where a rebuild's time goes, page by page").
/// <para>
/// The ceiling is the daemon's high-water mark (every event at or below it has committed or will never exist), as its
/// own rebuild uses. Pages are written one at a time and in order; at most two are in memory (the hopper's size). A page
/// that fails stops the replay: a rebuild throws the page's exception (as Marten's rebuild does); a catch-up returns,
/// the agent already paused with the failure. Progress is reported to the agent after each commit, as before.
/// </para>
/// </summary>
internal sealed class OverlappedReplay(SakipExecution execution, IEventLoader loader, AsyncOptions options, ShardName shard, ILogger logger) : IReplayExecutor
{
    public async Task StartAsync(SubscriptionExecutionRequest request, ISubscriptionController controller, CancellationToken cancellation)
    {
        if (controller is not ISubscriptionAgent agent)
            throw new ArgumentException($"{nameof(OverlappedReplay)} needs the daemon's subscription agent as its controller.", nameof(controller));
        var rebuild = request.Mode == ShardExecutionMode.Rebuild;
        var ceiling = request.StartingHighWater ?? request.Runtime.HighWaterMark();
        var floor = request.Floor;
        if (ceiling <= floor) return;
        logger.LogInformation("Replaying {Shard} from {Floor} to {Ceiling}, loading each page while the one before is written.", shard.Identity, floor, ceiling);
        execution.Projection.CountOverlappedReplay();
        var timings = execution.Projection.Timings;
        // A load still running when the execution is stopped (a failed page) is not waited for.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellation, execution.Stopped);

        Task<EventPage>? loading = LoadAsync(floor);
        while (loading is not null)
        {
            var page = await loading;
            timings.Mark($"loaded {page.Count} events from {page.Floor}");
            if (page.Ceiling <= floor)
                throw new InvalidOperationException($"{shard.Identity}: the event loader returned no progress from {floor} (ceiling {ceiling}).");
            page.HighWaterMark = ceiling;
            floor = page.Ceiling;
            loading = floor < ceiling ? LoadAsync(floor) : null;

            var (committed, failure) = await execution.ApplyPageAsync(agent, page);
            if (committed) continue;
            if (loading is not null)
            {
                try { await loading; } catch { /* the replay stops: the next page is not needed */ }
            }
            if (!rebuild) return; // a catch-up: the agent has paused with the failure, or is stopping
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
            cancellation.ThrowIfCancellationRequested();
            throw new OperationCanceledException($"{shard.Identity}: the rebuild stopped at {page.Floor}: the shard's execution was stopped.");
        }
        logger.LogInformation("Replayed {Shard} to {Ceiling}.", shard.Identity, ceiling);

        Task<EventPage> LoadAsync(long from)
        {
            timings.Mark($"loading from {from}");
            return loader.LoadAsync(new EventRequest
            {
                Floor = from,
                HighWater = ceiling,
                BatchSize = options.BatchSize,
                Name = shard,
                ErrorOptions = request.ErrorHandling,
                Runtime = request.Runtime,
                Metrics = agent.Metrics,
            }, stopping.Token);
        }
    }
}

/// <summary>
/// The pages of a replay read straight from <c>ledger.mt_events</c> into the projection's own events
/// (<see cref="ReadModelStatements.LogEvents"/> and <see cref="SakipEvent.Read"/>: the reader the verifier's recompute
/// uses), instead of through Marten's event loader, which builds Marten's full event for every row (headers parsed into a
/// dictionary, correlation and causation ids, the stream's aggregate type through a join) and reads every column
/// asynchronously, one task per column. The same pages: the events in (floor, high water] in sequence order, at most a
/// batch, the ceiling computed as Marten's loader does. Each is handed to Marten's execution as a <see cref="ReplayedEvent"/>,
/// which carries its decoded <see cref="SakipEvent"/> (and names the event if it cannot be applied).
/// <para>
/// As Marten's loader with <c>SkipUnknownEvents</c> and <c>SkipSerializationErrors</c> off (Ledger's settings), a stored
/// type the domain does not know stops the load (<see cref="UnknownEventTypeException"/>), and so does a payload that
/// cannot be read (<see cref="EventDeserializationFailureException"/>), each naming the event's sequence; a transient
/// database failure is retried twice, as Marten's resilient loader retries.
/// </para>
/// </summary>
internal sealed class SakipPageLoader(NpgsqlDataSource dataSource, ISerializer serializer, string[]? eventTypes, ILogger logger) : IEventLoader
{
    public async Task<EventPage> LoadAsync(EventRequest request, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LoadOnceAsync(request, token);
            }
            catch (NpgsqlException e) when (e.IsTransient && attempt < 3 && !token.IsCancellationRequested)
            {
                logger.LogWarning(e, "Loading {Shard} from {Floor} failed (attempt {Attempt}); retrying.", request.Name?.Identity, request.Floor, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), token);
            }
        }
    }

    private async Task<EventPage> LoadOnceAsync(EventRequest request, CancellationToken token)
    {
        var page = new EventPage(request.Floor);
        var skipped = 0;
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var cmd = ReadModelStatements.LogPage(connection, null, request.Floor, request.HighWater, request.BatchSize, eventTypes);
        await using var reader = await cmd.ExecuteReaderAsync(token);
        // Not sequential access: each row is in the buffer once ReadAsync returns, so its columns are read synchronously.
        while (await reader.ReadAsync(token))
        {
            var type = reader.GetString(ReadModelStatements.LogEventsType);
            if (DomainEventTypes.TypeOf(type) is null)
            {
                var sequence = reader.GetInt64(0);
                if (request.ErrorOptions?.SkipUnknownEvents != true) throw new UnknownEventTypeException(type, sequence);
                logger.LogWarning("Skipping event {Sequence} of unknown type {Type} in {Shard}.", sequence, type, request.Name?.Identity);
                skipped++;
                continue;
            }
            try
            {
                page.Add(ReplayedEvent.Read(reader, serializer));
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // As Marten's loader with SkipSerializationErrors off (Ledger's setting): the load fails naming the event.
                throw new EventDeserializationFailureException(reader.GetInt64(0), type, failure);
            }
        }
        page.CalculateCeiling(request.BatchSize, request.HighWater, skipped);
        return page;
    }
}

/// <summary>
/// A replayed event as Marten's execution carries it to <see cref="SakipProjection.ApplyAsync"/>: Marten's own event
/// class, whose data is the event already decoded for the read models (<see cref="SakipEvent.From"/> returns it as it is).
/// Sequence, id, stream, version, type name and recorded time are set, so that a failure to apply it names it to the
/// daemon as any event; the headers are in the decoded event only (the actor, the reason and the agency).
/// </summary>
internal sealed class ReplayedEvent : Event<SakipEvent>
{
    private ReplayedEvent() : base(null!) { }

    /// <summary>The row (of a stored type the domain knows) as an event.</summary>
    public static ReplayedEvent Read(NpgsqlDataReader row, ISerializer serializer)
    {
        var e = new ReplayedEvent();
        var decoded = SakipEvent.Read(row, serializer, e);
        e.Data = decoded;
        e.Sequence = decoded.Sequence;
        e.Id = decoded.Id;
        e.StreamKey = decoded.Stream;
        e.Version = decoded.Version;
        e.EventTypeName = decoded.Type;
        e.Timestamp = decoded.RecordedAt;
        return e;
    }
}
