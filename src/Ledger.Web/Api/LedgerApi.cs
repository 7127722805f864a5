using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Web.Api;

/// <summary>
/// The API as the signed-in user sees it: every call carries the user's bearer token and <c>Accept-Language: id</c>, so
/// the service applies its own authorization, validation and version checks and answers problems in Bahasa Indonesia.
/// </summary>
public sealed class LedgerApi(ApiChannel channel, string token)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>A read. 404 → null; 401 → <see cref="SessionExpiredException"/>; any other failure → <see cref="ApiProblemException"/>.</summary>
    public async Task<T?> GetAsync<T>(string pathAndQuery, CancellationToken ct) where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        using var response = await SendRawAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw new ApiProblemException(await ProblemAsync(response, ct));
        return await response.Content.ReadFromJsonAsync<T>(Json, ct);
    }

    /// <summary>A download (export): the body and its file name, or the problem.</summary>
    public async Task<(byte[] Body, string ContentType, string? FileName)> DownloadAsync(string pathAndQuery, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        using var response = await SendRawAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new ApiProblemException(await ProblemAsync(response, ct));
        return (await response.Content.ReadAsByteArrayAsync(ct), response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream",
            response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    /// <summary>
    /// A command. <paramref name="ifMatch"/> is the version the form was rendered from (412 when the stream moved on);
    /// <paramref name="idempotencyKey"/> is fixed when the form is rendered, so a double submit writes once.
    /// </summary>
    public async Task<CommandAnswer> SendAsync(string path, object body, long? ifMatch, string? idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        if (ifMatch is { } v) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{v}\""));
        if (!string.IsNullOrEmpty(idempotencyKey)) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await SendRawAsync(request, ct);
        if (response.IsSuccessStatusCode)
            return new CommandAnswer(await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct), null);
        return new CommandAnswer(null, await ProblemAsync(response, ct));
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("id"));
        var response = await channel.Client.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new SessionExpiredException();
        }
        return response;
    }

    private static async Task<ApiProblem> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        try
        {
            var body = await response.Content.ReadFromJsonAsync<ProblemBody>(Json, ct);
            return new ApiProblem(status, body?.Title, body?.Detail, body?.Rule, body?.Field,
                body?.Errors ?? new Dictionary<string, string[]>(), body?.ExpectedVersion, body?.ActualVersion,
                response.Headers.RetryAfter?.Delta);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return new ApiProblem(status, response.ReasonPhrase, null, null, null, new Dictionary<string, string[]>(), null, null, null);
        }
    }

    private sealed record ProblemBody(
        string? Title, string? Detail, string? Rule, string? Field, Dictionary<string, string[]>? Errors, long? ExpectedVersion, long? ActualVersion);

    /// <summary>One escaped path: <c>Path("agencies", a, "indicators", "5.03.01/1")</c> → <c>/api/agencies/a/indicators/5.03.01%2F1</c>.</summary>
    public static string Path(params object[] segments) =>
        "/api/" + string.Join('/', segments.Select(s => Uri.EscapeDataString(Convert.ToString(s, System.Globalization.CultureInfo.InvariantCulture)!)));

    /// <summary>A query string from the pairs whose value is not null.</summary>
    public static string Query(string path, params (string Name, object? Value)[] pairs)
    {
        var parts = pairs.Where(p => p.Value is not null && p.Value.ToString() != "")
            .Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!))
            .ToList();
        return parts.Count == 0 ? path : path + "?" + string.Join('&', parts);
    }
}

/// <summary>A command's answer: the success body, or the problem.</summary>
public sealed record CommandAnswer(JsonElement? Body, ApiProblem? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>An RFC 7807 answer of the API, as far as the pages use it.</summary>
public sealed record ApiProblem(
    int Status, string? Title, string? Detail, string? Rule, string? Field, IReadOnlyDictionary<string, string[]> Errors, long? ExpectedVersion,
    long? ActualVersion, TimeSpan? RetryAfter);

public sealed class ApiProblemException(ApiProblem problem) : Exception($"{problem.Status} {problem.Title}: {problem.Detail}")
{
    public ApiProblem Problem { get; } = problem;
}

/// <summary>The API no longer accepts the session's token (revoked, or the bootstrap token changed): sign in again.</summary>
public sealed class SessionExpiredException() : Exception("The API refused the session's token.");
