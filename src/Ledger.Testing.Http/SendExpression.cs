using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ledger.Testing.Http;

/// <summary>What to send: <c>s.Post.Json(body).ToUrl("/x")</c>, <c>s.Get.Url("/x")</c>, <c>s.Put.Text("{bad", "application/json").ToUrl("/x")</c>.</summary>
public sealed class SendExpression
{
    private readonly Scenario _scenario;

    internal SendExpression(Scenario scenario) => _scenario = scenario;

    /// <summary>Sends <paramref name="body"/> serialized with the host's JSON options (web defaults: camelCase) as <c>application/json</c>.</summary>
    public SendExpression Json(object? body)
    {
        var json = JsonSerializer.Serialize(body, body?.GetType() ?? typeof(object), _scenario.JsonOptions);
        return SetBody(Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8");
    }

    /// <summary>Sends <paramref name="body"/> verbatim (UTF-8) with exactly the given Content-Type, e.g. malformed JSON.</summary>
    public SendExpression Text(string body, string contentType = "text/plain; charset=utf-8")
    {
        ArgumentNullException.ThrowIfNull(body);
        return SetBody(Encoding.UTF8.GetBytes(body), contentType);
    }

    /// <summary>Sends raw bytes with the given Content-Type.</summary>
    public SendExpression Bytes(byte[] body, string contentType = "application/octet-stream")
    {
        ArgumentNullException.ThrowIfNull(body);
        return SetBody(body, contentType);
    }

    /// <summary>The request URL, relative to the client's base address (may include a query string).</summary>
    public SendExpression ToUrl(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        _scenario.Url = url;
        return this;
    }

    /// <summary>Alias of <see cref="ToUrl"/> that reads better after <c>Get</c>/<c>Delete</c>.</summary>
    public SendExpression Url(string url) => ToUrl(url);

    private SendExpression SetBody(byte[] bytes, string contentType)
    {
        _scenario.Body = bytes;
        _scenario.BodyContentType = MediaTypeHeaderValue.Parse(contentType);
        return this;
    }
}
