using System.Globalization;

namespace Ledger.Web.Formatting;

/// <summary>
/// Bahasa Indonesia formats, written out (the service runs with invariant globalization, so no culture data is needed):
/// numbers <c>93,75</c> and <c>1.234.567</c>, dates <c>3 Desember 2026</c>, times <c>14.05 WIB</c>.
/// </summary>
public static class Id
{
    private static readonly NumberFormatInfo Numbers = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = ".", NegativeSign = "−" };

    private static readonly string[] Months =
        ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];

    public const string Missing = "–";

    /// <summary>A number with up to <paramref name="places"/> decimals (trailing zeros dropped), grouped by thousands.</summary>
    public static string Number(decimal? value, int places = 2) =>
        value is not { } v ? Missing : Math.Round(v, places, MidpointRounding.AwayFromZero).ToString("#,0." + new string('#', places), Numbers);

    /// <summary>A number with exactly <paramref name="places"/> decimals (for capaian: <c>93,75</c>, <c>100,00</c>).</summary>
    public static string Fixed(decimal? value, int places = 2) =>
        value is not { } v ? Missing : Math.Round(v, places, MidpointRounding.AwayFromZero).ToString("#,0." + new string('0', places), Numbers);

    public static string Percent(decimal? value) => value is null ? Missing : Fixed(value) + " %";

    /// <summary>Whole rupiah: <c>Rp 1.234.567</c>.</summary>
    public static string Rupiah(decimal? value) =>
        value is not { } v ? Missing : "Rp " + Math.Round(v, 0, MidpointRounding.AwayFromZero).ToString("#,0", Numbers);

    public static string Date(DateOnly? date) => date is not { } d ? Missing : $"{d.Day} {Months[d.Month - 1]} {d.Year}";

    /// <summary>An instant in the reader's zone: <c>15 Januari 2024 10.00 WIB</c>.</summary>
    public static string DateTime(DateTimeOffset? at, Zone zone)
    {
        if (at is not { } a) return Missing;
        var local = a.ToOffset(zone.Offset);
        return $"{local.Day} {Months[local.Month - 1]} {local.Year} {local:HH}.{local:mm} {zone.Name}";
    }

    public static string MonthName(int month) => Months[month - 1];

    /// <summary>Parses what a person types: <c>92,5</c>, <c>1.234,56</c>, <c>92.5</c> (a lone dot with other than three digits after it).</summary>
    public static bool TryParseNumber(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim().Replace(" ", "").Replace("−", "-");
        if (t.Contains(','))
            t = t.Replace(".", "").Replace(',', '.');                    // Indonesian: dots group, the comma is the decimal mark
        else if (t.Count(c => c == '.') > 1 || System.Text.RegularExpressions.Regex.IsMatch(t, @"^-?\d{1,3}(\.\d{3})+$"))
            t = t.Replace(".", "");                                       // 1.234.567 or 1.234: grouping
        return decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>The three time zones of Indonesia.</summary>
public sealed record Zone(string Name, TimeSpan Offset)
{
    public static readonly Zone Wib = new("WIB", TimeSpan.FromHours(7));
    public static readonly Zone Wita = new("WITA", TimeSpan.FromHours(8));
    public static readonly Zone Wit = new("WIT", TimeSpan.FromHours(9));
    public static readonly IReadOnlyList<Zone> All = [Wib, Wita, Wit];

    public static Zone Parse(string? name) => All.FirstOrDefault(z => string.Equals(z.Name, name, StringComparison.OrdinalIgnoreCase)) ?? Wib;
}
