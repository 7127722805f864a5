using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Chaos;

/// <summary>A command sent during the run, with the answer the domain must give (status, and the rule of a refusal).</summary>
public sealed record Sent(Outcome Outcome, int ExpectedStatus, string? ExpectedRule, int Round)
{
    public Answer? Final => Outcome.Final;
    public bool Acknowledged => Final is { Status: >= 200 and < 300 };

    /// <summary>The definitive answer is the one the domain must give; null when it is, else what is wrong.</summary>
    public string? Unexpected()
    {
        if (Final is not { } a) return $"{Describe()}: no definitive answer within the command deadline ({Outcome.Attempts} attempts)";
        if (a.Status != ExpectedStatus) return $"{Describe()}: expected {ExpectedStatus}, got {a.Status}: {a.Body}";
        if (ExpectedRule is not null && Rule(a.Body) != ExpectedRule) return $"{Describe()}: expected rule {ExpectedRule}, got {a.Body}";
        if (Acknowledged && (Accepted(a.Body) is not { } acc || acc.EventIds.Count == 0 || a.ETag != $"\"{acc.Version}\""))
            return $"{Describe()}: a 2xx without streamId, version, eventIds and the matching ETag: {a.ETag} {a.Body}";
        return null;
    }

    public string Describe() => $"{Outcome.Request.Method} {Outcome.Request.Path} ({Outcome.Request.What}, key {Outcome.Request.Key})";

    public static string? Rule(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject o && o["rule"] is JsonValue v ? v.GetValue<string>() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The success body of a write: <c>{ streamId, version, eventIds }</c>.</summary>
    public static (string StreamId, long Version, IReadOnlyList<Guid> EventIds)? Accepted(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var r = doc.RootElement;
            return r.ValueKind == JsonValueKind.Object && r.TryGetProperty("streamId", out var s) && r.TryGetProperty("version", out var v)
                && r.TryGetProperty("eventIds", out var ids)
                ? (s.GetString()!, v.GetInt64(), ids.EnumerateArray().Select(e => e.GetGuid()).ToList())
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// One client's agency for one round and what the client knows it holds: every acknowledged realization's value and the
/// PK 2023 targets and version count. Each step is a realistic write whose outcome the client can predict exactly, so
/// a retry that wrote twice shows up as a wrong answer too (a realization recorded twice is refused
/// <c>realization.already-recorded-use-correction</c>, a correction repeated <c>realization.correction.same-value</c>),
/// not only as an extra event in the log.
/// </summary>
public sealed class AgencyWorkload
{
    public const int PkYear = 2023;
    private static readonly int[] Years = [2021, 2022, 2023, 2024, 2025, 2026];
    private static readonly string[] Quarterly = ["Q1", "Q2", "Q3", "Q4", "Y"];

    // Five IKU: three reported by quarter (sum, last, average), two once a year.
    private static readonly (string Code, string Aggregation, string Polarity, decimal Target)[] Indicators =
        [("IKU-1", "sum", "higher", 80m), ("IKU-2", "last", "higher", 75m), ("IKU-3", "average", "higher", 90m),
         ("IKU-4", "annual", "higher", 68.58m), ("IKU-5", "annual", "lower", 0.25m)];

    private static readonly object Signer = new { name = "Kepala Badan (uji)", nip = "198004122000031003", position = "Kepala Badan" };

    private readonly Random _rng;
    private readonly Func<string> _newKey;
    private readonly int _round;
    private readonly List<(string Indicator, int Year, string Period)> _unrecorded;
    private readonly List<(string Indicator, int Year, string Period)> _recorded = [];

    public string Agency { get; }
    public string Staff { get; private set; } = "";
    public string Approver { get; private set; } = "";
    public Dictionary<(string Indicator, int Year, string Period), decimal> Values { get; } = [];
    public Dictionary<string, decimal> PkTargets { get; } = new(StringComparer.Ordinal);
    public int PkVersions { get; private set; }
    public int Reads { get; private set; }
    public List<string> UnexpectedReads { get; } = [];

    /// <summary>The keys of user creations end so: their answer carries a token and is never stored, so the checks leave them out.</summary>
    public const string UserKeySuffix = "-user";

    private AgencyWorkload(string agency, int seed, int round, Func<string> newKey)
    {
        Agency = agency;
        _rng = new Random(seed);
        _round = round;
        _newKey = newKey;
        _unrecorded = [.. Indicators.SelectMany(i => Years.SelectMany(y =>
            (i.Aggregation == "annual" ? ["Y"] : Quarterly).Select(p => (i.Code, y, p))))];
        _rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_unrecorded));
    }

    private string A => $"/api/agencies/{Agency}";

    /// <summary>The agency, its staff and approver, a Renstra 2021–2026 with five IKU and a PK murni 2023.</summary>
    public static async Task<AgencyWorkload> SetUpAsync(Sender sender, string adminToken, string agency, int seed, int round,
        Func<string> newKey, Action<Sent> record, CancellationToken ct)
    {
        var w = new AgencyWorkload(agency, seed, round, newKey);
        await w.CommandAsync(sender, record, adminToken, "/api/agencies", new { code = agency, name = $"BKPSDM uji ketahanan {agency}" }, 201, "register agency", ct);
        w.Staff = await w.UserAsync(sender, adminToken, "staff", ct);
        w.Approver = await w.UserAsync(sender, adminToken, "approver", ct);
        await w.CommandAsync(sender, record, w.Approver, $"{w.A}/renstra",
            new { periodStart = 2021, periodEnd = 2026, title = "Renstra 2021-2026", decree = "Perwali 29/2021" }, 201, "renstra", ct);
        foreach (var (code, aggregation, polarity, target) in Indicators)
            await w.CommandAsync(sender, record, w.Approver, $"{w.A}/renstra/2021/indicators", new
            {
                code, name = "Indikator " + code, level = "sasaran", kind = "IKU", unit = "%", polarity, aggregation,
                targets = Years.ToDictionary(y => y.ToString(CultureInfo.InvariantCulture), _ => target),
            }, 201, "indicator", ct);
        foreach (var i in Indicators) w.PkTargets[i.Code] = i.Target;
        await w.CommandAsync(sender, record, w.Approver, $"{w.A}/pk/{PkYear}", new
        {
            signedOn = "2023-01-31", signer = Signer, targets = w.PkTargets.Select(t => new { indicator = t.Key, target = t.Value }).ToArray(),
        }, 201, "pk murni", ct);
        w.PkVersions = 1;
        return w;
    }

    private async Task<string> UserAsync(Sender sender, string admin, string role, CancellationToken ct)
    {
        // POST /api/users honours the key from the log itself; its answer (a token) is never stored, so it is not in the checks.
        var r = new Request("POST", "/api/users", admin, Json(new { name = $"{role} {Agency}", role, agency = Agency }), _newKey() + UserKeySuffix, "user");
        var o = await sender.SendAsync(r, ct);
        if (o.Final is not { Status: 201 or 200 } a) throw new InvalidOperationException($"Setting up {Agency}: creating the {role} answered {o.Final?.Status}: {o.Final?.Body}");
        return JsonNode.Parse(a.Body)!["token"]!.GetValue<string>();
    }

    /// <summary>One step of the load: a write (sometimes two: a proposal and its approval) or a read.</summary>
    public async Task StepAsync(Sender sender, Action<Sent> record, CancellationToken ct)
    {
        var x = _rng.Next(100);
        if (x < 30 && _unrecorded.Count > 0) await RecordAsync(sender, record, ct);
        else if (x < 60 && _recorded.Count > 0) await CorrectAsync(sender, record, ct);
        else if (x < 70) await RevisePkAsync(sender, record, ct);
        else if (x < 78) await ProposeAndApprovePkAsync(sender, record, ct);
        else if (x < 85 && _recorded.Count > 0) await RefusedCorrectionAsync(sender, record, ct);
        else if (_recorded.Count > 0) await ReadAsync(sender, ct);
        else await RecordAsync(sender, record, ct);
    }

    /// <summary>One realization (a correction once every indicator-period has one): the commit-crash probe's command.</summary>
    public Task RecordOneAsync(Sender sender, Action<Sent> record, CancellationToken ct) => RecordAsync(sender, record, ct);

    private async Task RecordAsync(Sender sender, Action<Sent> record, CancellationToken ct)
    {
        if (_unrecorded.Count == 0)
        {
            await CorrectAsync(sender, record, ct);
            return;
        }
        var item = _unrecorded[^1];
        var value = Value();
        var sent = await CommandAsync(sender, record, Staff, $"{A}/realizations", new
        {
            indicator = item.Indicator, year = item.Year, period = item.Period, value, evidence = "rekap uji ketahanan",
        }, 200, "realization", ct);
        _unrecorded.RemoveAt(_unrecorded.Count - 1);
        if (sent.Acknowledged)
        {
            _recorded.Add(item);
            Values[item] = value;
        }
    }

    private async Task CorrectAsync(Sender sender, Action<Sent> record, CancellationToken ct)
    {
        var item = _recorded[_rng.Next(_recorded.Count)];
        decimal value;
        do value = Value(); while (value == Values[item]);
        var sent = await CommandAsync(sender, record, Staff, $"{A}/realizations/corrections", new
        {
            indicator = item.Indicator, year = item.Year, period = item.Period, value, reason = "Koreksi hasil verifikasi",
        }, 200, "correction", ct);
        if (sent.Acknowledged) Values[item] = value;
    }

    /// <summary>A correction to the value it already has: the domain refuses it (422); nothing is written.</summary>
    private async Task RefusedCorrectionAsync(Sender sender, Action<Sent> record, CancellationToken ct)
    {
        var item = _recorded[_rng.Next(_recorded.Count)];
        await CommandAsync(sender, record, Staff, $"{A}/realizations/corrections", new
        {
            indicator = item.Indicator, year = item.Year, period = item.Period, value = Values[item], reason = "Koreksi tanpa perubahan",
        }, 422, "correction to the same value", ct, rule: "realization.correction.same-value");
    }

    private object RevisionBody(Dictionary<string, decimal> changes) => new
    {
        reason = "Penyesuaian anggaran", ground = "budget-change", signedOn = "2023-06-30", signer = Signer,
        targets = changes.Select(c => new { indicator = c.Key, target = c.Value }).ToArray(),
    };

    private Dictionary<string, decimal> NewTargets()
    {
        var changes = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var code in PkTargets.Keys.OrderBy(_ => _rng.Next()).Take(1 + _rng.Next(2)))
        {
            decimal target;
            do target = Value(); while (target == PkTargets[code]);
            changes[code] = target;
        }
        return changes;
    }

    /// <summary>A PK perubahan signed by the approver (200, one event).</summary>
    private async Task RevisePkAsync(Sender sender, Action<Sent> record, CancellationToken ct)
    {
        var changes = NewTargets();
        var sent = await CommandAsync(sender, record, Approver, $"{A}/pk/{PkYear}/revisions", RevisionBody(changes), 200, "pk perubahan", ct);
        if (!sent.Acknowledged) return;
        foreach (var (k, v) in changes) PkTargets[k] = v;
        PkVersions++;
    }

    /// <summary>
    /// Staff propose a PK perubahan (202 with a proposal id made by the service: a retry decided again would make a
    /// second proposal, so only the key keeps it single), then the approver approves it (two events in one answer).
    /// </summary>
    private async Task ProposeAndApprovePkAsync(Sender sender, Action<Sent> record, CancellationToken ct)
    {
        var changes = NewTargets();
        var proposed = await CommandAsync(sender, record, Staff, $"{A}/pk/{PkYear}/revisions", RevisionBody(changes), 202, "pk proposal", ct);
        if (!proposed.Acknowledged || JsonNode.Parse(proposed.Final!.Body)?["proposalId"]?.GetValue<Guid>() is not { } id) return;
        var approved = await CommandAsync(sender, record, Approver, $"{A}/pk/{PkYear}/revisions/proposals/{id}/approve",
            new { note = "Disetujui" }, 200, "pk proposal approval", ct);
        if (!approved.Acknowledged) return;
        foreach (var (k, v) in changes) PkTargets[k] = v;
        PkVersions++;
    }

    private async Task ReadAsync(Sender sender, CancellationToken ct)
    {
        var item = _recorded[_rng.Next(_recorded.Count)];
        Reads++;
        var o = await sender.SendAsync(new Request("GET", $"{A}/indicators/{item.Indicator}?year={item.Year}", Staff, null, null, "read"), ct);
        if (o.Final is not { Status: 200 })
            UnexpectedReads.Add($"GET {o.Request.Path}: expected 200, got {(o.Final is { } a ? $"{a.Status}: {a.Body}" : "no definitive answer")}");
    }

    private async Task<Sent> CommandAsync(Sender sender, Action<Sent> record, string token, string path, object body, int expected,
        string what, CancellationToken ct, string? rule = null)
    {
        var o = await sender.SendAsync(new Request("POST", path, token, Json(body), _newKey(), what), ct);
        var sent = new Sent(o, expected, rule, _round);
        record(sent);
        return sent;
    }

    private decimal Value() => Math.Round((decimal)_rng.NextDouble() * 100m, 2);

    public static string Json(object body) => JsonSerializer.Serialize(body, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
