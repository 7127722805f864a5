using System.Globalization;
using System.Text.Json;

namespace Ledger.Testing.Http;

/// <summary>Structural JSON equality: numbers compare numerically (1.50 == 1.5), object property order is ignored.</summary>
internal static class JsonEquivalence
{
    public static bool AreEquivalent(JsonElement expected, JsonElement actual)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return false;
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                return NumbersEqual(expected.GetRawText(), actual.GetRawText());
            case JsonValueKind.String:
                return string.Equals(expected.GetString(), actual.GetString(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength()) return false;
                using (var e = expected.EnumerateArray().GetEnumerator())
                using (var a = actual.EnumerateArray().GetEnumerator())
                {
                    while (e.MoveNext() && a.MoveNext())
                    {
                        if (!AreEquivalent(e.Current, a.Current)) return false;
                    }
                }
                return true;
            case JsonValueKind.Object:
                var expectedProps = expected.EnumerateObject().ToList();
                if (expectedProps.Count != actual.EnumerateObject().Count()) return false;
                foreach (var property in expectedProps)
                {
                    if (!actual.TryGetProperty(property.Name, out var other) || !AreEquivalent(property.Value, other))
                    {
                        return false;
                    }
                }
                return true;
            default: // true, false, null, undefined
                return true;
        }
    }

    private static bool NumbersEqual(string expected, string actual)
    {
        const NumberStyles style = NumberStyles.Float;
        if (decimal.TryParse(expected, style, CultureInfo.InvariantCulture, out var de)
            && decimal.TryParse(actual, style, CultureInfo.InvariantCulture, out var da))
        {
            return de == da;
        }
        return double.TryParse(expected, style, CultureInfo.InvariantCulture, out var fe)
            && double.TryParse(actual, style, CultureInfo.InvariantCulture, out var fa)
            && fe.Equals(fa);
    }
}
