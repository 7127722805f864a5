using System.Runtime.ExceptionServices;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using JasperFx.Events.Subscriptions;
using Marten;
using Microsoft.Extensions.Logging;

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
            ? new OverlappedReplay(this, _store.BuildEventLoader(_database, _logger, source, _options, _shardName), _options, _shardName, _logger)
            : null;
        return executor is not null;
    }

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
/// committed nothing catching up), with Marten's pieces: its event loader (the daemon's query and deserialization, the
/// same pages) and its execution (each page's rows committed with the shard's progression in one transaction, by
/// compare-and-swap). What differs from the daemon's own loop: the next page is loaded while the current one is written.
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
