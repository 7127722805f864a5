using System.Globalization;
using System.Text.Json;

namespace Ledger.Testing.Hosts;

/// <summary>
/// The checks of issue 13's "two hosts, one database", as lists of problems (empty: nothing wrong), so a test asserts them
/// and the long run prints them:
/// <list type="bullet">
/// <item><b>answers</b>: every write answered as the contract allows for its kind (If-Match: 2xx at exactly the next
/// version, or 412 naming another version; a version known to be stale: 412 only; plain: 2xx or 409
/// <c>concurrency.race-lost</c>; reads 200) — never a 5xx; no answer only from a process that was killed, at or after its kill;</item>
/// <item><b>no lost update</b>: every 2xx write's events are in the log, in its stream, at consecutive versions ending at
/// the version it answered; no two writes claim one version (an idempotent replay names the same events); every stream's
/// versions are 1..n without a gap and its stream row is at n;</item>
/// <item><b>one leader at a time</b>: in every sample at most one process said its daemon runs sakip, and one that said so
/// held sakip's lock in the database (samples that straddle a kill are skipped: the killed process answered before it died);</item>
/// <item><b>no duplicate projection work</b>: <c>GET /api/audit/verify</c> ok, with every read-model table compared at
/// the head of the log (the tables equal a fold of the log, each event once); no daemon of any process logged a progression
/// out of order (two processes moving the same shard).</item>
/// </list>
/// </summary>
public static class TwoHostsChecks
{
    public static IReadOnlyList<string> Answers(IEnumerable<CommandOutcome> outcomes, IReadOnlyList<(string Host, DateTime At)> kills)
    {
        var problems = new List<string>();
        foreach (var o in outcomes)
        {
            if (o.Transport is not null)
            {
                if (!kills.Any(k => k.Host == o.Host && o.Done >= k.At.AddMilliseconds(-50)))
                    problems.Add($"no answer from a process that was not killed: {o}");
                continue;
            }
            var fine = o.Kind switch
            {
                "if-match" => (o.Ok && o.Version == o.IfMatch + o.EventIds.Count && o.EventIds.Count > 0)
                              || (o.Status == 412 && o.ActualVersion is { } a && a != o.IfMatch && o.ExpectedVersion == o.IfMatch),
                "stale-if-match" => o.Status == 412 && o.ActualVersion > o.IfMatch,
                "plain" => (o.Ok && o.EventIds.Count > 0) || (o.Status == 409 && o.Rule == "concurrency.race-lost"),
                "idempotent" or "mix" or "set-up" => o.Ok && o.EventIds.Count > 0,
                "read" => o.Status == 200,
                _ => false,
            };
            if (!fine) problems.Add($"unexpected answer: {o}");
        }
        return problems;
    }

    public static async Task<IReadOnlyList<string>> LogAsync(IEnumerable<CommandOutcome> outcomes, LogChecks log)
    {
        var problems = new List<string>();
        var events = await log.EventsAsync();
        var claims = new Dictionary<(string, long), (Guid Id, CommandOutcome By)>();
        foreach (var o in outcomes.Where(o => o.Ok && o.EventIds.Count > 0))
        {
            for (var i = 0; i < o.EventIds.Count; i++)
            {
                var id = o.EventIds[i];
                var version = o.Version!.Value - o.EventIds.Count + 1 + i;
                if (!events.TryGetValue(id, out var e)) problems.Add($"lost update: event {id} of a 2xx write is not in the log: {o}");
                else if (e.Stream != o.Stream || e.Version != version)
                    problems.Add($"event {id} is {e.Stream} v{e.Version}, the write answered {o.Stream} v{version}: {o}");
                if (claims.TryGetValue((o.Stream!, version), out var other) && other.Id != id)
                    problems.Add($"two writes answered {o.Stream} v{version}: {other.By} and {o}");
                claims[(o.Stream!, version)] = (id, o);
            }
        }
        problems.AddRange((await log.BrokenStreamsAsync()).Select(s => "stream not contiguous: " + s));
        return problems;
    }

    public static IReadOnlyList<string> Leadership(IEnumerable<Leadership.Sample> samples, IReadOnlyList<(string Host, DateTime At)> kills,
        IReadOnlyDictionary<string, int> pids)
    {
        var problems = new List<string>();
        foreach (var s in samples)
        {
            if (s.Holders.Count > 1) problems.Add($"{s.Start:HH:mm:ss.fff}: {s.Holders.Count} backends hold sakip's lock");
            if (s.RunningHere.Count > 1) problems.Add($"{s.Start:HH:mm:ss.fff}: sakip runs in {string.Join(" and ", s.RunningHere)} at once");
            if (kills.Any(k => k.At >= s.Start.AddSeconds(-1) && k.At <= s.End.AddSeconds(1))) continue;
            foreach (var h in s.RunningHere)
                if (!s.Holders.Any(x => x.ServicePid == pids[h]))
                    problems.Add($"{s.Start:HH:mm:ss.fff}: {h} runs sakip without holding its lock (holders: {string.Join(", ", s.Holders)})");
        }
        return problems;
    }

    /// <summary>The answer of <c>GET /api/audit/verify</c>: ok, all events checked, every read-model table compared at the head.</summary>
    public static IReadOnlyList<string> Verification(JsonElement verify, (long Events, long Head) log)
    {
        var (events, head) = log;
        var problems = new List<string>();
        if (!verify.GetProperty("ok").GetBoolean()) problems.Add("verify is not ok: " + verify);
        if (verify.GetProperty("eventsChecked").GetInt64() != events) problems.Add($"verify checked {verify.GetProperty("eventsChecked")} events, the log has {events}");
        foreach (var t in verify.GetProperty("readModels").EnumerateArray())
        {
            var name = t.GetProperty("table").GetString();
            if (t.GetProperty("notCompared").ValueKind != JsonValueKind.Null) problems.Add($"readmodel.{name} not compared: {t.GetProperty("notCompared")}");
            if (t.GetProperty("position").GetInt64() < head) problems.Add($"readmodel.{name} compared at {t.GetProperty("position")}, the head is {head}");
            foreach (var k in new[] { "missing", "extra", "different" })
                if (t.GetProperty(k).GetInt64() != 0) problems.Add($"readmodel.{name}: {t.GetProperty(k)} {k} rows: {t}");
        }
        return problems;
    }

    /// <summary>Errors Marten's daemon logs when a shard's progression did not move from where this process thought it was.</summary>
    public static IReadOnlyList<string> DaemonLogs(IEnumerable<(string Host, string Output)> outputs) =>
        outputs.SelectMany(o => o.Output.Split('\n')
                .Where(l => l.Contains("OutOfOrder", StringComparison.Ordinal))
                .Select(l => $"{o.Host}: {l.Trim()}"))
            .ToList();

    public static string Summary(IEnumerable<CommandOutcome> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => (o.Kind, o.Transport is null ? o.Status.ToString(CultureInfo.InvariantCulture) : "no answer"))
            .OrderBy(g => g.Key.Kind, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Kind} {g.Key.Item2} ×{g.Count()}"));
}
