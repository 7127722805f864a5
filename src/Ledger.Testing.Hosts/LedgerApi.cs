using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Storage;

namespace Ledger.Testing.Hosts;

/// <summary>What one write answered (or that it got no answer: <see cref="Transport"/>), as the checks need it.</summary>
public sealed record CommandOutcome(
    string Host, string Kind, int Status, long? IfMatch, string? Stream, long? Version, IReadOnlyList<Guid> EventIds,
    long? ExpectedVersion, long? ActualVersion, string? Rule, string? Transport, bool Replayed, string Body)
{
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>When the request was sent and when its answer (or failure) came.</summary>
    public DateTime Sent { get; init; }
    public DateTime Done { get; init; } = DateTime.UtcNow;

    public override string ToString() => $"{Kind} on {Host} at {Sent:HH:mm:ss.fff}: {(Transport is null ? Status.ToString(CultureInfo.InvariantCulture) : "no answer: " + Transport)} {Body}";

    /// <summary>Reads an answer of the command pipeline: <c>{ streamId, version, eventIds }</c> or problem details.</summary>
    public static CommandOutcome Parse(string host, string kind, int status, long? ifMatch, string text, bool replayed, DateTime sent)
    {
        JsonElement json = default;
        try
        {
            json = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            // not JSON: kept as text for the report
        }
        string? S(string p) => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(p, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        long? L(string p) => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(p, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt64() : null;
        var ids = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("eventIds", out var arr) && arr.ValueKind == JsonValueKind.Array
            ? arr.EnumerateArray().Select(x => Guid.Parse(x.GetString()!)).ToList()
            : [];
        return new CommandOutcome(host, kind, status, ifMatch, S("streamId"), L("version"), ids, L("expectedVersion"), L("actualVersion"),
            S("rule"), null, replayed, text) { Sent = sent };
    }

    public static CommandOutcome NoAnswer(string host, string kind, long? ifMatch, Exception e, DateTime sent) =>
        new(host, kind, 0, ifMatch, null, null, [], null, null, null, e.GetType().Name + ": " + e.Message, false, "") { Sent = sent };
}

/// <summary>The HTTP contract's writes and reads as the tests use them (../shared/domain/api.md).</summary>
public static class LedgerApi
{
    public static async Task<CommandOutcome> PostAsync(ServiceProcess host, string kind, string token, string path, object body,
        long? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: LedgerJson.Options) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (ifMatch is { } v) request.Headers.TryAddWithoutValidation("If-Match", $"\"{v}\"");
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        var sent = DateTime.UtcNow;
        HttpResponseMessage response;
        try
        {
            response = await host.Http.SendAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return CommandOutcome.NoAnswer(host.Name, kind, ifMatch, e, sent);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            return CommandOutcome.Parse(host.Name, kind, (int)response.StatusCode, ifMatch, text, response.Headers.Contains("Idempotency-Replayed"), sent);
        }
    }

    /// <summary>A write that must succeed (set-up).</summary>
    public static async Task<JsonElement> MustPostAsync(ServiceProcess host, string token, string path, object body)
    {
        var o = await PostAsync(host, "set-up", token, path, body);
        if (!o.Ok) throw new InvalidOperationException($"POST {path} on {host.Name}: {o}");
        return JsonDocument.Parse(o.Body).RootElement.Clone();
    }

    public static async Task<(int Status, JsonElement Body)> GetAsync(ServiceProcess host, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>An agency with the Surakarta 2023 story's shape: Renstra, two IKU, PK murni, annual realizations; its staff's token.</summary>
    public static async Task<Agency> SetUpAgencyAsync(ServiceProcess host, string code)
    {
        var admin = ServiceProcess.AdminToken;
        await MustPostAsync(host, admin, "/api/agencies", new { code, name = "BKPSDM " + code });
        var staff = (await MustPostAsync(host, admin, "/api/users", new { name = "Perencana " + code, role = "staff", agency = code })).GetProperty("token").GetString()!;
        var approver = (await MustPostAsync(host, admin, "/api/users", new { name = "Kepala " + code, role = "approver", agency = code })).GetProperty("token").GetString()!;
        var a = $"/api/agencies/{code}";
        await MustPostAsync(host, approver, $"{a}/renstra", new { periodStart = 2021, periodEnd = 2026, title = "Renstra BKPSDM 2021-2026", decree = "Perwali 29/2021" });
        foreach (var (ind, target) in Indicators)
            await MustPostAsync(host, approver, $"{a}/renstra/2021/indicators", new
            {
                code = ind, name = "Indikator " + ind, level = "sasaran", kind = "IKU", unit = "%", polarity = "higher", aggregation = "annual",
                targets = new Dictionary<string, decimal> { ["2023"] = target },
            });
        await MustPostAsync(host, approver, $"{a}/pk/2023", new
        {
            signedOn = "2023-01-31", signer = new { name = "Kepala BKPSDM", nip = "19800412 200003 1 003", position = "Kepala Badan" },
            targets = Indicators.Select(i => new { indicator = i.Code, target = i.Target }).ToArray(),
        });
        long version = 0;
        foreach (var (ind, _) in Indicators)
            version = (await MustPostAsync(host, staff, $"{a}/realizations", new { indicator = ind, year = 2023, period = "Y", value = 70m, evidence = "rekap 2023" }))
                .GetProperty("version").GetInt64();
        return new Agency(code, staff, approver, version);
    }

    public static readonly (string Code, decimal Target)[] Indicators = [("I2", 75m), ("I8", 80m)];

    public sealed record Agency(string Code, string Staff, string Approver, long YearVersion)
    {
        public string Year => $"year-{Code}-2023";
        public string Corrections => $"/api/agencies/{Code}/realizations/corrections";
    }

    /// <summary>A correction of one of the agency's realizations to a value nobody else sends (so it is never "no change").</summary>
    public static object Correction(string indicator, int unique) =>
        new { indicator, year = 2023, period = "Y", value = 50m + unique % 5000 / 100m, reason = "Koreksi data hasil verifikasi" };
}
