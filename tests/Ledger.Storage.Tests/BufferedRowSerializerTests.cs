using System.Text.Json;
using JasperFx.Events;
using Ledger.Domain.PerformanceYears.RecordingSpending;
using Marten;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// <see cref="BufferedRowSerializer"/>: Marten's event reads deserialize a row's JSON synchronously, and give exactly
/// what Marten's own serializer gives (data and headers), also for a row larger than Npgsql's read buffer.
/// </summary>
public sealed class BufferedRowSerializerTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    [Fact]
    public void LedgerStore_UsesTheBufferedRowSerializerOverMartensSystemTextJson()
    {
        var serializer = Assert.IsType<BufferedRowSerializer>(fx.Store.Options.Serializer());
        Assert.IsType<Marten.Services.SystemTextJsonSerializer>(serializer.Inner);
    }

    [Fact]
    public async Task FetchStream_GivesWhatMartensOwnSerializerGives_DataAndHeaders_AlsoForARowLargerThanTheReadBuffer()
    {
        var stream = NewStream();
        await fx.AppendAsync(stream, 0, Spending(1.50m), Spending(2m));
        // A reason of 100 000 characters: the row is larger than Npgsql's 8 KB read buffer.
        var large = new string('x', 100_000);
        await using (var session = fx.Store.LightweightSession())
        {
            session.SetHeader(EventHeaders.Actor, new Dictionary<string, string> { ["name"] = "Budi", ["nip"] = "198004122000031003", ["role"] = "staff" });
            session.SetHeader(EventHeaders.Reason, large);
            session.SetHeader(EventHeaders.Agency, "bkpsdm-test");
            session.Events.Append(stream, 3, Spending(3.125m));
            await session.SaveChangesAsync();
        }

        // The same store with Marten's serializer as configured, without the wrapper.
        using var plain = DocumentStore.For(o =>
        {
            LedgerMarten.Configure(o, fx.ServiceConnectionString);
            o.Serializer(((BufferedRowSerializer)o.Serializer()).Inner);
        });
        Assert.IsNotType<BufferedRowSerializer>(plain.Options.Serializer());

        IReadOnlyList<IEvent> ours, theirs;
        await using (var s = fx.Store.QuerySession()) ours = await s.Events.FetchStreamAsync(stream);
        await using (var s = plain.QuerySession()) theirs = await s.Events.FetchStreamAsync(stream);

        Assert.Equal(3, ours.Count);
        Assert.Equal(theirs.Select(Describe), ours.Select(Describe));
        Assert.Equal([1.50m, 2m, 3.125m], ours.Select(e => ((SpendingRecorded)e.Data).Amount));
        Assert.Equal("test", EventHeaderValues.Text(ours[0], EventHeaders.Reason));
        Assert.Equal(large, EventHeaderValues.Text(ours[2], EventHeaders.Reason));
        Assert.Equal("Budi", EventHeaderValues.Json(ours[2], EventHeaders.Actor)!.Value.GetProperty("name").GetString());

    }

    /// <summary>Everything Marten read back: type, data as JSON, every header's CLR type and JSON, the metadata.</summary>
    private static string Describe(IEvent e) =>
        string.Join(" | ", e.Data.GetType().FullName, JsonSerializer.Serialize(e.Data, e.Data.GetType(), LedgerJson.Options),
            string.Join(";", (e.Headers ?? []).OrderBy(h => h.Key, StringComparer.Ordinal)
                .Select(h => $"{h.Key}={h.Value?.GetType().Name}:{(h.Value is null ? "null" : JsonSerializer.Serialize(h.Value, h.Value.GetType(), LedgerJson.Options))}")),
            e.Id, e.Version, e.Sequence, e.Timestamp.ToString("O"), e.StreamKey, e.CorrelationId, e.CausationId, e.EventTypeName);
}
