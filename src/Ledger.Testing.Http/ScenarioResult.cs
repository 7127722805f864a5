using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ledger.Testing.Http;

/// <summary>The captured response of a scenario. The body is fully buffered; reading it is cheap and repeatable.</summary>
public sealed class ScenarioResult
{
    private readonly JsonSerializerOptions _jsonOptions;
    private readonly Dictionary<string, List<string>> _headers = new(StringComparer.OrdinalIgnoreCase);
    private JsonElement? _json;
    private string? _jsonError;

    internal ScenarioResult(HttpMethod method, string url, HttpResponseMessage response, byte[] body, JsonSerializerOptions jsonOptions)
    {
        Method = method.Method;
        Url = url;
        Response = response;
        Bytes = body;
        _jsonOptions = jsonOptions;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!_headers.TryGetValue(name, out var list)) _headers[name] = list = [];
            list.AddRange(values);
        }
        Text = DecodeText(response, body);
    }

    public string Method { get; }
    public string Url { get; }
    public HttpResponseMessage Response { get; }
    public HttpStatusCode StatusCode => Response.StatusCode;
    public int Status => (int)Response.StatusCode;

    /// <summary>Response and content headers together, case-insensitive names.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers =>
        _headers.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)h.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>All values of a response or content header; empty when absent.</summary>
    public IReadOnlyList<string> HeaderValues(string name) =>
        _headers.TryGetValue(name, out var values) ? values : [];

    /// <summary>The single value of a header, or null when absent (several values are joined with ", ").</summary>
    public string? Header(string name) =>
        _headers.TryGetValue(name, out var values) ? string.Join(", ", values) : null;

    public byte[] Bytes { get; }
    public string Text { get; }
    public string ReadAsText() => Text;

    /// <summary>The body parsed as JSON; throws <see cref="ScenarioAssertionException"/> (with the response) when it is not JSON.</summary>
    public JsonElement Json =>
        TryParseJson(out var root, out var error)
            ? root
            : throw new ScenarioAssertionException(Describe($"The response body is not JSON: {error}"));

    /// <summary>Deserializes the body with the host's JSON options; failures include the response.</summary>
    public T ReadAsJson<T>()
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(Bytes, _jsonOptions);
            return value ?? throw new ScenarioAssertionException(Describe($"The response body deserialized to null as {typeof(T).Name}"));
        }
        catch (JsonException e)
        {
            throw new ScenarioAssertionException(Describe($"Could not read the response body as {typeof(T).Name}: {e.Message}"), e);
        }
    }

    /// <summary>The JSON value at <paramref name="path"/> (see <see cref="JsonPath"/>); throws with the response when missing.</summary>
    public JsonElement JsonAt(string path) =>
        JsonPath.TryResolve(Json, path, out var value, out var error)
            ? value
            : throw new ScenarioAssertionException(Describe($"JSON path '{path}': {error}"));

    public bool TryJsonAt(string path, out JsonElement value)
    {
        value = default;
        return TryParseJson(out var root, out _) && JsonPath.TryResolve(root, path, out value, out _);
    }

    internal bool TryParseJson(out JsonElement root, out string? error)
    {
        if (_json is null && _jsonError is null)
        {
            try
            {
                using var document = JsonDocument.Parse(Bytes);
                _json = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                _jsonError = Bytes.Length == 0 ? "the body is empty" : e.Message;
            }
        }
        root = _json ?? default;
        error = _jsonError;
        return _json is not null;
    }

    /// <summary>A readable report: the headline, then the request line, status, response headers and the full body.</summary>
    public string Describe(string headline) => Describe(headline, [], requestBody: null);

    internal string Describe(string headline, IReadOnlyList<string> failures, string? requestBody)
    {
        var sb = new StringBuilder();
        sb.Append(headline).Append('\n');
        foreach (var failure in failures)
        {
            sb.Append("  - ").Append(failure).Append('\n');
        }
        sb.Append('\n').Append("Request: ").Append(Method).Append(' ').Append(Url).Append('\n');
        if (requestBody is not null)
        {
            sb.Append("Request body:\n").Append(Indent(requestBody)).Append('\n');
        }
        sb.Append("Response: ").Append(Status).Append(' ').Append(Response.ReasonPhrase ?? StatusCode.ToString()).Append('\n');
        sb.Append("Response headers:\n");
        foreach (var (name, values) in _headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            sb.Append("  ").Append(name).Append(": ").Append(string.Join(", ", values)).Append('\n');
        }
        sb.Append("Response body:\n").Append(Indent(PrettyBody())).Append('\n');
        return sb.ToString();
    }

    private string PrettyBody()
    {
        if (Bytes.Length == 0) return "<empty>";
        if (TryParseJson(out var root, out _)) return PrettyJson(root);
        if (LooksBinary(Response, Text)) return $"<{Bytes.Length} bytes of {Response.Content.Headers.ContentType?.MediaType ?? "unknown type"}>";
        return Text;
    }

    internal static string PrettyJson(JsonElement root) =>
        JsonSerializer.Serialize(root, PrettyOptions).ReplaceLineEndings("\n");

    private static readonly JsonSerializerOptions PrettyOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Indent(string text) => "  " + text.ReplaceLineEndings("\n").Replace("\n", "\n  ", StringComparison.Ordinal);

    private static string DecodeText(HttpResponseMessage response, byte[] body)
    {
        var charset = response.Content.Headers.ContentType?.CharSet;
        Encoding encoding = Encoding.UTF8;
        if (!string.IsNullOrEmpty(charset))
        {
            try { encoding = Encoding.GetEncoding(charset.Trim('"')); }
            catch (ArgumentException) { encoding = Encoding.UTF8; }
        }
        return encoding.GetString(body);
    }

    private static bool LooksBinary(HttpResponseMessage response, string text)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Contains("xml", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return text.Contains('\0') || text.Contains('\uFFFD');
    }
}
