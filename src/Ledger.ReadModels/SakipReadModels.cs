using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>What Marten's daemon recorded for one projection's shard (committed progression; last agent status and failure).</summary>
public sealed record ProjectionShardStatus(
    string Projection, string Shard, long Position, DateTimeOffset? Updated, string? Mode, string? AgentStatus, string? PauseReason,
    string? FailureCategory, long? FailureEventSequence, string? FailureEventType);

/// <summary>
/// The SAKIP read models on Marten's async daemon, in one place (docs/read-models.md, docs/projections.md). The host:
/// <code>
///   services.AddMarten(o => { LedgerMarten.Configure(o, cs); SakipReadModels.Register(o); }).AddAsyncDaemon(DaemonMode.HotCold);
/// </code>
/// and, as the owner, before the service starts: <c>LedgerSchema.MigrateAsync(ownerCs, o => SakipReadModels.Register(o))</c>
/// (Marten's schema as this configuration needs it), <see cref="ReadModelSchema.MigrateAsync"/>, then the grants
/// (<c>LedgerSchema.GrantServiceRoleAsync</c>, <see cref="ReadModelSchema.GrantServiceRoleAsync"/>).
/// </summary>
public static class SakipReadModels
{
    /// <summary>
    /// The service's projections: one, <c>sakip</c>, which writes the six tables of the three SAKIP read models (state,
    /// history, PK versions) from one load of each page (docs/projections.md).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = [SakipCombinedProjection.ProjectionName];

    /// <summary>
    /// Adds projection <c>sakip</c> as <see cref="ProjectionLifecycle.Async"/> (pages of <paramref name="batchSize"/>
    /// events, continuously and in rebuilds; at most <paramref name="agencyCapacity"/> agencies' folded states in memory:
    /// <see cref="SakipStateProjection.AgencyCapacity"/>) and sets what it relies on, for the whole store:
    /// <list type="bullet">
    /// <item>the daemon never skips an event, continuously or in a rebuild (Marten's continuous default skips apply,
    ///   deserialization and unknown-type failures into dead letters): a read model that silently misses an event is
    ///   wrong without anyone knowing; a paused shard is visible (<see cref="StatusAsync"/>) and names the event;</item>
    /// <item>extended progression tracking: the leading node writes each shard's agent status and failure into
    ///   <c>ledger.mt_event_progression</c>, so every node's /health can report them (one more Marten function, created by
    ///   the owner's migration with this configuration);</item>
    /// <item>a heartbeat (<see cref="HeartbeatInterval"/>): the node that runs a shard writes its status again every 10 s
    ///   (the agent's heartbeat timer). Without it only status changes are written, and the row is shared: a process that
    ///   lost its leadership without knowing it (its host frozen or cut off, then back) tries one page, is refused by the
    ///   progression's compare-and-swap, and writes "Stopped, progression out of order" over the leader's "Running", which
    ///   then stayed there for as long as the leader ran (issue 13, two hosts).</item>
    /// </list>
    /// </summary>
    /// <returns>the registered instance (its options, timings and the state part's counters).</returns>
    public static SakipCombinedProjection Register(StoreOptions options, int batchSize = SakipProjection.DefaultBatchSize,
        int agencyCapacity = SakipStateProjection.Unbounded)
    {
        var projection = new SakipCombinedProjection { BatchSize = batchSize };
        projection.State.AgencyCapacity = agencyCapacity;
        // Marten's own wrapper of an IProjection, but with replays that load ahead (SakipProjectionSource).
        projection.Lifecycle = ProjectionLifecycle.Async;
        options.Projections.Add(new SakipProjectionSource(projection), ProjectionLifecycle.Async);
        NeverSkip(options);
        return projection;
    }

    /// <summary>
    /// The layout before issue 11, for the rebuild benchmark's side-by-side comparison only (the service never uses
    /// it): three projections <c>sakip-state</c>, <c>sakip-history</c>, <c>sakip-pk</c>, each loading its own events
    /// (history and PK only their event types), each with its own shard. Same settings as <see cref="Register"/>.
    /// </summary>
    public static IReadOnlyList<SakipProjection> RegisterSeparately(StoreOptions options, int batchSize = SakipProjection.DefaultBatchSize)
    {
        IReadOnlyList<SakipProjection> projections = [new SakipStateProjection(), new IndicatorHistoryProjection(), new PkVersionsProjection()];
        foreach (var p in projections)
        {
            p.BatchSize = batchSize;
            options.Projections.Add(p, ProjectionLifecycle.Async);
        }
        NeverSkip(options);
        return projections;
    }

    /// <summary>How often the daemon may write a running shard's heartbeat and status (its agents beat every 10 s).</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private static void NeverSkip(StoreOptions options)
    {
        options.Projections.ExtendedProgressionHeartbeatInterval = HeartbeatInterval;
        foreach (var errors in new[] { options.Projections.Errors, options.Projections.RebuildErrors })
        {
            errors.SkipApplyErrors = false;
            errors.SkipSerializationErrors = false;
            errors.SkipUnknownEvents = false;
        }
        options.Events.EnableExtendedProgressionTracking = true;
    }

    /// <summary>The daemon's shard identity of a projection (<c>{name}:All</c>), the key of its row in <c>ledger.mt_event_progression</c>.</summary>
    public static string ShardOf(string projection) => ShardName.Compose(projection).Identity;

    /// <summary>The connection pool of a Marten store's database (the host reports status through the store it already has).</summary>
    public static NpgsqlDataSource DataSourceOf(IDocumentStore store) =>
        store.Storage.Database is Weasel.Postgresql.PostgresqlDatabase { DataSource: var dataSource }
            ? dataSource
            : throw new InvalidOperationException("The store's database is not a PostgreSQL database with a data source.");

    /// <summary>
    /// What the daemon committed and reported for each projection, read from <c>ledger.mt_event_progression</c> (any
    /// node can read it; only the leader runs the shards). A projection without a row has not committed a batch yet.
    /// </summary>
    public static async Task<IReadOnlyList<ProjectionShardStatus>> StatusAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        var rows = new Dictionary<string, ProjectionShardStatus>(StringComparer.Ordinal);
        await using (var cmd = dataSource.CreateCommand(ReadModelStatements.ShardStatus))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", Names.Select(ShardOf).ToArray()));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
                var shard = r.GetString(0);
                rows[shard] = new ProjectionShardStatus(shard[..shard.IndexOf(':')], shard, r.IsDBNull(1) ? 0 : r.GetInt64(1),
                    r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), S(3), S(4), S(5), S(6), r.IsDBNull(7) ? null : r.GetInt64(7), S(8));
            }
        }
        return Names.Select(n => rows.TryGetValue(ShardOf(n), out var s) ? s : new ProjectionShardStatus(n, ShardOf(n), 0, null, null, null, null, null, null, null))
            .ToList();
    }
}
