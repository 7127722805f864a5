using System.Text.Json;
using Ledger.EventStore;

namespace Ledger.Commands;

/// <summary>
/// The explicit map between stored event type names and CLR types. Names are part of the stored record: never
/// rename one; register a new name (and a new type) instead. Unknown names and types fail loudly.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _byType = [];

    public EventTypeRegistry Register<T>(string name) where T : notnull => Register(name, typeof(T));

    /// <summary>For callers that keep their list of event types as data (name, type) rather than as code.</summary>
    public EventTypeRegistry Register(string name, Type type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(type);
        if (_byName.TryGetValue(name, out var existing))
            throw new InvalidOperationException($"Event type name '{name}' is already registered for {existing}.");
        if (_byType.TryGetValue(type, out var existingName))
            throw new InvalidOperationException($"{type} is already registered as '{existingName}'.");
        _byName.Add(name, type);
        _byType.Add(type, name);
        return this;
    }

    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <exception cref="UnregisteredEventTypeException">the event's CLR type is not registered.</exception>
    public string NameOf(object @event) =>
        _byType.TryGetValue(@event.GetType(), out var name) ? name : throw new UnregisteredEventTypeException(@event.GetType());

    public EventData Serialize(Guid id, object @event, JsonSerializerOptions json) =>
        new(id, NameOf(@event), JsonSerializer.Serialize(@event, @event.GetType(), json));

    /// <exception cref="UnknownEventTypeException">the stored type name is not registered: the stream cannot be folded.</exception>
    public object Deserialize(RecordedEvent recorded, JsonSerializerOptions json)
    {
        if (!_byName.TryGetValue(recorded.Type, out var type)) throw new UnknownEventTypeException(recorded);
        return JsonSerializer.Deserialize(recorded.Json, type, json)
               ?? throw new InvalidOperationException($"Event {recorded.Id} ({recorded.Type}) in '{recorded.Stream}' has a null payload.");
    }
}

/// <summary>A stored event's type name is not in the registry. Loading its stream would silently lose facts, so it stops.</summary>
public sealed class UnknownEventTypeException(RecordedEvent recorded)
    : Exception($"Event {recorded.Id} at '{recorded.Stream}' version {recorded.Version} has type '{recorded.Type}', which is not registered.")
{
    public string TypeName { get; } = recorded.Type;
    public StreamName Stream { get; } = recorded.Stream;
}

/// <summary>A decision produced an event whose CLR type is not registered (a programming error).</summary>
public sealed class UnregisteredEventTypeException(Type type)
    : Exception($"{type} is not registered in the EventTypeRegistry.")
{
    public Type EventType { get; } = type;
}
