using Npgsql;

namespace Ledger.Audit;

/// <summary>
/// Applies the audit layer (component "audit", <c>Migrations/*.sql</c>), grants the service role exactly what it may do,
/// and checks that both still hold: Marten's schema tool can silently drop a trigger, and a grant made by hand can undo
/// append-only. The service runs <see cref="CheckAsync"/> at start-up and on every <c>/health</c>, and refuses to serve
/// writes while it reports a problem.
/// </summary>
public static class AuditSchema
{
    public const string Component = "audit";

    public static IReadOnlyList<Migration> Migrations => SqlMigrator.FromEmbeddedResources(typeof(AuditSchema).Assembly);

    /// <summary>Run as the schema owner, after Marten has created its schema (the SQL names Marten's tables).</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource owner, CancellationToken ct = default) =>
        SqlMigrator.ApplyAsync(owner, Component, Migrations, ct);

    /// <summary>Grants the service role its rights on Marten's schema and the audit schema (<see cref="AuditSql.Grant"/>).</summary>
    public static async Task GrantServiceRoleAsync(NpgsqlDataSource owner, string role, CancellationToken ct = default)
    {
        await using var cmd = owner.CreateCommand(AuditSql.Grant(Quote(role)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Every reason the audit layer cannot be trusted right now, as seen by the role of <paramref name="dataSource"/> (run
    /// it as the service role): a missing or disabled audit trigger, a missing audit constraint, a seal function that no
    /// longer runs as its owner, a metadata column Marten dropped, a privilege the role must not have. Empty when all is well.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        var problems = new List<string>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);

        await using (var cmd = new NpgsqlCommand("SELECT to_regclass('ledger.mt_events') IS NOT NULL, to_regclass('ledger_audit.event_hashes') IS NOT NULL, to_regclass('ledger_audit.log_heads') IS NOT NULL", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            if (!r.GetBoolean(0)) problems.Add("Marten's event table ledger.mt_events does not exist.");
            if (!r.GetBoolean(1)) problems.Add("The audit table ledger_audit.event_hashes does not exist (audit migration not applied).");
            if (!r.GetBoolean(2)) problems.Add("The audit table ledger_audit.log_heads does not exist (audit migration 0003 not applied).");
        }
        if (problems.Count > 0) return problems;

        var found = new Dictionary<(string, string), (bool Enabled, bool Definer, bool Deferred)>();
        await using (var cmd = new NpgsqlCommand(AuditSql.Triggers, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct)) found[(r.GetString(0), r.GetString(1))] = (r.GetBoolean(2), r.GetBoolean(3), r.GetBoolean(4));
        }
        foreach (var required in AuditSql.RequiredTriggers)
        {
            if (!found.TryGetValue(required, out var t)) problems.Add($"Audit trigger {required.Trigger} on {required.Table} is missing.");
            else if (!t.Enabled) problems.Add($"Audit trigger {required.Trigger} on {required.Table} is disabled.");
        }
        if (found.TryGetValue(("ledger.mt_streams", "ledger_seal"), out var seal) && (!seal.Definer || !seal.Deferred))
            problems.Add("Audit trigger ledger_seal must be deferred to commit and run its function as the owner (SECURITY DEFINER).");

        var constraints = new HashSet<(string, string)>();
        await using (var cmd = new NpgsqlCommand(AuditSql.Constraints, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct)) constraints.Add((r.GetString(0), r.GetString(1)));
        }
        foreach (var required in AuditSql.RequiredConstraints.Where(c => !constraints.Contains(c)))
            problems.Add($"Audit constraint {required.Constraint} on {required.Table} is missing (Marten's tombstones would enter the log unsealed).");

        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(AuditSql.EventColumns, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct)) columns.Add(r.GetString(0));
        }
        foreach (var column in AuditSql.RequiredEventColumns.Where(c => !columns.Contains(c)))
            problems.Add($"Column ledger.mt_events.{column} is missing (a Marten metadata setting was switched off?).");

        await using (var cmd = new NpgsqlCommand(AuditSql.ForbiddenPrivileges, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct))
            {
                for (var i = 0; i < AuditSql.ForbiddenPrivilegeNames.Count; i++)
                    if (r.GetBoolean(i)) problems.Add($"The service role {AuditSql.ForbiddenPrivilegeNames[i]}.");
            }
        }
        return problems;
    }

    /// <summary>Quotes an identifier for SQL (roles cannot be bound as parameters).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
