using System.Globalization;
using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// <c>LEDGER_BENCH_PG_STATEMENTS=1</c> (a diagnostic of <c>http-load</c>, not for figures to compare): the bench's cluster
/// loads <c>pg_stat_statements</c> with planning tracked, the counters are reset before the measured phase of a mixed run
/// and before each open-loop rate (not in a sweep), and after it the log lists the statements that took most of PostgreSQL's time: calls per request, planning and execution time per
/// call, and each one's time per request of the phase. Where PostgreSQL's share of a request goes, by statement. The
/// extension costs a little on every statement, so the phase's own figures are not comparable with runs without it.
/// </summary>
internal static class PgStatements
{
    private static bool On => Environment.GetEnvironmentVariable("LEDGER_BENCH_PG_STATEMENTS") is "1" or "true";

    public static Dictionary<string, string> ServerSettings() => On
        ? new() { ["shared_preload_libraries"] = "pg_stat_statements", ["pg_stat_statements.track_planning"] = "on", ["pg_stat_statements.max"] = "2000" }
        : [];

    public static async Task InstallAsync(string owner, CancellationToken ct)
    {
        if (!On) return;
        await ExecuteAsync(owner, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", ct);
        ScenarioRunner.Log("pg_stat_statements on (LEDGER_BENCH_PG_STATEMENTS): PostgreSQL's time by statement is logged after each measured phase.");
    }

    public static async Task ResetAsync(string owner, CancellationToken ct)
    {
        if (On) await ExecuteAsync(owner, "SELECT pg_stat_statements_reset()", ct);
    }

    private static async Task ExecuteAsync(string owner, string sql, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(owner);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The statements of the bench's database that took most time since the reset, per request of the phase.</summary>
    public static async Task LogAsync(string owner, int requests, string phase, CancellationToken ct, int top = 15)
    {
        if (!On || requests == 0) return;
        await using var c = new NpgsqlConnection(owner);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            """
            SELECT s.calls, s.plans, s.total_plan_time, s.total_exec_time, s.rows, regexp_replace(s.query, '\s+', ' ', 'g')
              FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
             ORDER BY s.total_plan_time + s.total_exec_time DESC
            """, c);
        var rows = new List<(long Calls, long Plans, double Plan, double Exec, long Rows, string Query)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.GetInt64(4), r.GetString(5)));
        var total = rows.Sum(x => x.Plan + x.Exec);
        var inv = CultureInfo.InvariantCulture;
        ScenarioRunner.Log(string.Create(inv, $"PostgreSQL by statement, {phase}: {total / requests:F3} ms of planning and execution per request ({rows.Count} statements, {requests} requests)"));
        foreach (var x in rows.Take(top))
        {
            var q = x.Query.Length > 700 ? x.Query[..700] + "…" : x.Query;
            ScenarioRunner.Log(string.Create(inv,
                $"  {(x.Plan + x.Exec) / requests:F3} ms/request ({(x.Plan + x.Exec) / total * 100:F0} %): {(double)x.Calls / requests:F2} calls/request, plan {(x.Plans == 0 ? 0 : x.Plan / x.Plans):F3} ms × {x.Plans}, exec {x.Exec / Math.Max(1, x.Calls):F3} ms, {(double)x.Rows / Math.Max(1, x.Calls):F1} rows | {q}"));
        }
    }
}
