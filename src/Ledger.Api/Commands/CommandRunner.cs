using System.Globalization;
using FluentValidation;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Renstras;
using Ledger.ReadModels;
using Ledger.Storage;
using Marten;

namespace Ledger.Api.Commands;

/// <summary>
/// What every command endpoint does inside its Wolverine chain, on the chain's own Marten session: bind and validate the
/// body, fold the stream (Marten's live aggregation of <see cref="Folded{TState}"/>, continued from the newest fold this
/// process made of the stream: <see cref="StreamStateCache"/>), check If-Match, load the context,
/// run the pure decision, append with the folded version as Marten's expected version, and answer. Wolverine then saves
/// the session (events, the idempotency claim and its response, in one transaction) and writes the answer; a race lost at
/// that commit is <see cref="CommandMiddleware"/>'s to retry or answer. Failures are thrown as
/// <see cref="CommandFailedException"/>, before anything is saved.
/// <para>
/// Not <c>FetchForWriting</c>: on a stream that does not exist yet Marten 9.62 in Quick mode makes a "start stream"
/// action and inserts its rows with the client's clock, which the audit layer refuses (recorded time is the database's);
/// an append with an expected version always goes through Marten's append function (docs/architecture.md).
/// </para>
/// </summary>
public sealed class CommandRunner(ReadLoader reads, StreamStateCache folds, IServiceProvider services, ICommandHooks hooks)
{
    /// <summary>The one stream loader, for contexts and follow-on writes.</summary>
    public StreamLoader Streams => reads.Streams;

    private long _foldsFromSnapshots;

    /// <summary>How many first folds of a year stream started from its snapshot (<see cref="ReadLoader.YearStartAsync"/>) in this process.</summary>
    public long FoldsFromSnapshots => Interlocked.Read(ref _foldsFromSnapshots);

    /// <summary>
    /// Runs one command end to end for its endpoint; returns the body Wolverine writes (after it commits).
    /// <paramref name="map"/> merges the route (agency, year, …) into the valid body's command.
    /// </summary>
    public async Task<CommandAccepted> RunAsync<TBody, TCommand, TState>(
        HttpContext http, IDocumentSession session, CommandHandlerDefinition<TCommand, TState> handler, Func<HttpContext, TBody, TCommand> map,
        int successStatus = StatusCodes.Status200OK)
    {
        var ct = http.RequestAborted;
        var body = await CommandBody.ReadAsync<TBody>(http, ct);
        var command = map(http, body);
        await ValidateAsync(command, ct);

        var request = CommandRequest.Of(http);
        var metadata = MetadataFor(http, handler.Tenant(command));
        metadata.ApplyTo(session);

        var appended = await DecideAndAppendAsync(handler, command, session, metadata, request.IfMatch, http, ct);
        var extra = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (appended.Events.Count > 0)
        {
            if (handler.ResponseFields?.Invoke(appended.Events) is { } fields) foreach (var (k, v) in fields) extra[k] = v;
            if (handler.FollowOn is { } followOn)
                foreach (var (k, v) in await followOn(command, appended.Events, new FollowOnContext(session, this, metadata), ct)) extra[k] = v;
        }

        http.Response.StatusCode = appended.Events.Count > 0 ? handler.SuccessStatus?.Invoke(appended.Events) ?? successStatus : successStatus;
        http.Response.Headers.ETag = ETag(appended.Version);
        return new CommandAccepted(appended.Stream, appended.Version, appended.EventIds) { Extra = extra.Count > 0 ? extra : null };
    }

    /// <summary>
    /// Folds, decides and appends one command on <paramref name="session"/> (nothing saved). Used for a command's own
    /// stream and by follow-on writes (which pass no If-Match and no <paramref name="http"/>, and their own reason).
    /// </summary>
    public async Task<Appended> DecideAndAppendAsync<TCommand, TState>(
        CommandHandlerDefinition<TCommand, TState> handler, TCommand command, IDocumentSession session, CommandMetadata metadata,
        long? ifMatch, HttpContext? http, CancellationToken ct)
    {
        var stream = handler.Stream(command);
        metadata = metadata with { Agency = handler.Tenant(command) ?? metadata.Agency };
        await hooks.BeforeFoldAsync(stream, ct);
        // The request's own command takes the heads asked with its authentication on its first attempt (YearHeadsPrefetch);
        // a retry and a follow-on write ask them now.
        var heads = handler.Heads?.Invoke(command, reads) is { } asked && asked.Contains(stream)
            ? (http is null ? null : CommandRequest.Of(http).PrefetchedHeads(http, asked)) ?? await reads.CurrentHeadsAsync(asked, ct)
            : null;
        // The context's loads (LoadContext) take these versions instead of asking again.
        using var prefetched = heads is null ? null : ReadLoader.UsePrefetchedHeads(heads);
        var folded = await FoldAsync<TState>(session, stream, metadata.Agency, heads?.Of(stream), ct);
        var version = folded?.Version ?? 0;
        if (http is not null) CommandRequest.Of(http).Decided(stream, version);
        if (ifMatch is { } required && required != version)
            throw new CommandFailedException(new CommandFailure.PreconditionFailed(stream, required, version));

        var state = folded is null ? handler.Initial : folded.State;
        if (handler.Prepare is { } prepare) state = prepare(state, command);

        IReadOnlyList<object> events;
        switch (await handler.DecideAsync(state, command, reads, ct))
        {
            case Decision.NotFound d: throw new CommandFailedException(new CommandFailure.NotFound(d.What));
            case Decision.Refused d: throw new CommandFailedException(new CommandFailure.Refused(d.Rule, d.Message, d.Field));
            case Decision.Conflicted d: throw new CommandFailedException(new CommandFailure.Conflict(d.Rule, d.Message));
            case Decision.Accepted d: events = d.Events; break;
            case var d: throw new InvalidOperationException($"Unknown decision {d}.");
        }
        if (events.Count == 0) return new Appended(stream, version, [], []);

        await hooks.BeforeAppendAsync(stream, ct);
        var ids = new List<Guid>(events.Count);
        var built = new List<object>(events.Count);
        foreach (var data in events)
        {
            var e = session.Events.BuildEvent(data);
            e.Id = Guid.CreateVersion7(); // time-ordered, and known before the commit: the answer names them
            metadata.ApplyTo(e);
            ids.Add(e.Id);
            built.Add(e);
        }
        session.Events.Append(stream, version + events.Count, built);
        // Once (and only if) this session commits, the process's fold of the stream is the decided one plus these events, so
        // the stream's next command finds it current (its head is this version) and reads none of its events. A commit that
        // fails never calls the listener; a retry decides on a fresh session.
        // A year stream whose append crosses a multiple of the snapshot interval: once committed, its state there is
        // written as a snapshot (ahead of any read), so that a first fold after a start reads at most one interval.
        // So does a Renstra stream at its own interval (a plan is written indicator by indicator, then read by every year).
        var every = reads.SnapshotEvery;
        var ahead = every > 0 && version / every < (version + events.Count) / every && typeof(TState) == typeof(PerformanceYearState)
            && YearOf(stream, metadata.Agency) is { } addressed
            ? addressed
            : ((string Agency, int Year)?)null;
        var planEvery = reads.RenstraSnapshotEvery;
        var planAhead = planEvery > 0 && version / planEvery < (version + events.Count) / planEvery && typeof(TState) == typeof(RenstraState);
        if (folds.Enabled || ahead is not null || planAhead)
        {
            var fold = LedgerAggregates.FoldOf<TState>();
            var after = new Folded<TState> { Id = stream, State = fold.Apply(folded is null ? fold.Initial : folded.State, events), Version = version + events.Count };
            Func<CancellationToken, Task>? snapshot = ahead is { } y
                ? ct => reads.SaveYearSnapshotAsync(stream, y.Agency, y.Year, after.Version, (PerformanceYearState)(object)after.State!, ct)
                : planAhead ? ct => reads.SaveRenstraSnapshotAsync(stream, after.Version, (RenstraState)(object)after.State!, ct) : null;
            session.Listeners.Add(new AfterCommit<TState>(folds.Enabled ? folds : null, stream, after, snapshot));
        }
        return new Appended(stream, version + events.Count, ids, events);
    }

    /// <summary>The agency and year of a year stream of the command's agency (the read models' <see cref="StreamKey"/>); null otherwise.</summary>
    private static (string Agency, int Year)? YearOf(string stream, string? agency) =>
        StreamKey.Of(stream, agency) is { Kind: StreamKind.Year } key ? (key.Agency, key.Number) : null;

    /// <summary>
    /// Once (and only if) the session commits: the process's fold of the stream becomes the decided one plus the new
    /// events, and a year stream that crossed a snapshot interval gets its snapshot written.
    /// </summary>
    private sealed class AfterCommit<TState>(StreamStateCache? folds, string stream, Folded<TState> after, Func<CancellationToken, Task>? snapshot)
        : DocumentSessionListenerBase
    {
        public override async Task AfterCommitAsync(IDocumentSession session, Marten.Services.IChangeSet commit, CancellationToken token)
        {
            folds?.Put(stream, new FoldedState<Folded<TState>>(after, after.Version, DateTimeOffset.MaxValue));
            if (snapshot is not null) await snapshot(token);
        }
    }

    /// <summary>
    /// The stream folded by Marten's live aggregation up to its last event. A long stream (a year: every realization and
    /// correction) is not folded from its start on every command: Marten continues the newest fold this process made
    /// (kept in <see cref="StreamStateCache"/> under <see cref="Folded{TState}"/>, apart from the reads' states) with
    /// the events after it, which are usually none or a few. Without such a fold, a year stream longer than one snapshot
    /// interval starts from its newest usable stream snapshot (<see cref="ReadLoader.YearStartAsync"/>: authenticated
    /// under the service's key, its event's chain hash unchanged), the rule reads use. A race with another writer is
    /// caught by the append's expected version, as before.
    /// </summary>
    /// <param name="head">
    /// The stream's version asked just before (<see cref="CommandHandlerDefinition{TCommand,TState}.Heads"/>), if it was:
    /// 0 means no stream (nothing to fold), the cached fold's own version means the fold is current, and neither then
    /// needs a query. The append's expected version catches a write after it, exactly as it catches one after Marten's fetch.
    /// </param>
    private async Task<Folded<TState>?> FoldAsync<TState>(IDocumentSession session, string stream, string? agency, long? head, CancellationToken ct)
    {
        var known = folds.Get<Folded<TState>>(stream);
        if (head == 0) return null;
        // Behind the fold (events it holds are not in the log: a failover lost a commit that was never replicated): refold.
        if (head < known?.Version) known = null;
        if (known is not null && head == known.Version) return known.State;
        // No fold of a long year or Renstra stream in this process yet (a first touch after a start): from its newest usable snapshot.
        if (known is null && await SnapshotStartAsync<TState>(stream, agency, head, ct) is { } start && start.Version <= (head ?? long.MaxValue))
        {
            known = new FoldedState<Folded<TState>>(
                new Folded<TState> { Id = stream, State = start.State, Version = start.Version }, start.Version, start.LastRecorded);
            Interlocked.Increment(ref _foldsFromSnapshots);
            if (head == start.Version)
            {
                folds.Put(stream, known);
                return known.State;
            }
        }
        var folded = known is null
            ? await session.Events.AggregateStreamAsync<Folded<TState>>(stream, token: ct)
            : await session.Events.AggregateStreamAsync(stream, state: known.State, fromVersion: known.Version + 1, token: ct) ?? known.State;
        if (folded is not null && folded.Version > (known?.Version ?? 0))
            folds.Put(stream, new FoldedState<Folded<TState>>(folded, folded.Version, DateTimeOffset.MaxValue));
        return folded;
    }

    /// <summary>
    /// Where a command's first fold of its stream may start: for a year stream longer than one snapshot interval (or of
    /// unknown length), its newest usable snapshot (<see cref="ReadLoader.YearStartAsync"/>); for a Renstra stream the same
    /// at its own interval (<see cref="ReadLoader.RenstraStartAsync"/>: a plan of many indicators, revised now and then,
    /// was folded from its first event by the first revision after a start). Null: fold from the first event.
    /// </summary>
    private async Task<(TState State, long Version, DateTimeOffset LastRecorded)?> SnapshotStartAsync<TState>(
        string stream, string? agency, long? head, CancellationToken ct)
    {
        var length = head ?? long.MaxValue;
        if (typeof(TState) == typeof(PerformanceYearState))
            return reads.SnapshotEvery > 0 && length > reads.SnapshotEvery && YearOf(stream, agency) is { } y
                && await reads.YearStartAsync(stream, y.Agency, y.Year, ct) is { } year
                ? ((TState)(object)year.State, year.Version, year.LastRecorded)
                : null;
        if (typeof(TState) == typeof(RenstraState))
            return reads.RenstraSnapshotEvery > 0 && length > reads.RenstraSnapshotEvery && await reads.RenstraStartAsync(stream, ct) is { } plan
                ? ((TState)(object)plan.State, plan.Version, plan.LastRecorded)
                : null;
        return null;
    }

    /// <summary>Who (the token's user), why (the body's reason), which agency, which conversation and key: the request's metadata.</summary>
    public CommandMetadata MetadataFor(HttpContext http, string? agency)
    {
        var request = CommandRequest.Of(http);
        return new CommandMetadata
        {
            Actor = http.User().ToActor(),
            Reason = DomainCommands.Reason(http),
            Agency = agency,
            CorrelationId = request.CorrelationId ?? http.TraceIdentifier,
            IdempotencyKey = request.IdempotencyKey,
        };
    }

    /// <summary>Every registered FluentValidation validator of <typeparamref name="TCommand"/>; 400 with the errors per field.</summary>
    public async Task ValidateAsync<TCommand>(TCommand command, CancellationToken ct)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var indonesian = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        foreach (var validator in services.GetServices<IValidator<TCommand>>())
        {
            var result = await validator.ValidateAsync(command, ct);
            foreach (var error in result.Errors)
            {
                var field = CommandBody.CamelCasePath(error.PropertyName);
                if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
                list.Add(error.ErrorMessage);
                if (!indonesian.TryGetValue(field, out var id)) indonesian[field] = id = [];
                id.Add(Infrastructure.Language.FieldTexts.For(field, error.ErrorCode, error.FormattedMessagePlaceholderValues, error.CustomState));
            }
        }
        if (errors.Count > 0)
            throw new CommandFailedException(new CommandFailure.ValidationFailed(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()))
            {
                Indonesian = indonesian.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            });
    }

    public static string ETag(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";
}

/// <summary>What one decision appended (nothing when the command was accepted with no events): stream, version after, events.</summary>
public sealed record Appended(string Stream, long Version, IReadOnlyList<Guid> EventIds, IReadOnlyList<object> Events);

/// <summary>The success body of every write (api.md): <c>{ streamId, version, eventIds }</c> and the handler's extra fields.</summary>
public sealed record CommandAccepted(string StreamId, long Version, IReadOnlyList<Guid> EventIds)
{
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object?>? Extra { get; init; }
}

/// <summary>
/// A seam for tests: <see cref="BeforeFoldAsync"/> runs just before a command's stream is folded for its decision (after
/// Wolverine looked for a stored answer to its Idempotency-Key), <see cref="BeforeAppendAsync"/> just before its events
/// are appended (after it was decided). The service registers <see cref="NoCommandHooks"/>; the race tests play a
/// concurrent writer here.
/// </summary>
public interface ICommandHooks
{
    Task BeforeFoldAsync(string stream, CancellationToken ct);
    Task BeforeAppendAsync(string stream, CancellationToken ct);
}

public sealed class NoCommandHooks : ICommandHooks
{
    public Task BeforeFoldAsync(string stream, CancellationToken ct) => Task.CompletedTask;
    public Task BeforeAppendAsync(string stream, CancellationToken ct) => Task.CompletedTask;
}
