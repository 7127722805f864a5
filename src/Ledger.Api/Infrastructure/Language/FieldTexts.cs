using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Api.Infrastructure.Language;

/// <summary>
/// Indonesian messages for the 400 <c>errors</c> of the fields a web form sends (realization, correction, PK perubahan,
/// year close), keyed by the stable validation code (FluentValidation's <c>ErrorCode</c>: its built-in validators' names, or
/// the codes <see cref="BodyRules"/> sets) and the field's label. A message is translated only when both the code and the
/// field are known; anything else keeps its English text whole.
/// </summary>
public static partial class FieldTexts
{
    /// <summary>Labels by camelCase field path; a list item's path is written with <c>[]</c> (its number is added: "ke-1").</summary>
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["indicator"] = "Indikator",
        ["year"] = "Tahun",
        ["period"] = "Periode",
        ["value"] = "Nilai",
        ["evidence"] = "Bukti dukung",
        ["note"] = "Catatan",
        ["reason"] = "Alasan",
        ["ground"] = "Dasar perubahan",
        ["signedOn"] = "Tanggal penandatanganan",
        ["signer"] = "Penanda tangan",
        ["signer.name"] = "Nama penanda tangan",
        ["signer.nip"] = "NIP penanda tangan",
        ["signer.position"] = "Jabatan penanda tangan",
        ["targets"] = "Target",
        ["targets[]"] = "Target ke-{n}",
        ["targets[].indicator"] = "Indikator pada target ke-{n}",
        ["targets[].target"] = "Nilai target ke-{n}",
        // The web application's user form (and any body with these fields).
        ["name"] = "Nama",
        ["nip"] = "NIP",
        ["role"] = "Peran",
        ["agency"] = "Instansi",
    };

    [GeneratedRegex(@"\[(\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Index();

    /// <summary>The field's Indonesian label, or null when it has none.</summary>
    public static string? Label(string field)
    {
        var number = Index().Match(field) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1 : (int?)null;
        if (!Labels.TryGetValue(Index().Replace(field, "[]"), out var label)) return null;
        return number is { } n ? label.Replace("{n}", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) : label;
    }

    /// <summary>
    /// The Indonesian message for one validation failure, or null (keep the English). <paramref name="arguments"/> are
    /// FluentValidation's placeholder values (MaxLength, TotalLength); <paramref name="state"/> the rule's custom state (the
    /// allowed words of <c>body.one-of</c>).
    /// </summary>
    public static string? For(string field, string? code, IReadOnlyDictionary<string, object>? arguments, object? state)
    {
        if (code is null || Label(field) is not { } label) return null;
        string? Arg(string name) => arguments is not null && arguments.TryGetValue(name, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        return code switch
        {
            "NotNullValidator" or "NotEmptyValidator" => $"{label} wajib diisi.",
            "MaximumLengthValidator" when Arg("MaxLength") is { } max && Arg("TotalLength") is { } total =>
                $"{label} paling panjang {max} karakter; yang dikirim {total} karakter.",
            BodyRules.MagnitudeCode => $"{label} di luar rentang: nilai mutlaknya paling besar 1e15.",
            BodyRules.MoneyCode => $"{label} adalah jumlah rupiah: paling banyak 2 angka desimal (sen).",
            BodyRules.YearCode => $"{label} wajib diisi dengan tahun dari {YearAddressedValidator<object>.MinYear} sampai {YearAddressedValidator<object>.MaxYear}.",
            BodyRules.OneOfCode when state is string words => $"{label} harus salah satu dari {words}.",
            BodyRules.MaxItemsCode => $"{label} berisi lebih dari {BodyRules.MaxItems} butir.",
            _ => null,
        };
    }
}
