using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ledger.Testing.Http;

/// <summary>
/// Describes one HTTP exchange: what to send and what the response must look like.
/// Built inside <c>host.Scenario(s =&gt; ...)</c>. All expectations are checked after the response arrives; every
/// failure is reported together in one <see cref="ScenarioAssertionException"/>.
/// Unless told otherwise (<see cref="StatusCodeShouldBe(int)"/>, <see cref="StatusCodeShouldBeSuccess"/>,
/// <see cref="IgnoreStatusCode"/>) the response status must be 200, as in Alba.
/// </summary>
public sealed class Scenario
{
    private readonly List<Func<ScenarioResult, string?>> _expectations = [];
    private Func<ScenarioResult, string?>? _statusExpectation;
    private bool _statusIgnored;

    internal Scenario(JsonSerializerOptions jsonOptions) => JsonOptions = jsonOptions;

    internal JsonSerializerOptions JsonOptions { get; }
    internal HttpMethod Method { get; private set; } = HttpMethod.Get;
    internal string? Url { get; set; }
    internal byte[]? Body { get; set; }
    internal MediaTypeHeaderValue? BodyContentType { get; set; }
    internal List<KeyValuePair<string, string>> RequestHeaders { get; } = [];

    public SendExpression Get => Send(HttpMethod.Get);
    public SendExpression Post => Send(HttpMethod.Post);
    public SendExpression Put => Send(HttpMethod.Put);
    public SendExpression Patch => Send(HttpMethod.Patch);
    public SendExpression Delete => Send(HttpMethod.Delete);
    public SendExpression Head => Send(HttpMethod.Head);

    private SendExpression Send(HttpMethod method)
    {
        Method = method;
        return new SendExpression(this);
    }

    /// <summary>Adds a request header (repeat the call for several values). Content headers such as Content-Type are allowed.</summary>
    public Scenario WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        RequestHeaders.Add(new(name, value));
        return this;
    }

    /// <summary>Sets <c>Authorization: Bearer {token}</c>, replacing an earlier Authorization header of this scenario.</summary>
    public Scenario WithBearer(string token)
    {
        RequestHeaders.RemoveAll(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
        return WithHeader("Authorization", $"Bearer {token}");
    }

    public Scenario StatusCodeShouldBe(HttpStatusCode expected) => StatusCodeShouldBe((int)expected);

    public Scenario StatusCodeShouldBe(int expected)
    {
        _statusExpectation = r => r.Status == expected
            ? null
            : $"Expected status code {expected} ({(HttpStatusCode)expected}), but was {r.Status} ({r.StatusCode})";
        return this;
    }

    /// <summary>Any 2xx status.</summary>
    public Scenario StatusCodeShouldBeSuccess()
    {
        _statusExpectation = r => r.Status is >= 200 and < 300
            ? null
            : $"Expected a success (2xx) status code, but was {r.Status} ({r.StatusCode})";
        return this;
    }

    /// <summary>No status check at all (the default would be 200).</summary>
    public Scenario IgnoreStatusCode()
    {
        _statusIgnored = true;
        return this;
    }

    public HeaderExpectation Header(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new HeaderExpectation(this, name);
    }

    /// <summary>
    /// Checks the response Content-Type. Without a ';' in <paramref name="expected"/> only the media type is compared
    /// (so <c>application/json</c> matches <c>application/json; charset=utf-8</c>); with one, the whole value is compared.
    /// Both comparisons ignore case and whitespace around ';'.
    /// </summary>
    public Scenario ContentTypeShouldBe(string expected)
    {
        AddExpectation(r =>
        {
            var actual = r.HeaderValues("Content-Type").FirstOrDefault();
            if (actual is null) return $"Expected Content-Type '{expected}', but no Content-Type was written";
            var compared = expected.Contains(';') ? Normalize(actual) : Normalize(actual.Split(';')[0]);
            return compared == Normalize(expected) ? null : $"Expected Content-Type '{expected}', but was '{actual}'";
        });
        return this;

        static string Normalize(string value) =>
            string.Join(";", value.Split(';').Select(p => p.Trim())).ToLowerInvariant();
    }

    public Scenario ContentShouldContain(string text)
    {
        AddExpectation(r => r.Text.Contains(text, StringComparison.Ordinal)
            ? null
            : $"Expected the response body to contain '{text}'");
        return this;
    }

    public Scenario ContentShouldNotContain(string text)
    {
        AddExpectation(r => !r.Text.Contains(text, StringComparison.Ordinal)
            ? null
            : $"Expected the response body not to contain '{text}'");
        return this;
    }

    public Scenario ContentShouldBe(string expected)
    {
        AddExpectation(r => r.Text == expected ? null : $"Expected the response body to be exactly '{expected}'");
        return this;
    }

    /// <summary>
    /// The response JSON has <paramref name="expected"/> at <paramref name="path"/> (see <see cref="JsonPath"/> for the syntax).
    /// <paramref name="expected"/> is serialized with the host's JSON options and compared structurally: numbers numerically
    /// (1.50 == 1.5, exact decimal comparison), strings ordinally, object property order ignored. Pass null to expect JSON null.
    /// </summary>
    public Scenario JsonShouldHave(string path, object? expected)
    {
        var expectedElement = expected is JsonElement element
            ? element.Clone()
            : JsonSerializer.SerializeToElement(expected, expected?.GetType() ?? typeof(object), JsonOptions);
        AddExpectation(r =>
        {
            if (!r.TryParseJson(out var root, out var parseError))
            {
                return $"Expected JSON at '{path}' to be {expectedElement.GetRawText()}, but the body is not JSON ({parseError})";
            }
            if (!JsonPath.TryResolve(root, path, out var actual, out var error))
            {
                return $"Expected JSON at '{path}' to be {expectedElement.GetRawText()}, but {error}";
            }
            return JsonEquivalence.AreEquivalent(expectedElement, actual)
                ? null
                : $"Expected JSON at '{path}' to be {expectedElement.GetRawText()}, but was {actual.GetRawText()}";
        });
        return this;
    }

    /// <summary>The response JSON has no value at <paramref name="path"/> (a JSON null counts as a value).</summary>
    public Scenario JsonShouldNotHave(string path)
    {
        AddExpectation(r =>
        {
            if (!r.TryParseJson(out var root, out var parseError))
            {
                return $"Expected no JSON at '{path}', but the body is not JSON ({parseError})";
            }
            return JsonPath.TryResolve(root, path, out var actual, out _)
                ? $"Expected no JSON at '{path}', but found {actual.GetRawText()}"
                : null;
        });
        return this;
    }

    /// <summary>A custom check: <paramref name="check"/> returns true when satisfied.</summary>
    public Scenario Expect(string description, Func<ScenarioResult, bool> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        AddExpectation(r => check(r) ? null : $"Expected {description}");
        return this;
    }

    internal void AddExpectation(Func<ScenarioResult, string?> expectation) => _expectations.Add(expectation);

    internal IEnumerable<Func<ScenarioResult, string?>> AllExpectations()
    {
        if (!_statusIgnored)
        {
            yield return _statusExpectation ?? (r => r.Status == 200
                ? null
                : $"Expected status code 200 (OK) (the default; see StatusCodeShouldBe), but was {r.Status} ({r.StatusCode})");
        }
        foreach (var expectation in _expectations)
        {
            yield return expectation;
        }
    }

    internal HttpRequestMessage BuildRequest()
    {
        if (Url is null)
        {
            throw new InvalidOperationException("The scenario has no URL: use s.Get.Url(\"/path\") or s.Post.Json(body).ToUrl(\"/path\").");
        }
        var request = new HttpRequestMessage(Method, Url);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            request.Content.Headers.ContentType = BodyContentType;
        }
        foreach (var (name, value) in RequestHeaders)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content.Headers.Remove(name);
                }
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return request;
    }
}
