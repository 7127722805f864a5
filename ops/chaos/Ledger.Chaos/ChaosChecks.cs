using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>
/// What must hold after the faults, checked against the database itself (as its owner) and through the API:
/// <list type="number">
/// <item>every command's definitive answer is the one the domain must give (a retry decided again after its first
///   attempt committed would be refused: <c>already-recorded</c>, <c>same-value</c>);</item>
/// <item>projections reach the head (<c>GET /health</c>: every projection running, lag 0) and each event is in them
///   exactly once (one history row per realization event, one PK version row per signed PK);</item>
/// <item>the log, per Idempotency-Key (the <c>idempotencyKey</c> header every event of a command carries): an
///   acknowledged command's events are exactly the ones its answer names (none missing: lost; none more: written
///   twice); a refused command's key wrote nothing; no key the run did not send;</item>
/// <item>every acknowledged command sent again with its key is answered with its first answer (status, body, ETag),
///   marked <c>Idempotency-Replayed</c>, and writes nothing;</item>
/// <item><c>GET /api/audit/verify</c>: the chain verifies over every event of the log, and snapshots and read models
///   match the log;</item>
/// <item>what the API reads back (a fold of the log) and the PK versions in the read models are what the clients'
///   acknowledged writes say.</item>
/// </list>
/// </summary>
public static class ChaosChecks
{
    public static async Task RunAsync(ChaosReport report, ChaosOptions o, string ownerConnection, Sender sender, HttpClient http,
        IReadOnlyList<Sent> commands, IReadOnlyList<AgencyWorkload> workloads, string runId, CancellationToken ct)
    {
        var log = o.Log;
        foreach (var s in commands)
            if (s.Unexpected() is { } u) report.UnexpectedAnswers.Add(u);
        report.UnexpectedAnswers.AddRange(workloads.SelectMany(w => w.UnexpectedReads));
        report.Acknowledged = commands.Count(s => s.Acknowledged);
        report.AcknowledgedAfterLostAnswer = commands.Count(s => s.Acknowledged && s.Outcome.AnswerLost);
        report.ReplayedAfterLostAnswer = commands.Count(s => s.Acknowledged && s.Outcome.AnswerLost && s.Final!.Replayed);
        report.RefusedAsExpected = commands.Count(s => s.Final is { Status: 422 } && s.ExpectedStatus == 422 && s.Unexpected() is null);
        report.Reads = workloads.Sum(w => w.Reads);

        // The checks read the whole log and the read models: more than a command's default 30 s on a big run.
        await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ownerConnection) { CommandTimeout = 600 }.ConnectionString);

        log("checks: projections catching up");
        await CatchUpAsync(report, o, http, ct);
        await ExactlyOnceAsync(report, db, ct);

        log("checks: the log, per Idempotency-Key");
        var byKey = await EventsByKeyAsync(db, runId, ct);
        CheckKeys(report, commands, byKey);

        log($"checks: sending the {report.Acknowledged} acknowledged commands again");
        var before = await ScalarAsync(db, "SELECT count(*) FROM ledger.mt_events", ct);
        await ReplayAsync(report, sender, commands, ct);
        var after = await ScalarAsync(db, "SELECT count(*) FROM ledger.mt_events", ct);
        if (after != before) report.Duplicated.Add($"sending the acknowledged commands again with their keys wrote {after - before} events");

        log("checks: GET /api/audit/verify");
        report.EventsInLog = after;
        await VerifyAsync(report, http, after, ct);

        log("checks: state read back");
        await StateAsync(report, http, db, workloads, ct);
        report.ProjectionsOk = report.ProjectionProblems.Count == 0;
    }

    /// <summary>The same answer again: status, ETag and body (as JSON), marked replayed. Null when it is.</summary>
    public static string? CompareReplay(Answer first, Answer again)
    {
        var differences = new List<string>();
        if (again.Status != first.Status) differences.Add($"status {first.Status} then {again.Status}");
        if (again.ETag != first.ETag) differences.Add($"ETag {first.ETag} then {again.ETag}");
        if (!JsonEquals(first.Body, again.Body)) differences.Add($"body {first.Body} then {again.Body}");
        if (!again.Replayed) differences.Add("the repeat is not marked Idempotency-Replayed: true");
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static bool JsonEquals(string a, string b)
    {
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
        }
        catch (JsonException)
        {
            return a == b;
        }
    }

    /// <summary>Polls GET /health until every projection runs at the head (lag 0), or the deadline.</summary>
    private static async Task CatchUpAsync(ChaosReport report, ChaosOptions o, HttpClient http, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            try
            {
                using var r = await http.GetAsync("/health", ct);
                last = await r.Content.ReadAsStringAsync(ct);
                if (r.IsSuccessStatusCode && JsonNode.Parse(last)?["projections"] is JsonArray ps && ps.Count > 0)
                {
                    if (ps.Any(p => p!["status"]!.GetValue<string>() == "failed"))
                    {
                        report.ProjectionProblems.Add($"a projection failed: {last}");
                        break;
                    }
                    if (ps.All(p => p!["status"]!.GetValue<string>() == "running" && p["lag"]!.GetValue<long>() == 0))
                    {
                        report.ProjectionHead = ps.Max(p => p!["head"]!.GetValue<long>());
                        break;
                    }
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            if (waited.Elapsed > o.CatchUpTimeout)
            {
                report.ProjectionProblems.Add($"the projections did not reach the head within {o.CatchUpTimeout.TotalSeconds:F0} s: {last}");
                break;
            }
            await Task.Delay(200, ct);
        }
        report.CatchUp = waited.Elapsed;
    }

    /// <summary>Each event in the read models exactly once: one history row per realization event, one PK version row per signed PK.</summary>
    private static async Task ExactlyOnceAsync(ChaosReport report, NpgsqlDataSource db, CancellationToken ct)
    {
        // Joined on the event id (hash joins: the tables have no index on it), so that a row the projection wrote under a
        // wrong sequence would show too.
        (string Sql, string What)[] checks =
        [
            ("""
             SELECT e.seq_id, e.type, e.stream_id, count(h.event_id)
               FROM ledger.mt_events e LEFT JOIN readmodel.indicator_history h ON h.event_id = e.id
              WHERE e.type IN ('realization.recorded.v1', 'realization.corrected.v1')
              GROUP BY e.seq_id, e.type, e.stream_id HAVING count(h.event_id) <> 1 ORDER BY e.seq_id LIMIT 50
             """, "history rows (readmodel.indicator_history) for one realization event"),
            ("""
             SELECT e.seq_id, e.type, e.stream_id, count(v.event_id)
               FROM ledger.mt_events e LEFT JOIN readmodel.pk_versions v ON v.event_id = e.id
              WHERE e.type IN ('pk.signed.v1', 'pk.revised.v1')
              GROUP BY e.seq_id, e.type, e.stream_id HAVING count(v.event_id) <> 1 ORDER BY e.seq_id LIMIT 50
             """, "PK version rows (readmodel.pk_versions) for one signed PK"),
            ("""
             SELECT h.seq, h.event_type, h.stream_id, count(*)
               FROM readmodel.indicator_history h LEFT JOIN ledger.mt_events e ON e.id = h.event_id AND e.seq_id = h.seq
              WHERE e.id IS NULL
              GROUP BY h.seq, h.event_type, h.stream_id ORDER BY h.seq LIMIT 50
             """, "history rows of an event that is not in the log at that sequence"),
        ];
        foreach (var (sql, what) in checks)
        {
            await using var cmd = db.CreateCommand(sql);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                report.ProjectionProblems.Add($"{r.GetInt64(3)} {what}: sequence {r.GetInt64(0)}, {r.GetString(1)} in {r.GetString(2)}");
        }
    }

    private static async Task<Dictionary<string, List<(Guid Id, string Stream, long Version)>>> EventsByKeyAsync(NpgsqlDataSource db, string runId, CancellationToken ct)
    {
        var byKey = new Dictionary<string, List<(Guid, string, long)>>(StringComparer.Ordinal);
        await using var cmd = db.CreateCommand(
            "SELECT headers->>'idempotencyKey', id, stream_id, version FROM ledger.mt_events WHERE headers->>'idempotencyKey' LIKE $1 ORDER BY seq_id");
        cmd.Parameters.AddWithValue($"chaos-{runId}-%");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var key = r.GetString(0);
            if (!byKey.TryGetValue(key, out var list)) byKey[key] = list = [];
            list.Add((r.GetGuid(1), r.GetString(2), r.GetInt64(3)));
        }
        return byKey;
    }

    private static void CheckKeys(ChaosReport report, IReadOnlyList<Sent> commands, Dictionary<string, List<(Guid Id, string Stream, long Version)>> byKey)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in commands)
        {
            var key = s.Outcome.Request.Key!;
            sent.Add(key);
            var logged = byKey.GetValueOrDefault(key) ?? [];
            if (s.Acknowledged && Sent.Accepted(s.Final!.Body) is { } acc)
            {
                var missing = acc.EventIds.Except(logged.Select(l => l.Id)).ToList();
                var extra = logged.Where(l => !acc.EventIds.Contains(l.Id)).ToList();
                if (missing.Count > 0)
                    report.Lost.Add($"{s.Describe()}: answered {s.Final.Status} naming {acc.EventIds.Count} event(s); not in the log: {string.Join(", ", missing)}");
                if (extra.Count > 0)
                    report.Duplicated.Add($"{s.Describe()}: {extra.Count} event(s) under its key beyond the {acc.EventIds.Count} its answer names: " +
                        string.Join(", ", extra.Select(e => $"{e.Stream} v{e.Version}")));
                if (missing.Count == 0 && logged.Any(l => l.Stream != acc.StreamId || l.Version > acc.Version))
                    report.Lost.Add($"{s.Describe()}: answered {acc.StreamId} v{acc.Version}, the log has " + string.Join(", ", logged.Select(l => $"{l.Stream} v{l.Version}")));
            }
            else if (s.Final is { Status: >= 400 and < 500 } refused && logged.Count > 0)
                report.Duplicated.Add($"{s.Describe()}: answered {refused.Status}, yet its key wrote {logged.Count} event(s) " +
                    $"({string.Join(", ", logged.Select(l => $"{l.Stream} v{l.Version}"))}): an attempt committed and the retry was decided again");
        }
        foreach (var (key, logged) in byKey)
            if (!sent.Contains(key) && !key.EndsWith(AgencyWorkload.UserKeySuffix, StringComparison.Ordinal))
                report.Duplicated.Add($"{logged.Count} event(s) under key {key}, which no command of the run sent");
    }

    private static async Task ReplayAsync(ChaosReport report, Sender sender, IReadOnlyList<Sent> commands, CancellationToken ct)
    {
        var mismatches = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Parallel.ForEachAsync(commands.Where(s => s.Acknowledged), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (s, token) =>
        {
            var again = await sender.SendAsync(s.Outcome.Request, token);
            if (again.Final is not { } a) mismatches.Enqueue($"{s.Describe()}: sent again, no definitive answer");
            else if (CompareReplay(s.Final!, a) is { } difference) mismatches.Enqueue($"{s.Describe()}: sent again: {difference}");
        });
        report.ReplayMismatches.AddRange(mismatches);
    }

    private static async Task VerifyAsync(ChaosReport report, HttpClient http, long eventsInLog, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/verify");
        request.Headers.Authorization = new("Bearer", ChaosRun.AdminToken);
        using var r = await http.SendAsync(request, ct);
        var body = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode || JsonNode.Parse(body) is not JsonObject v)
        {
            report.ChainProblems.Add($"GET /api/audit/verify answered {(int)r.StatusCode}: {body}");
            return;
        }
        report.EventsVerified = v["eventsChecked"]!.GetValue<long>();
        if (v["ok"]!.GetValue<bool>() is false) report.ChainProblems.Add($"verify is not ok: {Cut(body)}");
        foreach (var p in v["problems"]!.AsArray()) report.ChainProblems.Add($"verify: {p!.ToJsonString()}");
        if (report.EventsVerified != eventsInLog) report.ChainProblems.Add($"verify checked {report.EventsVerified} events; the log has {eventsInLog}");
        var readModels = v["readModels"]!.AsArray();
        if (readModels.Count == 0) report.ChainProblems.Add($"verify compared no read model: {v["derivedStateSkipped"]}");
        foreach (var t in readModels)
            if (t!["missing"]!.GetValue<long>() + t["extra"]!.GetValue<long>() + t["different"]!.GetValue<long>() > 0 || t["notCompared"] is not null)
                report.ChainProblems.Add($"read model {t["table"]} differs from the log: {t.ToJsonString()}");
        report.ChainOk = report.ChainProblems.Count == 0;
    }

    /// <summary>
    /// The API's reads (replays of the streams, not the projections) and the read models' PK versions against what the
    /// clients' acknowledged writes say each agency holds.
    /// </summary>
    private static async Task StateAsync(ChaosReport report, HttpClient http, NpgsqlDataSource db, IReadOnlyList<AgencyWorkload> workloads, CancellationToken ct)
    {
        foreach (var w in workloads)
        {
            var a = $"/api/agencies/{w.Agency}";
            var pk = await GetAsync(http, w.Staff, $"{a}/pk/{AgencyWorkload.PkYear}", ct);
            var versions = pk?["versions"]?.AsArray();
            if (versions is null || versions.Count != w.PkVersions)
                report.StateMismatches.Add($"{w.Agency}: {w.PkVersions} PK version(s) acknowledged, GET pk/{AgencyWorkload.PkYear} shows {versions?.Count}");
            else
            {
                var current = versions[^1]!["targets"]!.AsArray().ToDictionary(t => t!["indicator"]!.GetValue<string>(), t => t!["target"]!.GetValue<decimal>());
                foreach (var (code, target) in w.PkTargets)
                    if (current.GetValueOrDefault(code) != target)
                        report.StateMismatches.Add($"{w.Agency}: PK {AgencyWorkload.PkYear} target of {code} acknowledged {target}, read {current.GetValueOrDefault(code)}");
            }
            var rows = await ScalarAsync(db, "SELECT count(*) FROM readmodel.pk_versions WHERE agency = $1 AND year = $2", ct, w.Agency, AgencyWorkload.PkYear);
            if (rows != w.PkVersions) report.StateMismatches.Add($"{w.Agency}: {w.PkVersions} PK version(s) acknowledged, readmodel.pk_versions has {rows}");

            foreach (var g in w.Values.GroupBy(v => (v.Key.Indicator, v.Key.Year)))
            {
                var read = await GetAsync(http, w.Staff, $"{a}/indicators/{g.Key.Indicator}?year={g.Key.Year}", ct);
                var realizations = read?["realizations"]?.AsObject();
                foreach (var ((_, _, period), value) in g)
                {
                    var got = realizations?[period]?.GetValue<decimal>();
                    if (got != value)
                        report.StateMismatches.Add($"{w.Agency}: {g.Key.Indicator} {g.Key.Year} {period} acknowledged {value}, read {got?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}");
                }
            }
        }
    }

    private static async Task<JsonNode?> GetAsync(HttpClient http, string token, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        using var r = await http.SendAsync(request, ct);
        return r.IsSuccessStatusCode ? JsonNode.Parse(await r.Content.ReadAsStringAsync(ct)) : null;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.AddWithValue(p);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static string Cut(string s) => s.Length <= 2000 ? s : s[..2000] + "…";
}
