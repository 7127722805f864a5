using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Importing;

/// <summary>
/// Replays datasets through the real HTTP API: every step is an ordinary request (validation, concurrency, the domain's
/// rules), sent with an <c>Idempotency-Key</c> derived from dataset name + file + step index, so a re-run is answered
/// from the server's idempotency store and writes nothing twice. User steps (POST /api/users) create the dataset's
/// users with the admin token; later steps act as them ("as": "staff"). Tokens are kept in an <see cref="ITokenStore"/>
/// so a re-run acts as the same users (the idempotency scope is tenant + acting user). A re-run with another token file
/// finds the users the first run created (GET /api/users: same name, role, agency, not revoked) and has a new token
/// issued for each (POST /api/users/{id}/token) instead of creating duplicates.
/// </summary>
public sealed class DatasetImporter(HttpClient http, string adminToken, ITokenStore tokens, IImportProgress? progress = null)
{
    public const string AdminAlias = "admin";
    private readonly IImportProgress _progress = progress ?? NoProgress.Instance;

    /// <summary>Stop a dataset at its first unexpected refusal (later steps usually depend on it). Default true.</summary>
    public bool StopDatasetOnUnexpected { get; init; } = true;

    public async Task<ImportReport> ImportAsync(IEnumerable<Dataset> datasets, CancellationToken ct = default)
    {
        var report = new ImportReport();
        foreach (var dataset in datasets) await ImportAsync(dataset, report, ct);
        return report;
    }

    public Task<ImportReport> ImportAsync(Dataset dataset, CancellationToken ct = default) => ImportAsync([dataset], ct);

    private async Task ImportAsync(Dataset dataset, ImportReport report, CancellationToken ct)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal) { [AdminAlias] = adminToken };
        _progress.Started(dataset.Name, dataset.Steps.Count);
        var done = 0;
        foreach (var step in dataset.Steps)
        {
            var result = step.UserKey is not null
                ? await CreateUserAsync(dataset, step, users, ct)
                : await SendAsync(dataset, step, users, ct);
            report.Add(result);
            _progress.Step(dataset.Name, step, ++done, dataset.Steps.Count, result.Outcome);
            if (result.Outcome == StepOutcome.RefusedUnexpectedly && StopDatasetOnUnexpected) break;
        }
        _progress.Finished(dataset.Name);
    }

    private string TokenKey(Dataset dataset, DatasetStep step) =>
        $"{http.BaseAddress}|{dataset.Name}|{step.Body?["agency"]?.GetValue<string>()}|{step.UserKey}";

    private async Task<StepResult> CreateUserAsync(Dataset dataset, DatasetStep step, Dictionary<string, string> users, CancellationToken ct)
    {
        var key = TokenKey(dataset, step);
        if (tokens.Get(key) is { } known && await StillValidAsync(known, step.Body?["agency"]?.GetValue<string>(), ct))
        {
            users[step.UserKey!] = known;
            return new StepResult(dataset.Name, step, StepOutcome.Replayed, 200, null, "user already created by an earlier run; its token is reused");
        }
        if (!users.TryGetValue(step.As, out var actor))
            return Unknown(dataset, step);
        // Not in this token file (another file, a lost one): the user may exist from an earlier run. A token cannot be
        // recovered (only its hash is stored), so the existing user gets a new one instead of a duplicate being created.
        if (await ExistingUserAsync(step, actor, ct) is { } existing)
        {
            using var issue = new HttpRequestMessage(HttpMethod.Post, $"/api/users/{existing}/token");
            issue.Headers.Authorization = new AuthenticationHeaderValue("Bearer", actor);
            issue.Content = new StringContent(
                new JsonObject { ["reason"] = $"ledger-import: dataset {dataset.Name} ({step.Label}) re-run without this user's token" }.ToJsonString(),
                Encoding.UTF8, "application/json");
            using var issued = await http.SendAsync(issue, ct);
            var answer = await issued.Content.ReadAsStringAsync(ct);
            if (!issued.IsSuccessStatusCode) return Refused(dataset, step, (int)issued.StatusCode, answer);
            var rotated = JsonNode.Parse(answer)?["token"]?.GetValue<string>();
            if (rotated is null) return new StepResult(dataset.Name, step, StepOutcome.RefusedUnexpectedly, (int)issued.StatusCode, null, "no token in the answer");
            tokens.Set(key, rotated);
            users[step.UserKey!] = rotated;
            return new StepResult(dataset.Name, step, StepOutcome.Replayed, (int)issued.StatusCode, null,
                $"user {existing} already existed; a new token was issued (the one kept elsewhere no longer works)");
        }
        using var response = await http.SendAsync(Request(step, actor, idempotencyKey: null), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) return Refused(dataset, step, (int)response.StatusCode, text);
        var token = JsonNode.Parse(text)?["token"]?.GetValue<string>();
        if (token is null) return new StepResult(dataset.Name, step, StepOutcome.RefusedUnexpectedly, (int)response.StatusCode, null, "no token in the answer");
        tokens.Set(key, token);
        users[step.UserKey!] = token;
        return new StepResult(dataset.Name, step, StepOutcome.Accepted, (int)response.StatusCode, null, null);
    }

    /// <summary>
    /// The id of the unrevoked user with this step's name, role and agency (and NIP, when the step gives one), from
    /// GET /api/users (admin); the first created when there are several. Null when none, or when the server cannot list
    /// users (then the user is created as before).
    /// </summary>
    private async Task<string?> ExistingUserAsync(DatasetStep step, string adminToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) return null;
        if (JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) is not JsonArray list) return null;
        static string? Text(JsonNode? node, string name) => node?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var body = step.Body;
        var name = Text(body, "name")?.Trim();
        var nip = Text(body, "nip");
        return list.FirstOrDefault(u =>
                u?["revoked"]?.GetValue<bool>() == false
                && Text(u, "name") == name && Text(u, "role") == Text(body, "role") && Text(u, "agency") == Text(body, "agency")
                && (nip is null || Text(u, "nip") == nip))
            is { } found ? Text(found, "id") : null;
    }

    /// <summary>A token the server no longer knows (a fresh database behind the same URL) answers 401 to any read.</summary>
    private async Task<bool> StillValidAsync(string token, string? agency, CancellationToken ct)
    {
        using var probe = new HttpRequestMessage(HttpMethod.Get, $"/api/agencies/{agency ?? "none"}/pk/2000");
        probe.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(probe, ct);
        return response.StatusCode != System.Net.HttpStatusCode.Unauthorized;
    }

    private async Task<StepResult> SendAsync(Dataset dataset, DatasetStep step, Dictionary<string, string> users, CancellationToken ct)
    {
        if (!users.TryGetValue(step.As, out var token)) return Unknown(dataset, step);
        using var response = await http.SendAsync(Request(step, token, step.IdempotencyKey(dataset.Name)), ct);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            if (step.Expect is { } e)
                return new StepResult(dataset.Name, step, StepOutcome.RefusedUnexpectedly, status, null,
                    $"expected a refusal ({e.Status} {e.Rule}) but the server accepted it");
            var replayed = response.Headers.TryGetValues("Idempotency-Replayed", out var v) && v.Contains("true");
            return new StepResult(dataset.Name, step, replayed ? StepOutcome.Replayed : StepOutcome.Accepted, status, null, null);
        }
        return Refused(dataset, step, status, text);
    }

    private static StepResult Unknown(Dataset dataset, DatasetStep step) =>
        new(dataset.Name, step, StepOutcome.RefusedUnexpectedly, 0, null,
            $"'as': '{step.As}' names no user created earlier in this dataset (nor '{AdminAlias}')");

    private static StepResult Refused(Dataset dataset, DatasetStep step, int status, string text)
    {
        var (rule, detail) = Problem(text);
        var expected = step.Expect is { } e && e.Status == status && (e.Rule is null || e.Rule == rule);
        return new StepResult(dataset.Name, step, expected ? StepOutcome.RefusedAsExpected : StepOutcome.RefusedUnexpectedly, status, rule, detail);
    }

    /// <summary>rule and a one-line detail from an RFC 7807 problem (errors per field folded in).</summary>
    internal static (string? Rule, string? Detail) Problem(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is not JsonObject p) return (null, Trim(text));
            var rule = p["rule"] is JsonValue r && r.TryGetValue<string>(out var s) ? s : null;
            var parts = new List<string>();
            if (p["detail"]?.ToString() is { Length: > 0 } d) parts.Add(d);
            else if (p["title"]?.ToString() is { Length: > 0 } t) parts.Add(t);
            if (p["errors"] is JsonObject errors)
                parts.AddRange(errors.Select(kv => $"{kv.Key}: {kv.Value?.ToJsonString()}"));
            return (rule, Trim(string.Join("; ", parts)));
        }
        catch (JsonException)
        {
            return (null, Trim(text));
        }
    }

    private static string Trim(string s) => s.Length <= 500 ? s : s[..500] + "…";

    private static HttpRequestMessage Request(DatasetStep step, string token, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(new HttpMethod(step.Method), step.Path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Content = new StringContent(step.Body?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json");
        return request;
    }
}
