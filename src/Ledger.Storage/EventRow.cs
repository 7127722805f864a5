using System.Collections.Concurrent;
using JasperFx.Events;
using Ledger.Domain;
using Marten;
using Npgsql;

namespace Ledger.Storage;

/// <summary>
/// A row of <c>ledger.mt_events</c> (selected as <see cref="Columns"/>, the table aliased <c>d</c>) as the event Marten's
/// own reads give for it: Marten's <see cref="Event{T}"/> of the domain type its stored name maps to
/// (<see cref="DomainEventTypes"/>, the names Marten is configured with), the payload and the headers deserialized by
/// Marten's configured serializer (<see cref="EventHeadersConverter"/> for the headers), the same metadata. An unknown
/// type name fails with Marten's <c>UnknownEventTypeException</c>, as Marten's stream reads do; a payload that does not
/// read, with the <c>EventDeserializationFailureException</c> naming its sequence and type (the read models' page loader's).
/// </summary>
internal static class EventRow
{
    public const string Columns =
        "d.data, d.type, d.mt_dotnet_type, d.seq_id, d.id, d.stream_id, d.version, d.timestamp, d.tenant_id, d.correlation_id, d.causation_id, d.headers, d.is_archived";

    private static readonly ConcurrentDictionary<Type, Func<object, IEvent>> Wrappers = new();

    public static IEvent Read(NpgsqlDataReader r, ISerializer serializer)
    {
        var type = r.GetString(1);
        var sequence = r.GetInt64(3);
        var clr = DomainEventTypes.TypeOf(type) ?? throw new Marten.Exceptions.UnknownEventTypeException(type, sequence);
        object data;
        try
        {
            data = serializer.FromJson(clr, r, 0);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            throw new JasperFx.Events.EventDeserializationFailureException(sequence, type, failure);
        }
        var e = Wrappers.GetOrAdd(clr, static t => typeof(EventRow).GetMethod(nameof(Wrap), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(t).CreateDelegate<Func<object, IEvent>>())(data);
        e.EventTypeName = type;
        e.DotNetTypeName = r.IsDBNull(2) ? null! : r.GetString(2);
        e.Sequence = sequence;
        e.Id = r.GetGuid(4);
        e.StreamKey = r.GetString(5);
        e.Version = r.GetInt64(6);
        e.Timestamp = r.GetFieldValue<DateTimeOffset>(7);
        e.TenantId = r.GetString(8);
        e.CorrelationId = r.IsDBNull(9) ? null : r.GetString(9);
        e.CausationId = r.IsDBNull(10) ? null : r.GetString(10);
        e.Headers = r.IsDBNull(11) ? null : serializer.FromJson<Dictionary<string, object>>(r, 11);
        e.IsArchived = r.GetBoolean(12);
        return e;
    }

    private static IEvent Wrap<T>(object data) where T : notnull => new Event<T>((T)data);
}
