using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.Domain;
using Marten;
using Marten.Events.Projections;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// What the three SAKIP projections share: a Marten <see cref="IProjection"/> run by the async daemon that writes plain
/// tables of schema <c>readmodel</c> with its own SQL.
/// <para>
/// Marten hands <see cref="ApplyAsync"/> a page of events and a session whose queued operations (among them the
/// shard's progression update, queued first) it executes in one transaction. Nothing is written in
/// <see cref="ApplyAsync"/>: it converts the events and registers a <see cref="ITransactionParticipant"/> on the
/// daemon's session. Marten calls the participant's <see cref="ITransactionParticipant.BeforeCommitAsync"/> with that
/// transaction's connection after its own statements ran and just before COMMIT, so the projection's deletes and binary
/// COPYs commit together with the progression, or not at all. BeforeCommitAsync may run more than once for one batch
/// (Marten retries a failed commit on a new connection and transaction): the writes are idempotent per batch (delete
/// the batch's keys, then insert) and nothing held in memory is trusted until
/// <see cref="ITransactionParticipant.AfterCommitAsync"/> says the transaction committed.
/// </para>
/// <para>
/// Marten calls <see cref="ApplyAsync"/> once per page and tenant; Ledger's store is single-tenant (design note §1), so
/// one participant writes a whole page.
/// </para>
/// <para>
/// Name, batch size, event-type filter and the tables emptied on a rebuild are the <see cref="ProjectionBase"/>'s;
/// Marten's <c>ProjectionWrapper</c> copies them (the shard is <c>{Name}:All</c>). Async only: inline, there is no
/// shard progression to commit with.
/// </para>
/// </summary>
public abstract class SakipProjection : ProjectionBase, IProjection
{
    /// <summary>Events per daemon page (Marten's <see cref="AsyncOptions.BatchSize"/>) unless registration says otherwise.</summary>
    public const int DefaultBatchSize = 50_000;

    private readonly string[]? _eventTypeNames;
    private readonly string[] _tables;

    protected SakipProjection(string name, IEnumerable<Type>? eventTypes, IEnumerable<string> tables)
    {
        Name = name;
        var types = eventTypes?.ToList();
        foreach (var type in types ?? []) IncludeType(type);
        _eventTypeNames = types?.Select(DomainEventTypes.NameOf).ToArray();
        _tables = [.. tables];
        foreach (var table in _tables) Options.DeleteDataInTableOnTeardown($"{ReadModelStatements.Schema}.{table}");
        BatchSize = DefaultBatchSize;
    }

    /// <summary>The names (in schema readmodel) of the tables this projection writes (and a rebuild empties).</summary>
    internal IReadOnlyList<string> TableNames => _tables;

    /// <summary>The tables the verifier compares with a recompute (the state part's marker is not one: see the verifier).</summary>
    internal virtual IReadOnlyList<string> ComparedTables => _tables;

    /// <summary>The daemon's shard of this projection (one shard: <c>{Name}:All</c>), the key of its progression row.</summary>
    public ShardName Shard => ShardName.Compose(Name, ShardName.All, null, Version);

    /// <summary>The readmodel tables this projection writes (and Marten empties when it rebuilds it).</summary>
    public IReadOnlyList<string> Tables => Options.CleanUps.OfType<DeleteTableData>().Select(d => d.TableIdentifier).ToList();

    /// <summary>
    /// Events per page the daemon loads and applies in one transaction, continuously and in rebuilds (Marten's
    /// <see cref="AsyncOptions.BatchSize"/>). The hopper (events loaded ahead while a page is written) is two pages.
    /// </summary>
    public int BatchSize
    {
        get => Options.BatchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Options.BatchSize = value;
            Options.MaximumHopperSize = Math.Max(2 * value, 5_000);
        }
    }

    /// <summary>
    /// A replay from the start of the log (a rebuild, or a shard that has committed nothing) loads the next page while the
    /// current one is written (<see cref="OverlappedReplay"/>, the default). Off: Marten's own loop, which loads a page
    /// only after the one before has committed (the rebuild benchmark's baseline).
    /// </summary>
    public bool OverlapReplayLoads { get; set; } = true;

    /// <summary>
    /// A replay driven by <see cref="OverlappedReplay"/> reads its pages straight from the log into the projection's
    /// events (<see cref="SakipPageLoader"/>, the default) rather than through Marten's event loader (off: the rebuild
    /// benchmark's baseline).
    /// </summary>
    public bool ReplayReadsRows { get; set; } = true;

    /// <summary>The stored type names this projection is given (its event-type filter), or null: every event.</summary>
    internal string[]? EventTypeNames => _eventTypeNames;

    /// <summary>Replays from the start that <see cref="OverlappedReplay"/> drove (tests, the benchmark).</summary>
    public long OverlappedReplays => Interlocked.Read(ref _overlappedReplays);
    private long _overlappedReplays;
    internal void CountOverlappedReplay() => Interlocked.Increment(ref _overlappedReplays);

    /// <summary>Time per phase (the rebuild benchmark prints it).</summary>
    public ProjectionTimings Timings { get; } = new();

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count == 0) return Task.CompletedTask;
        if (Lifecycle != ProjectionLifecycle.Async || operations is not ITransactionParticipantRegistrar registrar)
            throw new InvalidOperationException(
                $"Projection '{Name}' runs only on Marten's async daemon (ProjectionLifecycle.Async), whose session commits its writes with the shard's progression.");
        var start = Stopwatch.GetTimestamp();
        if (Timings.Timeline) Timings.Mark($"apply {events.Count} events from {events[0].Sequence}");
        var batch = new List<SakipEvent>(events.Count);
        foreach (var e in events) batch.Add(SakipEvent.From(e));
        Timings.Converted(events.Count, Stopwatch.GetTimestamp() - start);
        // The session is disposed once ApplyAsync returns: keep what the writes need, not the session.
        registrar.AddTransactionParticipant(new Participant(this,
            new SakipBatch(batch, operations.Database, operations.DocumentStore.Options.Serializer(), Shard, BatchSize)));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes the batch in the daemon's transaction (after Marten's statements, before COMMIT). May run again for the
    /// same batch on a new transaction. Returns what <see cref="Committed"/> is given if that transaction commits.
    /// Throw <see cref="ApplyEventException"/> for an event that cannot be applied: the daemon pauses the shard and names it.
    /// </summary>
    internal abstract Task<object?> WriteAsync(SakipBatch batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct);

    /// <summary>Events per page of the verifier's recompute, at most: each page is written in a transaction of its own, kept short.</summary>
    internal const int RecomputePage = 10_000;

    /// <summary>
    /// What this projection's tables hold once the daemon has committed the log up to <paramref name="upTo"/>, written
    /// into <paramref name="schema"/> (the verifier's temporary tables) on <paramref name="target"/>. Every read of the
    /// log is on <paramref name="log"/> in <paramref name="logTransaction"/> (the verifier's read-only snapshot); every
    /// write is on <paramref name="target"/>, in short transactions of its own (a transaction that writes, even to a
    /// temporary table, holds a transaction id, which a year close's settled log head waits for). The daemon's own
    /// logic: the log's events of this projection's types, in pages as the daemon loads them (of at most
    /// <see cref="RecomputePage"/>: the stateless projections' output does not depend on where pages end), each written
    /// by <see cref="WriteAsync"/>. A part with state between pages (the state part) overrides this.
    /// </summary>
    internal virtual async Task RecomputeAsync(NpgsqlConnection log, NpgsqlTransaction logTransaction, NpgsqlConnection target,
        Marten.Storage.IMartenDatabase database, ISerializer serializer, long upTo, string schema, CancellationToken ct)
    {
        var max = Math.Min(BatchSize, RecomputePage);
        for (long after = 0; after < upTo;)
        {
            var page = new List<SakipEvent>();
            await using (var cmd = ReadModelStatements.LogPage(log, logTransaction, after, upTo, max, _eventTypeNames))
            {
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) page.Add(SakipEvent.Read(r, serializer));
            }
            if (page.Count == 0) return;
            await using (var tx = await target.BeginTransactionAsync(ct))
            {
                await WriteAsync(new SakipBatch(page, database, serializer, Shard, max, schema) { Log = (log, logTransaction) }, target, tx, ct);
                await tx.CommitAsync(ct);
            }
            after = page[^1].Sequence;
        }
    }

    /// <summary>The transaction <see cref="WriteAsync"/> wrote into committed (the only point its work is durable).</summary>
    internal virtual Task CommittedAsync(object? written, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// The exception that names <paramref name="e"/> to the daemon (a poison event) for a failure applying it, or null
    /// when <paramref name="failure"/> is to propagate as it is (cancellation, already named, re-read events).
    /// </summary>
    internal static ApplyEventException? Poison(SakipEvent e, Exception failure) =>
        e.Source is not null && failure is not ApplyEventException and not OperationCanceledException ? new ApplyEventException(e.Source, failure) : null;

    /// <summary>Runs <paramref name="apply"/> for one event; its failure names the event to the daemon (a poison event).</summary>
    internal static void ApplyOne(SakipEvent e, Action apply)
    {
        try
        {
            apply();
        }
        catch (Exception ex) when (e.Source is not null && ex is not ApplyEventException && ex is not OperationCanceledException)
        {
            throw new ApplyEventException(e.Source, ex);
        }
    }

    private sealed class Participant(SakipProjection projection, SakipBatch batch) : ITransactionParticipant
    {
        private object? _written;
        private long _wrote;

        public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
        {
            var start = Stopwatch.GetTimestamp();
            projection.Timings.Mark("writes start");
            _written = await projection.WriteAsync(batch, connection, transaction, token);
            _wrote = Stopwatch.GetTimestamp();
            projection.Timings.Mark("writes end");
            projection.Timings.Wrote(_wrote - start);
        }

        public Task AfterCommitAsync(CancellationToken token)
        {
            projection.Timings.Committed(Stopwatch.GetTimestamp() - _wrote);
            projection.Timings.Mark("committed");
            return projection.CommittedAsync(_written, token);
        }
    }
}

/// <summary>
/// One daemon page of events, with Marten's database (its committed progression) and serializer (re-read events), the
/// shard that runs it (whose progression the page's transaction moves), its page size (a full page means the loader
/// stopped at its limit, not at the high-water mark), and the schema the page is written to (readmodel; the verifier's
/// temporary copies when it recomputes).
/// </summary>
internal sealed class SakipBatch(IReadOnlyList<SakipEvent> events, Marten.Storage.IMartenDatabase database, ISerializer serializer,
    ShardName shard, int pageSize, string schema = ReadModelStatements.Schema)
{
    public string Schema { get; } = schema;

    /// <summary>Where a writer reads the log, when not in the transaction it writes in (the verifier's read-only snapshot).</summary>
    public (NpgsqlConnection Connection, NpgsqlTransaction Transaction)? Log { get; init; }
    public IReadOnlyList<SakipEvent> Events { get; } = events;
    public ShardName Shard { get; } = shard;
    public int PageSize { get; } = pageSize;
    public Marten.Storage.IMartenDatabase Database { get; } = database;
    public ISerializer Serializer { get; } = serializer;
    public long First => Events[0].Sequence;
    public long Last => Events[^1].Sequence;
}
