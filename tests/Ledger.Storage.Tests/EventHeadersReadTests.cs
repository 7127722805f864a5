using System.Text.Json;
using JasperFx.Events;
using Marten;
using static Ledger.Storage.Tests.StorageFixture;

namespace Ledger.Storage.Tests;

/// <summary>
/// Ledger's event headers read back exactly as they were written, through Marten's event reads (<c>FetchStreamAsync</c>)
/// and Ledger's stream loader (<see cref="StreamLoader"/>); the daemon's reads are covered by the read-model tests: a text header stays the same
/// text even when it looks like a date (Marten's own reader turned such text into a <see cref="DateTime"/>, so a reason
/// "2025-03-31" came back as "2025-03-31T00:00:00" in the HTTP history and as "03/31/2025 00:00:00" in the read models),
/// the actor object keeps its fields, and the other JSON kinds keep Marten's shapes (whole numbers as long, booleans,
/// null).
/// </summary>
public sealed class EventHeadersReadTests(StorageFixture fx) : IClassFixture<StorageFixture>
{
    public static TheoryData<string> Texts => new()
    {
        "2025-03-31",                        // a date
        "2026-12-05T06:00:00.000Z",          // an instant (a client's idempotency key may be one)
        "2026-12-05T06:00:00+07:00",
        "Koreksi \"angka\" triwulan\nke-2 é 😀 \\ / \u0001",  // escapes, non-ASCII, a control character
        "",
        new string('r', 5_000),              // longer than any cached value
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task TextHeaders_ReadBackAsTheSameText_ThroughMartenAndTheStreamLoader(string text)
    {
        var stream = NewStream();
        await using (var session = fx.Store.LightweightSession())
        {
            session.SetHeader(EventHeaders.Actor, new Dictionary<string, string> { ["name"] = "Siti \"S\" é", ["nip"] = "198004122000031003", ["role"] = "staff" });
            session.SetHeader(EventHeaders.Reason, text);
            session.SetHeader(EventHeaders.IdempotencyKey, text);
            session.SetHeader(EventHeaders.Agency, "bkpsdm-test");
            session.Events.Append(stream, 1, Spending(1m));
            await session.SaveChangesAsync();
        }

        await using var query = fx.Store.QuerySession();
        foreach (var e in new[] { (await query.Events.FetchStreamAsync(stream)).Single(), (await fx.Loader.ReadAsync(stream)).Single() })
        {
            Assert.Equal(text, EventHeaderValues.Text(e, EventHeaders.Reason));
            Assert.Equal(text, EventHeaderValues.Text(e, EventHeaders.IdempotencyKey));
            Assert.Equal("bkpsdm-test", EventHeaderValues.Text(e, EventHeaders.Agency));
            Assert.Equal(text, Assert.IsType<string>(e.Headers![EventHeaders.Reason]));
            var actor = EventHeaderValues.Json(e, EventHeaders.Actor)!.Value;
            Assert.Equal(JsonValueKind.Object, actor.ValueKind);
            Assert.Equal("Siti \"S\" é", actor.GetProperty("name").GetString());
            Assert.Equal("198004122000031003", actor.GetProperty("nip").GetString());
            Assert.Equal("staff", actor.GetProperty("role").GetString());
            Assert.Equal(3, actor.EnumerateObject().Count());
        }
    }

    [Fact]
    public async Task OtherJsonKinds_KeepMartensShapes_AndNestedValuesKeepTheirContent()
    {
        var stream = NewStream();
        await using (var session = fx.Store.LightweightSession())
        {
            session.SetHeader("count", 42);
            session.SetHeader("big", long.MaxValue);
            session.SetHeader("ratio", 0.5);
            session.SetHeader("flag", true);
            session.SetHeader("off", false);
            session.SetHeader("none", null!);
            session.SetHeader("list", new object[] { 1, "a", new[] { 2, 3 }, new Dictionary<string, object?> { ["k"] = null } });
            session.SetHeader("nested", new Dictionary<string, object> { ["a"] = new Dictionary<string, object> { ["b"] = "2025-03-31" }, ["c"] = Array.Empty<int>() });
            session.Events.Append(stream, 1, Spending(1m));
            await session.SaveChangesAsync();
        }

        await using var query = fx.Store.QuerySession();
        foreach (var e in new[] { (await query.Events.FetchStreamAsync(stream)).Single(), (await fx.Loader.ReadAsync(stream)).Single() })
        {
            var h = e.Headers!;
            Assert.Equal(42L, Assert.IsType<long>(h["count"]));
            Assert.Equal(long.MaxValue, Assert.IsType<long>(h["big"]));
            Assert.Equal(0.5, Assert.IsType<double>(h["ratio"]));
            Assert.True(Assert.IsType<bool>(h["flag"]));
            Assert.False(Assert.IsType<bool>(h["off"]));
            Assert.Null(h["none"]);
            Assert.Equal("""[1,"a",[2,3],{"k":null}]""", Minified(EventHeaderValues.Json(e, "list")!.Value));
            Assert.Equal("""{"a":{"b":"2025-03-31"},"c":[]}""", Minified(EventHeaderValues.Json(e, "nested")!.Value));
            Assert.Null(EventHeaderValues.Json(e, "absent"));
        }
    }

    private static string Minified(JsonElement e) => JsonSerializer.Serialize(e);
}
