using System.Globalization;
using System.Text;

namespace Ledger.Api.Features.Exports;

/// <summary>
/// CSV for Excel in Indonesia: UTF-8 with a BOM, <c>;</c> between fields, CRLF line ends, Indonesian numbers (decimal comma,
/// dot thousands: <c>93,75</c>, <c>8.460.444.119</c>). Each table is its header row and its rows; tables are separated by
/// one empty line. No title lines: the first line is a header row, so a CSV reader takes the first table as it is.
/// </summary>
public static class CsvExport
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>Indonesian separators (the service runs with invariant globalization, so no "id-ID" culture data).</summary>
    public static readonly NumberFormatInfo Indonesian = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = ".", NegativeSign = "-" };

    public static byte[] Render(IReadOnlyList<ExportTable> tables)
    {
        var text = new StringBuilder();
        for (var i = 0; i < tables.Count; i++)
        {
            if (i > 0) text.Append("\r\n");
            var table = tables[i];
            Line(text, table.Columns.Select(c => c.Header));
            foreach (var row in table.Rows) Line(text, row.Select((cell, c) => Cell(cell, table.Columns[c].Kind)));
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    public static string Number(decimal value, CellKind kind) => kind switch
    {
        CellKind.Percent => value.ToString("#,##0.00", Indonesian),
        CellKind.Rupiah => value.ToString("#,##0", Indonesian),
        _ => value.ToString("#,##0.############################", Indonesian),
    };

    private static string Cell(object? cell, CellKind kind) => cell switch
    {
        null => "",
        decimal d => Number(d, kind),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };

    private static void Line(StringBuilder text, IEnumerable<string> fields)
    {
        text.AppendJoin(';', fields.Select(Quote));
        text.Append("\r\n");
    }

    // RFC 4180 quoting, with ';' as the separator. A field that starts like a formula (=, +, -, @) is prefixed with a quote
    // mark so that Excel shows it as text instead of evaluating it (CSV injection); numbers are written by Number, not here.
    private static string Quote(string field)
    {
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' && !IsNumber(field)) field = "'" + field;
        return field.IndexOfAny([';', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    private static bool IsNumber(string field) => decimal.TryParse(field, NumberStyles.Number, Indonesian, out _);
}
