using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Domain;
using Ledger.EventStore;

namespace Ledger.ReadModels;

public enum StreamKind { Other, Agency, Renstra, Year }

/// <summary>
/// Which aggregate an event belongs to, from its stream name and tenant (the agency): <c>agency-{a}</c>,
/// <c>renstra-{a}-{periodStart}</c>, <c>year-{a}-{year}</c>. <see cref="Number"/> is the period start or the year.
/// </summary>
public readonly record struct StreamKey(StreamKind Kind, string Agency, int Number)
{
    public static StreamKey Of(string stream, string? tenant)
    {
        if (string.IsNullOrEmpty(tenant)) return default;
        var s = stream.AsSpan();
        if (s.StartsWith("agency-", StringComparison.Ordinal) && s[7..].SequenceEqual(tenant)) return new(StreamKind.Agency, tenant, 0);
        if (Prefixed(s, "renstra-", tenant, out var start)) return new(StreamKind.Renstra, tenant, start);
        if (Prefixed(s, "year-", tenant, out var year)) return new(StreamKind.Year, tenant, year);
        return default;
    }

    /// <summary>stream = prefix + tenant + "-" + digits (compared in place: no string is built per event).</summary>
    private static bool Prefixed(ReadOnlySpan<char> stream, string prefix, string tenant, out int number)
    {
        number = 0;
        var head = prefix.Length + tenant.Length + 1;
        return stream.Length > head
            && stream.StartsWith(prefix, StringComparison.Ordinal)
            && stream.Slice(prefix.Length, tenant.Length).SequenceEqual(tenant)
            && stream[head - 1] == '-'
            && int.TryParse(stream[head..], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out number);
    }
}

/// <summary>Decodes stored payloads with the dialect the service writes them in (DomainCommands.Json).</summary>
public static class EventDecoding
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The domain event, or null for a type the domain does not know. A malformed payload throws (a poison event).</summary>
    public static IDomainEvent? Decode(string type, string json)
    {
        if (DomainEventTypes.TypeOf(type) is not { } t) return null;
        return JsonSerializer.Deserialize(json, t, Json) as IDomainEvent
               ?? throw new InvalidOperationException($"Event of type '{type}' has a null payload.");
    }

    public static IDomainEvent? Decode(RecordedEvent e) => Decode(e.Type, e.Json);

    internal static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);
}
