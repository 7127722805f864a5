using Ledger.EventStore;
using Npgsql;

namespace Ledger.Projections;

/// <summary>Reads and administers the checkpoint rows: status for /health, retry after a poison event.</summary>
public sealed class ProjectionCheckpoints(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<ProjectionStatus>> GetStatusAsync(CancellationToken ct = default)
    {
        var list = new List<ProjectionStatus>();
        await using var cmd = dataSource.CreateCommand(ProjectionSql.Status);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new ProjectionStatus(
                r.GetString(0), ParseKind(r.GetString(1)), new GlobalPosition(r.GetInt64(2)), ParseState(r.GetString(3)),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetInt64(5), r.GetFieldValue<DateTimeOffset>(6)));
        }
        return list;
    }

    public async Task<ProjectionStatus?> GetStatusAsync(string name, CancellationToken ct = default) =>
        (await GetStatusAsync(ct)).SingleOrDefault(s => s.Name == name);

    /// <summary>Clears a failed projection so the daemon tries its next batch again. False when it was not failed.</summary>
    public async Task<bool> RetryAsync(string name, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(ProjectionSql.Retry);
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Creates missing checkpoint rows (at 0) and refuses a projection registered with the other kind: a projection is
    /// either inline or async, never both, or the daemon would apply again what the appends already applied.
    /// The daemon, the rebuilder and the inline adapter call it themselves.
    /// </summary>
    /// <exception cref="ProjectionKindException">a name is registered with the other kind.</exception>
    public async Task RegisterAsync(IEnumerable<string> names, ProjectionKind kind, CancellationToken ct = default)
    {
        var all = names.ToArray();
        await using (var cmd = dataSource.CreateCommand(ProjectionSql.Register))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", all));
            cmd.Parameters.Add(new NpgsqlParameter<string>("kind", KindText(kind)));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using (var cmd = dataSource.CreateCommand(ProjectionSql.Kinds))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", all));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (ParseKind(r.GetString(1)) != kind)
                    throw new ProjectionKindException(
                        $"Projection '{r.GetString(0)}' is registered as {r.GetString(1)}; it cannot also run as {KindText(kind)} (docs/projections.md).");
            }
        }
    }

    internal async Task<Dictionary<string, (long Position, ProjectionState State)>> LoadAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var map = new Dictionary<string, (long, ProjectionState)>();
        await using var cmd = dataSource.CreateCommand(ProjectionSql.Load);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", names.ToArray()));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetString(0)] = (r.GetInt64(1), ParseState(r.GetString(2)));
        return map;
    }

    internal static string KindText(ProjectionKind kind) => kind == ProjectionKind.Inline ? "inline" : "async";
    private static ProjectionKind ParseKind(string s) => s == "inline" ? ProjectionKind.Inline : ProjectionKind.Async;

    private static ProjectionState ParseState(string s) => s switch
    {
        "failed" => ProjectionState.Failed,
        "rebuilding" => ProjectionState.Rebuilding,
        _ => ProjectionState.Running,
    };
}
