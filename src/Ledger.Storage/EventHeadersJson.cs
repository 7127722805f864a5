using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Storage;

/// <summary>
/// An event header whose value is a JSON object or array (the actor), as its JSON text (minified). Immutable, so one
/// instance may be shared by every event read with the same value. <see cref="ToElement"/> parses a fresh copy each call.
/// </summary>
[JsonConverter(typeof(JsonHeaderValue.Converter))]
public sealed class JsonHeaderValue
{
    public JsonHeaderValue(string json) => Json = json;

    /// <summary>The value's JSON text.</summary>
    public string Json { get; }

    /// <summary>The value as a <see cref="JsonElement"/> of its own (not shared with any other caller).</summary>
    public JsonElement ToElement() => JsonSerializer.Deserialize<JsonElement>(Json);

    public override string ToString() => Json;

    /// <summary>Written as the JSON it holds; read from any JSON object or array.</summary>
    private sealed class Converter : JsonConverter<JsonHeaderValue>
    {
        public override JsonHeaderValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonElement.ParseValue(ref reader).GetRawText());

        public override void Write(Utf8JsonWriter writer, JsonHeaderValue value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json);
    }
}

/// <summary>
/// How Marten's serializer reads an event's headers (<c>Dictionary&lt;string, object&gt;</c>, the type of
/// <c>IEvent.Headers</c>): registered first in the options Ledger gives Marten (<see cref="LedgerMarten.Configure"/>), so
/// it is chosen before the converter for <c>object</c> that Marten adds for reading.
/// <para>
/// <b>Faithful.</b> A text header reads back as the same text. Marten's converter for <c>object</c> tries every string as
/// a date first, so a reason "2025-03-31" or an Idempotency-Key "2026-12-05T06:00:00+07:00" came back as a
/// <see cref="DateTime"/> and was then printed in another format (the HTTP history and the read models showed a reason
/// the user never wrote). A JSON object or array (the actor) reads as a <see cref="JsonHeaderValue"/>; numbers, booleans
/// and null as Marten gives them (a whole number as <see cref="long"/>, else <see cref="double"/>).
/// </para>
/// <para>
/// <b>Cheap.</b> Every event read carries headers, and Marten's reader parsed the actor into a <see cref="JsonDocument"/>
/// and cloned it into another, for every event: with the dictionaries, about 29 % of what the daemon allocated in a
/// read-model rebuild (docs/performance.md "What a rebuild allocates"; the rebuild allocates 12 % less now). Here short texts and JSON values are looked up by their bytes in small shared caches of
/// immutable values (the same actor, agency and reason recur across thousands of events), so an event read that meets
/// values seen before allocates only its dictionary.
/// </para>
/// <para>
/// Writing is unchanged: the dictionary is written by System.Text.Json's own converter, as before this converter existed,
/// so what is stored (and hashed by the audit chain) is the same JSON.
/// </para>
/// </summary>
public sealed class EventHeadersConverter : JsonConverter<Dictionary<string, object>>
{
    /// <summary>Longest text (in UTF-8 bytes, as stored, escapes included) or JSON value that is looked up in the caches.</summary>
    public const int MaxCachedBytes = 512;

    private static readonly Utf8ValueCache<string> Texts = new(2048);
    private static readonly Utf8ValueCache<JsonHeaderValue> Values = new(512);

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_json;

    public override Dictionary<string, object>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"Event headers must be a JSON object, not {reader.TokenType}.");
        var headers = new Dictionary<string, object>(4, StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = Text(ref reader);
            if (!reader.Read()) throw new JsonException("Event headers end inside a property.");
            headers[name] = Value(ref reader)!;
        }
        return headers;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, object> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize<IDictionary<string, object>>(writer, value, options);

    private static object? Value(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => Text(ref reader),
        JsonTokenType.Number => reader.TryGetInt64(out var l) ? (object)l : reader.GetDouble(), // (object): not both as double
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        JsonTokenType.StartObject or JsonTokenType.StartArray => Json(ref reader),
        var other => throw new JsonException($"Unexpected {other} in event headers."),
    };

    /// <summary>A string or property name: from the cache when its stored bytes (escapes included) were seen before.</summary>
    private static string Text(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueSpan.Length > MaxCachedBytes) return reader.GetString()!;
        var raw = reader.ValueSpan;
        if (Texts.Find(raw, out var slot) is { } known) return known;
        var text = reader.GetString()!;
        Texts.Store(slot, raw.ToArray(), text);
        return text;
    }

    /// <summary>An object or array, minified token by token (each token's bytes as stored), then looked up by those bytes.</summary>
    private static JsonHeaderValue Json(ref Utf8JsonReader reader)
    {
        var json = t_json ??= new ArrayBufferWriter<byte>(256);
        json.ResetWrittenCount();
        var depth = reader.CurrentDepth;
        var comma = false;
        while (true)
        {
            var token = reader.TokenType;
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                Put(json, token == JsonTokenType.EndObject ? (byte)'}' : (byte)']');
                comma = true;
                if (reader.CurrentDepth == depth) break;
            }
            else
            {
                if (comma) Put(json, (byte)',');
                switch (token)
                {
                    case JsonTokenType.StartObject: Put(json, (byte)'{'); comma = false; break;
                    case JsonTokenType.StartArray: Put(json, (byte)'['); comma = false; break;
                    case JsonTokenType.PropertyName: Put(json, (byte)'"'); PutRaw(json, ref reader); Put(json, (byte)'"'); Put(json, (byte)':'); comma = false; break;
                    case JsonTokenType.String: Put(json, (byte)'"'); PutRaw(json, ref reader); Put(json, (byte)'"'); comma = true; break;
                    case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null: PutRaw(json, ref reader); comma = true; break;
                    default: throw new JsonException($"Unexpected {token} in an event header.");
                }
            }
            if (!reader.Read()) throw new JsonException("An event header ends inside a value.");
        }

        var bytes = json.WrittenSpan;
        if (bytes.Length > MaxCachedBytes) return new JsonHeaderValue(Encoding.UTF8.GetString(bytes));
        if (Values.Find(bytes, out var slot) is { } known) return known;
        var value = new JsonHeaderValue(Encoding.UTF8.GetString(bytes));
        Values.Store(slot, bytes.ToArray(), value);
        return value;
    }

    private static void Put(ArrayBufferWriter<byte> json, byte b)
    {
        json.GetSpan(1)[0] = b;
        json.Advance(1);
    }

    private static void PutRaw(ArrayBufferWriter<byte> json, ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence)
        {
            foreach (var segment in reader.ValueSequence) json.Write(segment.Span);
        }
        else json.Write(reader.ValueSpan);
    }
}

/// <summary>
/// A fixed number of slots, each holding one immutable (bytes, value) pair; a value is found by its bytes' hash and then
/// compared byte for byte, and a new pair replaces whatever held its slot. Lossy and bounded: memory never grows beyond
/// the slots; readers on other threads see either the old pair or the new one.
/// </summary>
internal sealed class Utf8ValueCache<T>(int slots) where T : class
{
    private sealed class Entry(byte[] key, T value)
    {
        public readonly byte[] Key = key;
        public readonly T Value = value;
    }

    private readonly Entry?[] _slots = new Entry?[slots];

    public T? Find(ReadOnlySpan<byte> key, out int slot)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        slot = (int)((uint)hash.ToHashCode() % (uint)_slots.Length);
        var entry = Volatile.Read(ref _slots[slot]);
        return entry is not null && entry.Key.AsSpan().SequenceEqual(key) ? entry.Value : null;
    }

    public void Store(int slot, byte[] key, T value) => Volatile.Write(ref _slots[slot], new Entry(key, value));
}
