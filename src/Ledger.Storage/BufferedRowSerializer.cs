using System.Buffers;
using System.Data.Common;
using Marten;
using Npgsql;
using Weasel.Core;
using ISerializer = Marten.ISerializer;

namespace Ledger.Storage;

/// <summary>
/// Marten's System.Text.Json serializer, except that JSON read from a row of a <see cref="DbDataReader"/> is
/// deserialized synchronously even when Marten asks asynchronously. Marten's event reads (the async daemon's loader,
/// <c>FetchForWriting</c>, <c>FetchLatest</c>, stream queries) ask <c>FromJsonAsync</c> for every event's data and
/// headers, which opens the column as a stream and runs System.Text.Json's asynchronous, resumable deserializer over
/// it: per event two async state machines, a stream over the row and the resumable reader's state, where the bytes are
/// already in memory. Npgsql reads a whole row into its buffer before <c>ReadAsync</c> returns unless the command asked
/// for sequential access, which Marten never does (its own <c>JsonStreamingExtensions</c> relies on it): the synchronous
/// read does no I/O and is the same deserializer over the same bytes (Marten's own <c>FromJson</c>, unchanged). With
/// sequential access it would still be correct, only blocking while the column arrives. Everything else is Marten's
/// serializer as configured (docs/performance.md "The rebuild under server GC": "Marten's event reads without the
/// asynchronous deserializer").
/// </summary>
public sealed class BufferedRowSerializer(ISerializer inner) : ISerializer
{
    /// <summary>The serializer every call is forwarded to.</summary>
    public ISerializer Inner { get; } = inner;

    public ValueTask<T> FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Inner.FromJson<T>(reader, index));
    }

    public ValueTask<object> FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Inner.FromJson(type, reader, index));
    }

    // Everything below: Marten's serializer, unchanged.
    public EnumStorage EnumStorage => Inner.EnumStorage;
    public Casing Casing => Inner.Casing;
    public ValueCasting ValueCasting => Inner.ValueCasting;
    public string ToJson(object? document) => Inner.ToJson(document);
    public void WriteTo(IBufferWriter<byte> writer, object? value) => Inner.WriteTo(writer, value);
    public void WriteToParameter(NpgsqlParameter parameter, object? value) => Inner.WriteToParameter(parameter, value);
    public string ToCleanJson(object? document) => Inner.ToCleanJson(document);
    public void WriteToCleanJson(IBufferWriter<byte> writer, object? value) => Inner.WriteToCleanJson(writer, value);
    public string ToJsonWithTypes(object document) => Inner.ToJsonWithTypes(document);
    public void WriteToJsonWithTypes(IBufferWriter<byte> writer, object value) => Inner.WriteToJsonWithTypes(writer, value);
    public T FromJson<T>(Stream stream) => Inner.FromJson<T>(stream);
    public T FromJson<T>(DbDataReader reader, int index) => Inner.FromJson<T>(reader, index);
    public ValueTask<T> FromJsonAsync<T>(Stream stream, CancellationToken cancellationToken = default) => Inner.FromJsonAsync<T>(stream, cancellationToken);
    public object FromJson(Type type, Stream stream) => Inner.FromJson(type, stream);
    public object FromJson(Type type, DbDataReader reader, int index) => Inner.FromJson(type, reader, index);
    public ValueTask<object> FromJsonAsync(Type type, Stream stream, CancellationToken cancellationToken = default) => Inner.FromJsonAsync(type, stream, cancellationToken);
}
