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

    /// <summary>
    /// Reads what a person types with the importer's rule (<see cref="Ledger.Importing.IndonesianNumber"/>: <c>92,5</c>,
    /// <c>1.234,56</c>, <c>15.625.599.024</c>; an ambiguous <c>1.234</c> or a dot-decimal <c>68.58</c> is refused, never
    /// guessed); null when it is a number, else why not, in Indonesian.
    /// </summary>
    public static string? ParseNumber(string text, out decimal value)
    {
        var typed = text.Trim().Replace('−', '-');
        if (Ledger.Importing.IndonesianNumber.TryParse(typed, out value, out _)) return null;
        if (System.Text.RegularExpressions.Regex.IsMatch(typed, @"^-?\d{1,3}\.\d{3}$"))
            return $"'{typed}' dapat dibaca dua cara: tulis {typed.Replace(".", "")} untuk bilangan bulat, atau pakai koma untuk desimal.";
        if (System.Text.RegularExpressions.Regex.IsMatch(typed, @"^-?\d+\.\d+$"))
            return $"Pakai koma sebagai tanda desimal: {typed.Replace('.', ',')}.";
        return "Isi dengan angka, misalnya 92,5 atau 1.234.567.";
    }

    /// <summary>A number as a form's input value: decimal comma, no grouping, so that it reads back unambiguously.</summary>
    public static string Input(decimal value) => value.ToString("0.############################", Numbers);
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
