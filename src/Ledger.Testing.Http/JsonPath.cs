using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.Testing.Http;

/// <summary>
/// A deliberately small JSON path: property names joined by dots, array indexes in brackets,
/// e.g. <c>errors.code[0]</c>, <c>$.items[2].amount</c>, <c>data["odd.name"]</c>.
/// A leading <c>$</c> / <c>$.</c> is optional. Property names are matched case-sensitively.
/// </summary>
public static class JsonPath
{
    /// <summary>Follows <paramref name="path"/> from <paramref name="root"/>.</summary>
    /// <returns>false with a human-readable <paramref name="error"/> when the path does not exist.</returns>
    public static bool TryResolve(JsonElement root, string path, out JsonElement value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        var current = root;
        var walked = new StringBuilder("$");
        foreach (var segment in Parse(path))
        {
            if (segment.Index is int index)
            {
                if (current.ValueKind != JsonValueKind.Array)
                {
                    return Fail($"{walked} is {Describe(current)}, not an array, so [{index}] does not exist", out value, out error);
                }
                var length = current.GetArrayLength();
                if (index < 0 || index >= length)
                {
                    return Fail($"index [{index}] is out of range at {walked} (array length {length})", out value, out error);
                }
                current = current[index];
                walked.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                var name = segment.Name!;
                if (current.ValueKind != JsonValueKind.Object)
                {
                    return Fail($"{walked} is {Describe(current)}, not an object, so property '{name}' does not exist", out value, out error);
                }
                if (!current.TryGetProperty(name, out var next))
                {
                    var available = string.Join(", ", current.EnumerateObject().Select(p => p.Name));
                    return Fail($"property '{name}' not found at {walked} (properties: {(available.Length == 0 ? "none" : available)})", out value, out error);
                }
                current = next;
                walked.Append('.').Append(name);
            }
        }
        value = current;
        error = null;
        return true;
    }

    /// <summary>Follows <paramref name="path"/> or throws <see cref="KeyNotFoundException"/> explaining where it stopped.</summary>
    public static JsonElement Resolve(JsonElement root, string path) =>
        TryResolve(root, path, out var value, out var error)
            ? value
            : throw new KeyNotFoundException($"JSON path '{path}': {error}");

    private static bool Fail(string message, out JsonElement value, out string? error)
    {
        value = default;
        error = message;
        return false;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    private readonly record struct Segment(string? Name, int? Index);

    private static List<Segment> Parse(string path)
    {
        var segments = new List<Segment>();
        var i = 0;
        if (path.StartsWith('$')) i = 1;
        while (i < path.Length)
        {
            var c = path[i];
            if (c == '.')
            {
                i++;
                continue;
            }
            if (c == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0) throw new FormatException($"JSON path '{path}': unclosed '[' at position {i}");
                var inner = path[(i + 1)..close].Trim();
                if (inner.Length >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[^1] == inner[0])
                {
                    segments.Add(new Segment(inner[1..^1], null));
                }
                else if (int.TryParse(inner, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(new Segment(null, index));
                }
                else
                {
                    throw new FormatException($"JSON path '{path}': '[{inner}]' is neither an index nor a quoted name");
                }
                i = close + 1;
                continue;
            }
            var end = path.IndexOfAny(['.', '['], i);
            if (end < 0) end = path.Length;
            segments.Add(new Segment(path[i..end], null));
            i = end;
        }
        return segments;
    }
}
