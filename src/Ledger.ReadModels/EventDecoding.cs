using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx.Events;
using Ledger.Domain;
using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.ReadModels;

public enum StreamKind { Other, Agency, Renstra, Year }

/// <summary>
/// Which aggregate an event belongs to, from its stream key and its agency: <c>agency-{a}</c>,
/// <c>renstra-{a}-{periodStart}</c>, <c>year-{a}-{year}</c>. <see cref="Number"/> is the period start or the year.
/// </summary>
public readonly record struct StreamKey(StreamKind Kind, string Agency, int Number)
{
    /// <summary>The key of <paramref name="stream"/> when it belongs to <paramref name="agency"/>; Other otherwise.</summary>
    public static StreamKey Of(string stream, string? agency)
    {
        if (string.IsNullOrEmpty(agency)) return default;
        var s = stream.AsSpan();
        if (s.StartsWith("agency-", StringComparison.Ordinal) && s[7..].SequenceEqual(agency)) return new(StreamKind.Agency, agency, 0);
        if (Prefixed(s, "renstra-", agency, out var start)) return new(StreamKind.Renstra, agency, start);
        if (Prefixed(s, "year-", agency, out var year)) return new(StreamKind.Year, agency, year);
        return default;
    }

    /// <summary>
    /// The agency of an event: its <see cref="EventHeaders.Agency"/> header, else the one its stream key names
    /// (<see cref="AgencyOf"/>). A header that disagrees with the stream key makes the event Other (ignored), as before.
    /// </summary>
    public static StreamKey Of(string stream, IReadOnlyDictionary<string, object>? headers) =>
        Of(stream, Header.Text(headers, EventHeaders.Agency) ?? AgencyOf(stream));

    /// <summary>
    /// The agency named by a stream key: <c>agency-{a}</c> → a; <c>renstra-{a}-{n}</c> and <c>year-{a}-{n}</c> → a, the
    /// number being the last hyphen-separated segment (agency codes may contain hyphens). Null for any other key.
    /// </summary>
    public static string? AgencyOf(string stream)
    {
        if (stream.StartsWith("agency-", StringComparison.Ordinal)) return stream.Length > 7 ? stream[7..] : null;
        var prefix = stream.StartsWith("renstra-", StringComparison.Ordinal) ? 8 : stream.StartsWith("year-", StringComparison.Ordinal) ? 5 : 0;
        if (prefix == 0) return null;
        var last = stream.LastIndexOf('-');
        return last > prefix ? stream[prefix..last] : null;
    }

    /// <summary>stream = prefix + agency + "-" + digits (compared in place: no string is built per event).</summary>
    private static bool Prefixed(ReadOnlySpan<char> stream, string prefix, string agency, out int number)
    {
        number = 0;
        var head = prefix.Length + agency.Length + 1;
        return stream.Length > head
            && stream.StartsWith(prefix, StringComparison.Ordinal)
            && stream.Slice(prefix.Length, agency.Length).SequenceEqual(agency)
            && stream[head - 1] == '-'
            && int.TryParse(stream[head..], NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}

/// <summary>
/// One event as the read models need it (what the old store's RecordedEvent gave): global sequence, id, stream key,
/// version, stored type name, recorded time, the actor header as raw JSON, the reason header (when it is text, as the
/// HTTP history reads it: <see cref="EventHeaderValues.Text"/>), the agency (from the header or the stream key) and the
/// domain event. <see cref="Source"/> is the event that names it to the daemon (Marten's, or a replay's
/// <see cref="ReplayedEvent"/>), null when the verifier re-read it from <c>ledger.mt_events</c>.
/// </summary>
internal sealed record SakipEvent(
    long Sequence, Guid Id, string Stream, long Version, string Type, DateTimeOffset RecordedAt, string? ActorJson, string? Reason,
    StreamKey Key, IDomainEvent? Event, IEvent? Source)
{
    /// <summary>
    /// From a daemon batch. <see cref="Event"/> is null for data that is not one of the domain's events (Marten could
    /// not have loaded an unknown type without failing first, so this is only other kinds of streams).
    /// </summary>
    public static SakipEvent From(IEvent e) => e is ReplayedEvent { Data: var decoded } ? decoded :
        new(e.Sequence, e.Id, e.StreamKey ?? "", e.Version, e.EventTypeName, e.Timestamp, Header.Json(e.Headers, EventHeaders.Actor),
            EventHeaderValues.Text(e, EventHeaders.Reason), StreamKey.Of(e.StreamKey ?? "", e.Headers), e.Data as IDomainEvent, e);

    /// <summary>
    /// The same from a row of <see cref="ReadModelStatements.LogEvents"/> (the verifier's recompute reads the log in its
    /// own transaction): the headers as the daemon's <see cref="From"/> reads them (the actor object's JSON, the reason's
    /// and the agency's text), the payload deserialized by Marten's serializer under its stored type name; no
    /// <see cref="Event"/> for another kind of stream or a type the domain does not know. <paramref name="source"/>: the
    /// event that names it to the daemon (a replay's <see cref="ReplayedEvent"/>), none for the verifier's re-reads.
    /// </summary>
    public static SakipEvent Read(NpgsqlDataReader r, ISerializer serializer, IEvent? source = null)
    {
        var stream = r.GetString(2);
        var type = r.GetString(4);
        var key = StreamKey.Of(stream, r.IsDBNull(7) ? StreamKey.AgencyOf(stream) : r.GetString(7));
        var ev = key.Kind != StreamKind.Other && DomainEventTypes.TypeOf(type) is { } t ? serializer.FromJson(t, r, 5) as IDomainEvent : null;
        return new(r.GetInt64(0), r.GetGuid(1), stream, r.GetInt64(3), type, r.GetFieldValue<DateTimeOffset>(6),
            r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), key, ev, source);
    }
}

/// <summary>Marten's event headers as <see cref="EventHeadersConverter"/> reads them (text, <see cref="JsonHeaderValue"/>; JsonElements from elsewhere).</summary>
internal static class Header
{
    /// <summary>
    /// The agency header's value as text, whatever its kind (any value that is not the stream's agency makes the event
    /// Other: a number or an object never matches; PostgreSQL's <c>-&gt;&gt;</c> gives the same text for every kind the
    /// agency could match). Text headers that are only read as text (the reason) use <see cref="EventHeaderValues.Text"/>.
    /// </summary>
    public static string? Text(IReadOnlyDictionary<string, object>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var v) ? v switch
        {
            null => null,
            string s => s,
            JsonHeaderValue json => json.Json,
            JsonElement { ValueKind: JsonValueKind.String } j => j.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            JsonElement j => j.GetRawText(),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        } : null;

    /// <summary>A header as JSON text (the actor object goes into jsonb columns as it was written).</summary>
    public static string? Json(IReadOnlyDictionary<string, object>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var v) ? v switch
        {
            null => null,
            JsonHeaderValue json => json.Json,
            JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            JsonElement j => j.GetRawText(),
            _ => JsonSerializer.Serialize(v, LedgerJson.Options),
        } : null;
}

/// <summary>JSON written into the read models' jsonb columns (targets, signer, changes), in the service's dialect.</summary>
internal static class EventDecoding
{
    public static JsonSerializerOptions Json => LedgerJson.Options;

    internal static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);
}
