using Ledger.EventStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.Projections;

public sealed record ProjectionDaemonOptions
{
    /// <summary>Events read from the log per round, and at most per projection transaction.</summary>
    public int BatchSize { get; init; } = 5_000;

    /// <summary>How long the leader sleeps when a round found nothing to do.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a standby tries to take the leader's lock.</summary>
    public TimeSpan StandbyRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause after an unexpected error (e.g. the database went away) before trying again.</summary>
    public TimeSpan ErrorBackoff { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Runs async projections from their checkpoints. Any number of service processes may run one; only the holder of a
/// session-level advisory lock (on a dedicated connection) applies anything, the others stand by and retry. When the
/// leader's connection closes (process died, connection killed, <see cref="RunAsync"/> cancelled) the lock is released
/// and a standby takes over from the checkpoints. Correctness does not rest on the lock alone: every batch moves its
/// checkpoint by compare-and-swap, so even two leaders could never both commit a range.
/// </summary>
public sealed class ProjectionDaemon
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyList<IProjection> _projections;
    private readonly ProjectionDaemonOptions _options;
    private readonly ILogger _log;
    private readonly ProjectionBatchRunner _runner;
    private readonly Dictionary<string, DateTime> _lockedUntil = [];
    private volatile bool _isLeader;

    public ProjectionDaemon(NpgsqlDataSource dataSource, IEnumerable<IProjection> projections,
        ProjectionDaemonOptions? options = null, ILogger<ProjectionDaemon>? logger = null)
    {
        _dataSource = dataSource;
        _projections = projections.ToList();
        var duplicate = _projections.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two projections are named '{duplicate.Key}'.", nameof(projections));
        _options = options ?? new ProjectionDaemonOptions();
        if (_options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        _log = (ILogger?)logger ?? NullLogger.Instance;
        _runner = new ProjectionBatchRunner(dataSource, _log);
        Checkpoints = new ProjectionCheckpoints(dataSource);
    }

    public ProjectionCheckpoints Checkpoints { get; }

    /// <summary>True while this instance holds the daemon lock.</summary>
    public bool IsLeader => _isLeader;

    public Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync(CancellationToken ct = default) => Checkpoints.GetStatusAsync(ct);
    public Task<bool> RetryAsync(string name, CancellationToken ct = default) => Checkpoints.RetryAsync(name, ct);

    /// <summary>Stands by or leads until cancelled.</summary>
    /// <exception cref="ProjectionKindException">a projection is registered as inline.</exception>
    public async Task RunAsync(CancellationToken ct)
    {
        var registered = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!registered)
                {
                    // A database that is not up yet is retried like any other outage; a kind mismatch ends RunAsync.
                    await Checkpoints.RegisterAsync(_projections.Select(p => p.Name), ProjectionKind.Async, ct);
                    registered = true;
                }
                await using var lockConn = await _dataSource.OpenConnectionAsync(ct);
                if (!await ScalarBool(lockConn, ProjectionSql.TryLock, ct))
                {
                    await lockConn.CloseAsync();
                    await Task.Delay(_options.StandbyRetryInterval, ct);
                    continue;
                }
                _isLeader = true;
                _log.LogInformation("Projection daemon is leading ({Count} projections).", _projections.Count);
                try
                {
                    await LeadAsync(lockConn, ct);
                }
                finally
                {
                    _isLeader = false;
                    await ReleaseAsync(lockConn);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not ProjectionKindException)
            {
                _log.LogWarning(e, "Projection daemon lost its connection or lock; retrying in {Backoff}.", _options.ErrorBackoff);
                try { await Task.Delay(_options.ErrorBackoff, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    private async Task LeadAsync(NpgsqlConnection lockConn, CancellationToken ct)
    {
        var reader = new AllStreamReader(_dataSource);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // The lock lives as long as this session: if the session is gone (killed, network), so is the lock and
            // someone else may lead now. This throws and we go back to standing by.
            await ScalarBool(lockConn, ProjectionSql.Ping, ct);
            if (!await RunRoundAsync(reader, ct)) await Task.Delay(_options.PollInterval, ct);
        }
    }

    /// <summary>
    /// One round. Projections at the same checkpoint (the normal case: all caught up) share one read of the log; one
    /// that lags (just added, just retried) reads on its own, so it never holds the others back. A failed projection
    /// is skipped until retried; one that is being rebuilt elsewhere is skipped for a while after it was found locked.
    /// </summary>
    /// <returns>whether any projection committed anything.</returns>
    internal async Task<bool> RunRoundAsync(AllStreamReader reader, CancellationToken ct)
    {
        var checkpoints = await Checkpoints.LoadAsync(_projections.Select(p => p.Name), ct);
        var now = DateTime.UtcNow;
        var groups = _projections
            .Where(p => checkpoints.TryGetValue(p.Name, out var c) && c.State != ProjectionState.Failed)
            .Where(p => !_lockedUntil.TryGetValue(p.Name, out var until) || until <= now)
            .GroupBy(p => checkpoints[p.Name].Position)
            .OrderBy(g => g.Key);

        var progressed = false;
        foreach (var group in groups)
        {
            var events = await reader.ReadNextAsync(new GlobalPosition(group.Key), _options.BatchSize, ct);
            if (events.Count == 0) continue;
            var last = new GlobalPosition(events[^1].Sequence);
            foreach (var projection in group)
            {
                var outcome = await _runner.ApplyAsync(projection, new GlobalPosition(group.Key), events, last, ct);
                progressed |= outcome == BatchOutcome.Committed;
                if (outcome == BatchOutcome.Locked)
                {
                    _lockedUntil[projection.Name] = DateTime.UtcNow + _options.StandbyRetryInterval;
                    _log.LogInformation("Projection {Projection} is locked (being rebuilt); skipping it for now.", projection.Name);
                }
                else if (outcome == BatchOutcome.Conflict)
                {
                    _log.LogWarning("Projection {Projection}: checkpoint moved by someone else; reloading.", projection.Name);
                }
            }
        }
        return progressed;
    }

    private static async Task ReleaseAsync(NpgsqlConnection lockConn)
    {
        // Explicitly: a pooled session kept without reset would otherwise keep holding the lock. If the connection is
        // broken, the server already released it.
        try { await ScalarBool(lockConn, ProjectionSql.Unlock, CancellationToken.None); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { }
    }

    private static async Task<bool> ScalarBool(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (sql.Contains("@key")) cmd.Parameters.Add(new NpgsqlParameter<long>("key", ProjectionSql.DaemonLockKey));
        return await cmd.ExecuteScalarAsync(ct) is true or 1;
    }
}
