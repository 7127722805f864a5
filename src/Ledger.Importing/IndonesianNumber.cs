using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Importing;

/// <summary>
/// Numbers written the Indonesian way: <c>,</c> is the decimal mark and <c>.</c> groups thousands in threes
/// (<c>1.234,56</c>, <c>92,93</c>, <c>15.625.599.024</c>, <c>0,75</c>, <c>-3,5</c>). Anything that could be read two ways is
/// refused with the reason, never guessed:
/// <list type="bullet">
/// <item><c>1.234</c> (one dot, three digits after, no comma): 1234 in Indonesian, 1.234 in English;</item>
/// <item><c>68.58</c>: a dot used as decimal mark (seed 001 prints "68.58", "24.05"), which this format does not allow;</item>
/// <item><c>1,234.56</c> (English), misplaced or mixed separators, several commas, spaces, signs other than a leading minus.</item>
/// </list>
/// </summary>
public static partial class IndonesianNumber
{
    [GeneratedRegex(@"^-?\d+(,\d+)?$")]
    private static partial Regex Plain();

    [GeneratedRegex(@"^-?\d{1,3}(\.\d{3})+(,\d+)?$")]
    private static partial Regex Grouped();

    public static bool TryParse(string? text, out decimal value, out string? error)
    {
        value = 0;
        error = null;
        var s = text?.Trim() ?? "";
        if (s.Length == 0) { error = "empty: a number is required"; return false; }
        if (Plain().IsMatch(s) || Grouped().IsMatch(s))
        {
            // A single group and no decimal part: "1.234" is 1234 to an Indonesian reader and 1.234 to anyone else.
            if (!s.Contains(',') && s.Count(c => c == '.') == 1)
            {
                error = $"'{s}' is ambiguous: 1.234 means 1234 in Indonesian and 1.234 in English; write '{s.Replace(".", "")}' for the whole number or use ',' for decimals";
                return false;
            }
            var invariant = s.Replace(".", "").Replace(',', '.');
            if (decimal.TryParse(invariant, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
                return true;
            error = $"'{s}' is out of range";
            return false;
        }
        error = Explain(s);
        return false;
    }

    public static decimal Parse(string? text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    private static string Explain(string s)
    {
        var dot = s.LastIndexOf('.');
        var comma = s.LastIndexOf(',');
        if (dot >= 0 && comma >= 0 && dot > comma)
            return $"'{s}' looks like an English number ('.' after ','); Indonesian numbers use ',' for decimals and '.' for thousands, e.g. 1.234,56";
        if (dot >= 0 && comma < 0)
            return $"'{s}' uses '.' as a decimal mark; write it with ',' (e.g. {s.Replace('.', ',')}) — '.' only groups thousands in threes";
        if (s.Count(c => c == ',') > 1)
            return $"'{s}' has more than one decimal comma";
        if (dot >= 0)
            return $"'{s}' groups thousands wrongly: '.' must separate groups of exactly three digits (1.234.567,89)";
        return $"'{s}' is not a number (digits, '.' for thousands, ',' for decimals, an optional leading '-')";
    }
}
