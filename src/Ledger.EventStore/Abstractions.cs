namespace Ledger.EventStore;

/// <summary>A stream's id, e.g. <c>pk-bkpsdm-surakarta-2023</c>. Never empty, at most 200 characters.</summary>
public readonly record struct StreamName
{
    public StreamName(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("A stream name cannot be empty.", nameof(value));
        if (value.Length > 200) throw new ArgumentException("A stream name is at most 200 characters.", nameof(value));
        Value = value;
    }

    public string Value { get; }
    public override string ToString() => Value;
}

/// <summary>What an append expects of its stream: any version, no stream yet, or exactly version N (N ≥ 1).</summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(long? value) => Value = value;

    /// <summary>null = any; 0 = the stream must not exist; N = exactly N.</summary>
    public long? Value { get; }

    public static ExpectedVersion Any => new(null);
    public static ExpectedVersion NoStream => new(0);
    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version), "A version is never negative.");

    public override string ToString() => Value switch { null => "any", 0 => "no stream", var v => v.ToString()! };
}

/// <summary>A position in the whole log: an event's global sequence number. 0 is "before the first event".</summary>
public readonly record struct GlobalPosition(long Value) : IComparable<GlobalPosition>
{
    public static GlobalPosition Start => new(0);
    public int CompareTo(GlobalPosition other) => Value.CompareTo(other.Value);
    public override string ToString() => Value.ToString();
}

/// <summary>An event to append: its id, stable type name and JSON payload (serialised by the caller).</summary>
public sealed record EventData(Guid Id, string Type, string Json);

/// <summary>Who, why and in which conversation: recorded on every event of one append.</summary>
public sealed record AppendMetadata
{
    /// <summary>The acting user as a JSON object (the store does not interpret it).</summary>
    public string? ActorJson { get; init; }
    public string? Reason { get; init; }
    public string? CorrelationId { get; init; }
    public string? CausationId { get; init; }
    public string? IdempotencyKey { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    public static AppendMetadata None { get; } = new();
}

public sealed record AppendRequest(
    StreamName Stream, string StreamType, string? Tenant, ExpectedVersion Expected,
    IReadOnlyList<EventData> Events, AppendMetadata Metadata);

/// <summary>The stream's new version, the global positions of the appended events (in order) and their recorded time.</summary>
public sealed record AppendResult(StreamName Stream, long Version, IReadOnlyList<long> Sequences, DateTimeOffset RecordedAt)
{
    /// <summary>Each appended event's chain hash, in order.</summary>
    public IReadOnlyList<byte[]> Hashes { get; init; } = [];
}

public sealed record RecordedEvent(
    long Sequence, Guid Id, StreamName Stream, long Version, string Type, string Json, DateTimeOffset RecordedAt,
    string? Tenant, string? ActorJson, string? Reason, string? CorrelationId, string? CausationId,
    string? IdempotencyKey, string? HeadersJson, byte[] Hash);

/// <summary>How far to read one stream: all of it, up to a version, or as it stood at an instant (recorded time).</summary>
public sealed record StreamReadOptions
{
    public long? UpToVersion { get; init; }
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Skip the events before this version (inclusive bound): a reader resuming from a stream snapshot.</summary>
    public long? FromVersion { get; init; }

    public static StreamReadOptions Whole { get; } = new();
}

public interface IEventWriter
{
    /// <exception cref="WrongExpectedVersionException">the stream is not at the expected version; nothing was written.</exception>
    Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default);
}

public interface IEventReader
{
    /// <summary>The stream's events in version order; empty if the stream does not exist (or did not yet, as of the instant).</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(StreamName stream, StreamReadOptions? options = null, CancellationToken ct = default);

    /// <summary>The stream's current version, or 0 when it does not exist.</summary>
    Task<long> StreamVersionAsync(StreamName stream, CancellationToken ct = default);
}

public interface IEventStore : IEventReader, IEventWriter
{
    /// <summary>A reader of the whole log in global order that never skips a late commit (see <see cref="AllStreamReader"/>).</summary>
    AllStreamReader CreateAllStreamReader();
}

/// <summary>The stream was not at the expected version. Carries the stream and both versions; nothing was written.</summary>
public sealed class WrongExpectedVersionException(StreamName stream, ExpectedVersion expected, long actual)
    : Exception($"Stream '{stream}' was expected at version {expected} but is at {actual}.")
{
    public StreamName Stream { get; } = stream;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actual;
}
