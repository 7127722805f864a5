using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Ledger.Testing.Approvals;

/// <summary>Turns a value into canonical, scrubbed, indented JSON text (LF line endings, trailing newline).</summary>
internal static partial class SnapshotSerializer
{
    internal static readonly JsonSerializerOptions DefaultOptions = CreateDefaultOptions();

    private static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize(object? target, VerifySettings settings)
    {
        var root = ToElement(target, settings);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            new Walker(settings).Write(writer, root);
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static JsonElement ToElement(object? target, VerifySettings settings)
    {
        switch (target)
        {
            case string json:
                try
                {
                    using (var document = JsonDocument.Parse(json))
                    {
                        return document.RootElement.Clone();
                    }
                }
                catch (JsonException e)
                {
                    throw new ArgumentException($"The string given to VerifyJson is not valid JSON: {e.Message}", nameof(target), e);
                }
            case JsonElement element:
                return element;
            case JsonDocument document:
                return document.RootElement;
            case JsonNode node:
                return JsonSerializer.SerializeToElement(node, DefaultOptions);
            default:
                return JsonSerializer.SerializeToElement(target, target?.GetType() ?? typeof(object), settings.SerializerOptions ?? DefaultOptions);
        }
    }

    [GeneratedRegex(@"(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])")]
    private static partial Regex GuidPattern();

    [GeneratedRegex(@"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")]
    private static partial Regex HashPattern();

    // A date AND a time (date-only values such as 2023-10-02 are business data and stay), optional fraction and offset.
    [GeneratedRegex(@"(?<!\d)\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?(?!\d)")]
    private static partial Regex DateTimePattern();

    /// <summary>One pass over the document in order, so placeholder numbering follows order of appearance.</summary>
    private sealed class Walker(VerifySettings settings)
    {
        private readonly Placeholders _guids = new("Guid");
        private readonly Placeholders _dates = new("DateTimeOffset");
        private readonly Placeholders _hashes = new("Hash");

        public void Write(Utf8JsonWriter writer, JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    IEnumerable<JsonProperty> properties = element.EnumerateObject();
                    if (settings.SortProperties) properties = properties.OrderBy(p => p.Name, StringComparer.Ordinal);
                    foreach (var property in properties)
                    {
                        if (settings.IgnoredMembers.Contains(property.Name)) continue;
                        writer.WritePropertyName(ScrubText(property.Name));
                        if (settings.ScrubbedMembers.Contains(property.Name))
                        {
                            writer.WriteStringValue("Scrubbed");
                        }
                        else
                        {
                            Write(writer, property.Value);
                        }
                    }
                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in element.EnumerateArray()) Write(writer, item);
                    writer.WriteEndArray();
                    break;
                case JsonValueKind.String:
                    writer.WriteStringValue(ScrubText(element.GetString()!));
                    break;
                case JsonValueKind.Number:
                    WriteNumber(writer, element);
                    break;
                default:
                    element.WriteTo(writer);
                    break;
            }
        }

        private static void WriteNumber(Utf8JsonWriter writer, JsonElement number)
        {
            var raw = number.GetRawText();
            // Keep the number as written (1.50 stays 1.50), but never with an exponent.
            if (raw.Contains('e', StringComparison.OrdinalIgnoreCase)
                && decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                writer.WriteNumberValue(value);
                return;
            }
            number.WriteTo(writer); // writes the original digits, indentation-aware
        }

        private string ScrubText(string text)
        {
            foreach (var (pattern, replacement) in settings.RegexScrubbers)
            {
                text = pattern.Replace(text, replacement);
            }
            if (settings.ScrubGuids)
            {
                text = GuidPattern().Replace(text, m => Guid.Parse(m.Value) == Guid.Empty ? "Guid_Empty" : _guids.For(m.Value));
            }
            if (settings.ScrubHashes)
            {
                text = HashPattern().Replace(text, m => _hashes.For(m.Value));
            }
            if (settings.ScrubDateTimes)
            {
                text = DateTimePattern().Replace(text, m => _dates.For(m.Value));
            }
            return text;
        }
    }

    private sealed class Placeholders(string prefix)
    {
        private readonly Dictionary<string, string> _seen = new(StringComparer.OrdinalIgnoreCase);

        public string For(string value)
        {
            if (!_seen.TryGetValue(value, out var placeholder))
            {
                placeholder = $"{prefix}_{(_seen.Count + 1).ToString(CultureInfo.InvariantCulture)}";
                _seen[value] = placeholder;
            }
            return placeholder;
        }
    }
}
