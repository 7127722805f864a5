using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ledger.Domain.PerformanceYears.ClosingYear;

/// <summary>
/// <c>ledger-canonical-json/1</c>, the byte form a frozen snapshot's hash is taken over (docs/snapshots.md):
/// <list type="bullet">
/// <item>UTF-8, no byte-order mark, no whitespace outside strings;</item>
/// <item>object members sorted by key, comparing UTF-16 code units (ordinal, as RFC 8785); a duplicate key is refused;</item>
/// <item>arrays in their order; <c>true</c>, <c>false</c>, <c>null</c> literally (nulls are kept, not dropped);</item>
/// <item>strings: <c>"</c> and <c>\</c> escaped with a backslash; U+0008, U+0009, U+000A, U+000C, U+000D as <c>\b \t \n \f \r</c>;
/// other code points below U+0020 as <c>\u00xx</c> (lowercase hex); everything else literally, a lone surrogate is refused;</item>
/// <item>numbers exactly as recorded, in plain decimal notation: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c>; trailing zeros of
/// the fraction are the decimal's scale and are kept (<c>1.50</c> stays <c>1.50</c>); an exponent is refused, never
/// converted (that would change the scale or, for doubles, the value).</item>
/// </list>
/// The hash is SHA-256 of those bytes, lowercase hex.
/// </summary>
public static partial class CanonicalJson
{
    public const string Name = "ledger-canonical-json/1";

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainNumber();

    public static byte[] Encode(JsonElement value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(sb.ToString());
    }

    /// <summary>The canonical bytes of a value serialised with <paramref name="options"/>.</summary>
    public static byte[] Encode<T>(T value, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(value, options));
        return Encode(doc.RootElement);
    }

    public static string Sha256Hex(byte[] canonical) => Convert.ToHexStringLower(SHA256.HashData(canonical));

    public static string Hash(JsonElement value) => Sha256Hex(Encode(value));

    private static void Write(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var members = e.EnumerateObject().Select(p => (p.Name, p.Value)).ToList();
                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                sb.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        if (members[i].Name == members[i - 1].Name)
                            throw new FormatException($"Duplicate key '{members[i].Name}' has no canonical form.");
                        sb.Append(',');
                    }
                    WriteString(sb, members[i].Name);
                    sb.Append(':');
                    Write(sb, members[i].Value);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(sb, e.GetString()!);
                break;
            case JsonValueKind.Number:
                var raw = e.GetRawText();
                if (!PlainNumber().IsMatch(raw))
                    throw new FormatException($"Number '{raw}' is not in plain decimal notation; it has no canonical form.");
                sb.Append(raw);
                break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            case JsonValueKind.Null: sb.Append("null"); break;
            default: throw new FormatException($"Unexpected JSON value kind {e.ValueKind}.");
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) sb.Append(c).Append(s[++i]);
                    else if (char.IsSurrogate(c)) throw new FormatException("A lone surrogate has no canonical form.");
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
