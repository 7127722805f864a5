using System.Globalization;
using System.Text.Json;
using Alba;

namespace Ledger.Api.Tests;

/// <summary>
/// Reading what an Alba scenario answered, in the words the tests use: <c>result.Status</c>, <c>result.Text</c>,
/// <c>result.Json</c>, <c>result.JsonAt("errors.code[0]")</c>, <c>result.Header("ETag")</c>, <c>result.EventId()</c>.
/// Alba buffers the response, so every read is repeatable. A read that fails (not JSON, no such path) throws with the
/// request line, the status and the body.
/// </summary>
public static class ScenarioResults
{
    extension(IScenarioResult result)
    {
        /// <summary>The response status code.</summary>
        public int Status => result.Context.Response.StatusCode;

        /// <summary>The response body as text.</summary>
        public string Text => result.ReadAsText();

        /// <summary>The response body parsed as JSON (a detached copy).</summary>
        public JsonElement Json
        {
            get
            {
                var text = result.ReadAsText();
                try
                {
                    using var document = JsonDocument.Parse(text);
                    return document.RootElement.Clone();
                }
                catch (JsonException e)
                {
                    throw result.Failure($"The response body is not JSON ({(text.Length == 0 ? "it is empty" : e.Message)}).");
                }
            }
        }

        /// <summary>
        /// The JSON value at <paramref name="path"/>: property names joined by dots, <c>[n]</c> for array items,
        /// <c>["odd.name"]</c> for names with dots or slashes; a leading <c>$</c> or <c>$.</c> is optional (the same paths
        /// as Alba's <c>s.JsonPath(...)</c>). Throws, with the response, when the path does not exist.
        /// </summary>
        public JsonElement JsonAt(string path) =>
            TryResolve(result.Json, path, out var value, out var error) ? value : throw result.Failure($"JSON path '{path}': {error}.");

        /// <summary>Whether the body is JSON with a value (JSON null counts) at <paramref name="path"/>.</summary>
        public bool TryJsonAt(string path, out JsonElement value)
        {
            value = default;
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(result.ReadAsText());
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return false;
            }
            return TryResolve(root, path, out value, out _);
        }

        /// <summary>A response header's value (several values joined with ", "), or null when it was not written.</summary>
        public string? Header(string name) =>
            result.Context.Response.Headers.TryGetValue(name, out var values) && values.Count > 0 ? string.Join(", ", values.ToArray()) : null;

        /// <summary>The Content-Type's media type without parameters (<c>application/problem+json</c>), or null.</summary>
        public string? ContentType() => result.Context.Response.ContentType?.Split(';')[0].Trim();

        /// <summary>The id of the <paramref name="index"/>-th event a write answered with (<c>eventIds[index]</c>).</summary>
        public Guid EventId(int index = 0) => result.JsonAt($"eventIds[{index}]").GetGuid();

        /// <summary>An exception whose message has <paramref name="headline"/>, the request line, the status and the body.</summary>
        public Exception Failure(string headline)
        {
            var request = result.Context.Request;
            var body = result.ReadAsText();
            return new InvalidOperationException(
                $"{headline}\n{request.Method} {request.Path}{request.QueryString} answered {result.Status}:\n{(body.Length == 0 ? "<empty body>" : body)}");
        }
    }

    private static bool TryResolve(JsonElement root, string path, out JsonElement value, out string? error)
    {
        value = root;
        var walked = "$";
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                i++;
                continue;
            }
            string? name = null;
            int? index = null;
            if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0) throw new FormatException($"JSON path '{path}': '[' at {i} is not closed");
                var inner = path[(i + 1)..close].Trim();
                if (inner.Length >= 2 && inner[0] is ('"' or '\'') && inner[^1] == inner[0]) name = inner[1..^1];
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) index = n;
                else throw new FormatException($"JSON path '{path}': '[{inner}]' is neither an index nor a quoted name");
                i = close + 1;
            }
            else
            {
                var end = path.IndexOfAny(['.', '['], i);
                if (end < 0) end = path.Length;
                name = path[i..end];
                i = end;
            }

            if (index is { } item)
            {
                if (value.ValueKind != JsonValueKind.Array || item >= value.GetArrayLength())
                {
                    error = value.ValueKind == JsonValueKind.Array
                        ? $"{walked} has {value.GetArrayLength()} items, so [{item}] does not exist"
                        : $"{walked} is {value.ValueKind}, not an array";
                    return false;
                }
                value = value[item];
                walked += $"[{item}]";
            }
            else
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name!, out var next))
                {
                    error = value.ValueKind == JsonValueKind.Object
                        ? $"no '{name}' at {walked} (it has: {string.Join(", ", value.EnumerateObject().Select(p => p.Name))})"
                        : $"{walked} is {value.ValueKind}, not an object";
                    return false;
                }
                value = next;
                walked += $".{name}";
            }
        }
        error = null;
        return true;
    }
}
