using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Storage;
using static Ledger.Audit.Tests.LedgerFixture;

namespace Ledger.Audit.Tests;

/// <summary>
/// The canonical bytes of an event row (<c>ledger_audit.canonical</c>, migration audit/0001), which every chain hash covers,
/// are exactly the documented format for awkward values: a JSON array, UTF-8, <c>["ledger-event/2", seq_id, id,
/// stream_id, version, type, timestamp (UTC, microseconds, "Z"), tenant_id, data, mt_dotnet_type, correlation_id,
/// causation_id, headers, bdata (hex), is_archived]</c>, ", " between elements, SQL NULL as <c>null</c>, strings escaped
/// as PostgreSQL's JSON output escapes them, jsonb in jsonb's text form. <see cref="Canonical"/> recomputes that in C#,
/// without PostgreSQL, from the values alone; the tests compare bytes. Ported from the old store's CanonicalFormTests
/// (which compared two SQL forms with each other; here the reference is independent of the database).
/// </summary>
public sealed class CanonicalFormTests(LedgerFixture fx) : IClassFixture<LedgerFixture>
{
    /// <summary>An event row's values, any of them null (only seq_id is never null: it is the primary key).</summary>
    public sealed record Row(long Seq)
    {
        public Guid? Id { get; init; }
        public string? Stream { get; init; }
        public long? Version { get; init; }
        public string? Type { get; init; }
        public DateTimeOffset? Timestamp { get; init; }
        public string? Tenant { get; init; }
        public object? Data { get; init; } = Absent;
        public string? DotnetType { get; init; }
        public string? CorrelationId { get; init; }
        public string? CausationId { get; init; }
        public object? Headers { get; init; } = Absent;
        public byte[]? Bdata { get; init; }
        public bool? IsArchived { get; init; }
    }

    /// <summary>A jsonb column that is SQL NULL (as opposed to the JSON value null, <see cref="JsonNull"/>).</summary>
    public static readonly object Absent = new();

    /// <summary>The JSON value null inside a jsonb column.</summary>
    public static readonly object JsonNull = new();

    // ---- The reference: the documented format, computed in C# ----

    /// <summary>The canonical text of a row, as documented.</summary>
    public static string Canonical(Row r) => "[" + string.Join(", ",
        "\"ledger-event/2\"",
        r.Seq.ToString(CultureInfo.InvariantCulture),
        r.Id is { } id ? Quote(id.ToString("D")) : "null",
        Text(r.Stream),
        r.Version?.ToString(CultureInfo.InvariantCulture) ?? "null",
        Text(r.Type),
        r.Timestamp is { } t ? Quote(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)) : "null",
        Text(r.Tenant),
        ReferenceEquals(r.Data, Absent) ? "null" : Jsonb(r.Data),
        Text(r.DotnetType),
        Text(r.CorrelationId),
        Text(r.CausationId),
        ReferenceEquals(r.Headers, Absent) ? "null" : Jsonb(r.Headers),
        r.Bdata is { } b ? Quote(Convert.ToHexString(b).ToLowerInvariant()) : "null",
        r.IsArchived is { } a ? (a ? "true" : "false") : "null") + "]";

    private static string Text(string? s) => s is null ? "null" : Quote(s);

    /// <summary>A JSON string as PostgreSQL writes one: <c>" \ \b \f \n \r \t</c> escaped, other code points below U+0020 as \u00xx (lowercase), everything else as is.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// jsonb's text form of a value: objects with their keys ordered by UTF-8 length, then by bytes, ": " after a key and
    /// ", " between members and elements; numbers as their decimal text (scale kept); strings as <see cref="Quote"/>.
    /// </summary>
    public static string Jsonb(object? value) => value switch
    {
        null => "null",
        _ when ReferenceEquals(value, JsonNull) => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, object?> o => "{" + string.Join(", ", o
            .OrderBy(m => Encoding.UTF8.GetByteCount(m.Key))
            .ThenBy(m => Encoding.UTF8.GetBytes(m.Key), ByteOrder.Instance)
            .Select(m => Quote(m.Key) + ": " + Jsonb(m.Value))) + "}",
        IEnumerable<object?> a => "[" + string.Join(", ", a.Select(Jsonb)) + "]",
        RawJsonb raw => raw.Text,
        _ => throw new ArgumentException($"No JSON form for {value.GetType()}."),
    };

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    // ---- The database's bytes for the same rows ----

    /// <summary>The JSON input of a value (System.Text.Json: any escaping it likes; PostgreSQL parses it to the same value).</summary>
    private static object? Plain(object? v) => v switch
    {
        _ when ReferenceEquals(v, JsonNull) => null,
        IReadOnlyDictionary<string, object?> o => o.ToDictionary(m => m.Key, m => Plain(m.Value)),
        IEnumerable<object?> a => a.Select(Plain).ToList(),
        _ => v,
    };

    /// <summary><c>ledger_audit.canonical</c> of each row, built as a <c>ledger.mt_events</c> value by <c>jsonb_populate_record</c> (columns left out are NULL).</summary>
    private async Task<byte[][]> DatabaseCanonicalAsync(IReadOnlyList<Row> rows)
    {
        var input = rows.Select(r =>
        {
            var o = new Dictionary<string, object?> { ["seq_id"] = r.Seq };
            if (r.Id is { } id) o["id"] = id;
            if (r.Stream is { } s) o["stream_id"] = s;
            if (r.Version is { } v) o["version"] = v;
            if (r.Type is { } ty) o["type"] = ty;
            if (r.Timestamp is { } t) o["timestamp"] = t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
            if (r.Tenant is { } te) o["tenant_id"] = te;
            if (!ReferenceEquals(r.Data, Absent)) o["data"] = Plain(r.Data);
            if (r.DotnetType is { } dt) o["mt_dotnet_type"] = dt;
            if (r.CorrelationId is { } c) o["correlation_id"] = c;
            if (r.CausationId is { } ca) o["causation_id"] = ca;
            if (!ReferenceEquals(r.Headers, Absent)) o["headers"] = Plain(r.Headers);
            if (r.Bdata is { } b) o["bdata"] = "\\x" + Convert.ToHexString(b);
            if (r.IsArchived is { } a) o["is_archived"] = a;
            return o;
        }).ToList();
        await using var cmd = fx.Database.Owner.CreateCommand("""
            SELECT ledger_audit.canonical(jsonb_populate_record(NULL::ledger.mt_events, r))
              FROM jsonb_array_elements(@rows) WITH ORDINALITY AS t(r, n)
             ORDER BY n
            """);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter("rows", NpgsqlTypes.NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(input) });
        var result = new List<byte[]>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result.Add(reader.GetFieldValue<byte[]>(0));
        return [.. result];
    }

    private async Task AssertSameBytesAsync(IReadOnlyList<Row> rows)
    {
        var actual = await DatabaseCanonicalAsync(rows);
        Assert.Equal(rows.Count, actual.Length);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = Canonical(rows[i]);
            // Text first, for a readable difference; then the bytes themselves.
            Assert.Equal(expected, Encoding.UTF8.GetString(actual[i]));
            Assert.Equal(Encoding.UTF8.GetBytes(expected), actual[i]);
        }
    }

    private static Dictionary<string, object?> Obj(params (string Key, object? Value)[] members) => members.ToDictionary(m => m.Key, m => m.Value);

    private const string Awkward = "q\"uote \\back/slash é ñ 😀 \u2028 \uFEFF \u007f \b\f\n\r\t \u0001\u001f end";

    [Fact]
    public async Task Canonical_OneFullRow_IsExactlyTheDocumentedText()
    {
        // Written out by hand from the format in the migration and docs/architecture.md.
        var row = new Row(42)
        {
            Id = Guid.Parse("0197a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"),
            Stream = "year-bkpsdm-2023",
            Version = 3,
            Type = "budget.spending-recorded.v1",
            Timestamp = new DateTimeOffset(2025, 7, 1, 6, 59, 59, TimeSpan.FromHours(7)).AddTicks(1230),
            Tenant = "*DEFAULT*",
            Data = Obj(("code", "5.03.01"), ("amount", 0.80m), ("a", JsonNull), ("period", "Q1")),
            CorrelationId = "corr-\"1\"",
            Headers = Obj(("reason", "alasan\r\nperubahan"), ("actor", Obj(("name", "Siti"), ("nip", "198004122000031003")))),
            IsArchived = false,
        };
        const string documented = "[\"ledger-event/2\", 42, \"0197a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b\", \"year-bkpsdm-2023\", 3, " +
            "\"budget.spending-recorded.v1\", \"2025-06-30T23:59:59.000123Z\", \"*DEFAULT*\", " +
            "{\"a\": null, \"code\": \"5.03.01\", \"amount\": 0.80, \"period\": \"Q1\"}, null, \"corr-\\\"1\\\"\", null, " +
            "{\"actor\": {\"nip\": \"198004122000031003\", \"name\": \"Siti\"}, \"reason\": \"alasan\\r\\nperubahan\"}, null, false]";
        Assert.Equal(documented, Canonical(row)); // the reference says what the documentation says
        Assert.Equal(Encoding.UTF8.GetBytes(documented), (await DatabaseCanonicalAsync([row]))[0]);
    }

    [Fact]
    public async Task Canonical_NullsEmptyStringsQuotesBackslashesUnicodeAndControlCharacters_SameBytesAsTheReference()
    {
        var stamp = new DateTimeOffset(2023, 12, 31, 23, 59, 59, TimeSpan.Zero);
        await AssertSameBytesAsync(
        [
            new Row(1), // every nullable position null, and the NOT NULL ones too (the function must not fail on them)
            new Row(2) // empty everything
            {
                Id = Guid.Empty, Stream = "", Version = 0, Type = "", Timestamp = stamp, Tenant = "", Data = Obj(), DotnetType = "",
                CorrelationId = "", CausationId = "", Headers = new List<object?>(), Bdata = [], IsArchived = true,
            },
            new Row(3) // awkward text in every text position, in keys and in nested values
            {
                Id = Guid.NewGuid(), Stream = "year-" + Awkward, Version = long.MaxValue, Type = "type/\"x\"", Timestamp = stamp.AddTicks(10),
                Tenant = Awkward, Data = Obj((Awkward, Awkward), ("n", new List<object?> { 1m, -0.5m, 12345678901234567890.000m, "", JsonNull, true, Obj() })),
                DotnetType = "Ledger.Domain.X`1[[System.String]], Ledger.Domain", CorrelationId = Awkward, CausationId = "\u0002",
                Headers = Obj(("é", "1"), ("e", "2"), ("ee", Awkward), ("😀", JsonNull)), Bdata = [0x00, 0xff, 0x5c, 0x22], IsArchived = false,
            },
            new Row(4) { Data = JsonNull, Headers = "just a string \"x\"", Timestamp = stamp.AddTicks(9_999_990) }, // jsonb scalars; .999999
            new Row(long.MinValue) { Data = new List<object?>(), Headers = 0.000m, Version = -1 },
        ]);
    }

    [Fact]
    public async Task Canonical_ManyRandomRowsOfAwkwardCharacters_SameBytesAsTheReference()
    {
        var rng = new Random(20251107);
        const string alphabet = "aZ09 \"\\/'{}[]:,é€😀\u2028\u2029\uFEFF\u007f\u0080\u00a0\b\f\n\r\t\u0001\u0008\u000b\u001b\u001f";
        string? Str(bool nullable = true)
        {
            if (nullable && rng.Next(5) == 0) return null;
            var sb = new StringBuilder();
            for (var i = rng.Next(0, 12); i > 0; i--)
            {
                var c = alphabet[rng.Next(alphabet.Length)];
                if (char.IsHighSurrogate(c)) sb.Append(c).Append(alphabet[alphabet.IndexOf(c) + 1]);
                else if (!char.IsLowSurrogate(c)) sb.Append(c);
            }
            return sb.ToString();
        }
        object? Json(int depth) => rng.Next(depth > 2 ? 4 : 6) switch
        {
            0 => JsonNull,
            1 => rng.Next(2) == 0,
            2 => Math.Round((decimal)(rng.NextDouble() * 2000 - 1000), rng.Next(0, 5)),
            3 => Str(nullable: false),
            4 => Enumerable.Range(0, rng.Next(0, 4)).Select(_ => Json(depth + 1)).ToList(),
            _ => Enumerable.Range(0, rng.Next(0, 4)).Select(_ => (Str(nullable: false)!, Json(depth + 1)))
                .DistinctBy(m => m.Item1).ToDictionary(m => m.Item1, m => m.Item2),
        };
        var rows = Enumerable.Range(1, 300).Select(i => new Row(i)
        {
            Id = rng.Next(5) == 0 ? null : Guid.NewGuid(),
            Stream = Str(), Version = rng.Next(5) == 0 ? null : rng.NextInt64(1, long.MaxValue), Type = Str(),
            Timestamp = rng.Next(5) == 0 ? null : new DateTimeOffset(rng.NextInt64(DateTime.UnixEpoch.Ticks, new DateTime(2100, 1, 1).Ticks) / 10 * 10, TimeSpan.Zero)
                .ToOffset(TimeSpan.FromMinutes(rng.Next(-12 * 60, 14 * 60))),
            Tenant = Str(), Data = rng.Next(5) == 0 ? Absent : Json(0), DotnetType = Str(), CorrelationId = Str(), CausationId = Str(),
            Headers = rng.Next(3) == 0 ? Absent : Json(0), Bdata = rng.Next(3) == 0 ? null : RandomNumberGenerator.GetBytes(rng.Next(0, 5)),
            IsArchived = rng.Next(3) switch { 0 => null, 1 => true, _ => false },
        }).ToList();
        await AssertSameBytesAsync(rows);
    }

    /// <summary>
    /// Events appended through Marten (the service's path) with awkward values in the stream id, the payload, the
    /// correlation id and every header: each stored chain hash is sha256(previous || sha256(the reference's bytes)).
    /// </summary>
    [Fact]
    public async Task StoredHashes_OfAwkwardEventsAppendedThroughMarten_RecomputeFromTheReference()
    {
        var stream = "year-" + Awkward;
        await using (var session = fx.Store.LightweightSession())
        {
            session.CorrelationId = Awkward;
            session.SetHeader(EventHeaders.Actor, new Dictionary<string, string> { ["name"] = "Budi \"B\" " + Awkward, ["nip"] = "198004122000031003" });
            session.SetHeader(EventHeaders.Reason, Awkward);
            session.Events.Append(stream, 2, new Ledger.Domain.PerformanceYears.RecordingSpending.SpendingRecorded(Awkward, 0.10m, "Q1", 1.50m, 1_000_000.00m, false), Spending(2));
            await session.SaveChangesAsync();
        }

        await using var cmd = fx.Database.Owner.CreateCommand("""
            SELECT e.seq_id, e.id, e.stream_id, e.version, e.type, e.timestamp, e.tenant_id, e.data::text, e.mt_dotnet_type,
                   e.correlation_id, e.causation_id, e.headers::text, e.bdata, e.is_archived, h.hash
              FROM ledger.mt_events e JOIN ledger_audit.event_hashes h USING (seq_id)
             WHERE e.stream_id = @s ORDER BY e.version
            """);
        cmd.Parameters.AddWithValue("s", stream);
        var previous = new byte[32];
        var count = 0;
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var row = new Row(r.GetInt64(0))
            {
                Id = r.GetGuid(1), Stream = r.GetString(2), Version = r.GetInt64(3), Type = S(4),
                Timestamp = r.GetFieldValue<DateTimeOffset>(5), Tenant = S(6), Data = new RawJsonb(r.GetString(7)), DotnetType = S(8),
                CorrelationId = S(9), CausationId = S(10), Headers = r.IsDBNull(11) ? Absent : new RawJsonb(r.GetString(11)),
                Bdata = r.IsDBNull(12) ? null : r.GetFieldValue<byte[]>(12), IsArchived = r.IsDBNull(13) ? null : r.GetBoolean(13),
            };
            var expected = SHA256.HashData([.. previous, .. SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(row)))]);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(r.GetFieldValue<byte[]>(14)));
            previous = expected;
            count++;
        }
        Assert.Equal(2, count);
        Assert.True((await ChainVerifier.VerifyAsync(fx.Service)).Ok);
    }

    /// <summary>A jsonb value as PostgreSQL printed it (a payload Marten wrote): its text form is the value itself.</summary>
    private sealed record RawJsonb(string Text);
}
