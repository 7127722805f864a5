using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Ledger.Api.Features.Exports;

/// <summary>
/// XLSX (Open XML): one sheet per table. Each sheet starts with the document's header lines (label in A, value in B), an
/// empty row, then the table's header row and rows. Numbers are numeric cells with a built-in number format: percentages
/// <c>0.00</c> (numFmtId 2), rupiah <c>#,##0</c> (numFmtId 3), indicator values General; Excel shows the separators of
/// the reader's locale (93,75 and 8.460.444.119 in Indonesian Excel). Text is written as inline strings.
/// </summary>
public static class XlsxExport
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    // Cell formats (cellXfs) of the stylesheet below, by index.
    private const uint General = 0, Percent = 1, Rupiah = 2, Bold = 3;

    public static byte[] Render(ExportDocument document)
    {
        using var stream = new MemoryStream();
        using (var xlsx = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = xlsx.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            workbook.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles();
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            uint id = 1;
            foreach (var table in document.Tables)
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                part.Worksheet = Sheet(document, table);
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = id++, Name = SheetName(table.Name) });
            }
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    private static Worksheet Sheet(ExportDocument document, ExportTable table)
    {
        var data = new SheetData();
        uint row = 1;
        data.Append(new Row(TextCell(document.Title, Bold)) { RowIndex = row++ });
        foreach (var (label, value) in document.Header) data.Append(new Row(TextCell(label, Bold), TextCell(value, General)) { RowIndex = row++ });
        row++; // one empty row
        data.Append(new Row(table.Columns.Select(c => TextCell(c.Header, Bold))) { RowIndex = row++ });
        foreach (var cells in table.Rows)
            data.Append(new Row(cells.Select((cell, i) => Cell(cell, table.Columns[i].Kind))) { RowIndex = row++ });

        var columns = new Columns(table.Columns.Select((c, i) =>
            new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = Math.Round(12 * c.Width, 1), CustomWidth = true }));
        return new Worksheet(columns, data);
    }

    private static Cell Cell(object? value, CellKind kind) => value switch
    {
        null => new Cell(),
        decimal d => new Cell
        {
            DataType = CellValues.Number,
            CellValue = new CellValue(d),
            StyleIndex = kind switch { CellKind.Percent => Percent, CellKind.Rupiah => Rupiah, _ => General },
        },
        _ => TextCell(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "", General),
    };

    private static Cell TextCell(string text, uint style) =>
        new(new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve })) { DataType = CellValues.InlineString, StyleIndex = style };

    // Excel: at most 31 characters, none of : \ / ? * [ ].
    private static string SheetName(string name)
    {
        var clean = new string(name.Select(c => ":\\/?*[]".Contains(c) ? ' ' : c).ToArray());
        return clean.Length <= 31 ? clean : clean[..31];
    }

    private static Stylesheet Styles() => new(
        new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border()) { Count = 1 },
        new CellFormats(
            new CellFormat { NumberFormatId = 0, FontId = 0 },
            new CellFormat { NumberFormatId = 2, FontId = 0, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 3, FontId = 0, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 0, FontId = 1, ApplyFont = true }) { Count = 4 });
}
