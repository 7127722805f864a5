using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections;

/// <summary>
/// Runs an <see cref="IProjection"/> inside the append's transaction (<see cref="PostgresEventStore"/>'s
/// <see cref="IInlineProjection"/>): read-your-writes, and a failure rolls the append back. Such a projection has no
/// moving checkpoint; it is registered as 'inline', and the daemon and the rebuilder refuse it (a projection is either
/// inline or async, never both, or the daemon would apply again what the appends already applied).
/// Its events arrive per append, so it only sees events appended after it was added: add it before the first append
/// of the event types it cares about, or build its tables once by other means.
/// </summary>
public sealed class InlineProjectionAdapter(IProjection projection, NpgsqlDataSource dataSource) : IInlineProjection
{
    private volatile bool _registered;

    public string Name => projection.Name;

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        if (!_registered)
        {
            await new ProjectionCheckpoints(dataSource).RegisterAsync([projection.Name], ProjectionKind.Inline, ct);
            _registered = true;
        }
        var relevant = ProjectionBatchRunner.Relevant(projection, 0, events);
        if (relevant.Count > 0) await projection.ApplyAsync(connection, transaction, relevant, ct);
    }
}
