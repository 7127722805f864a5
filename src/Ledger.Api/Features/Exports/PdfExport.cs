using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Ledger.Api.Features.Exports;

/// <summary>
/// PDF (PDFsharp 6.2.4, MIT): landscape A4; on the first page the title and the document's header lines (agency, year,
/// as-of, year stream version); then each table with its header row repeated on every page it continues on. Cells wrap
/// at word boundaries; a row that does not fit on the page starts the next one. Each page's footer: "Halaman n dari N".
/// Text uses WinAnsi encoding (the Indonesian alphabet and the dash fit), so the words are searchable and copyable.
/// </summary>
public static class PdfExport
{
    public const string ContentType = "application/pdf";

    private const double Margin = 28, CellPad = 2.5, FontSize = 7.5, LineGap = 1.15;
    private static readonly XPdfFontOptions Ansi = new(PdfFontEncoding.WinAnsi);

    public static byte[] Render(ExportDocument document)
    {
        PdfFonts.Install();
        using var pdf = new PdfDocument();
        pdf.Info.Title = document.Title;
        pdf.Info.Creator = "Ledger";
        var page = new Page(pdf);

        var title = new XFont(PdfFonts.Family, 13, XFontStyleEx.Bold, Ansi);
        var label = new XFont(PdfFonts.Family, 8.5, XFontStyleEx.Bold, Ansi);
        var text = new XFont(PdfFonts.Family, 8.5, XFontStyleEx.Regular, Ansi);
        page.Gfx.DrawString(document.Title, title, XBrushes.Black, new XPoint(Margin, page.Y + 13));
        page.Y += 20;
        foreach (var (name, value) in document.Header)
        {
            page.Gfx.DrawString(name, label, XBrushes.Black, new XPoint(Margin, page.Y + 9));
            page.Gfx.DrawString(value, text, XBrushes.Black, new XPoint(Margin + 110, page.Y + 9));
            page.Y += 11.5;
        }
        page.Y += 8;

        foreach (var table in document.Tables) page = DrawTable(pdf, page, table);
        page.Gfx.Dispose();
        Footers(pdf);

        using var stream = new MemoryStream();
        pdf.Save(stream, false);
        return stream.ToArray();
    }

    /// <summary>The page being drawn on and how far down it is.</summary>
    private sealed class Page
    {
        public Page(PdfDocument pdf)
        {
            Pdf = pdf.AddPage();
            Pdf.Size = PageSize.A4;
            Pdf.Orientation = PageOrientation.Landscape;
            Gfx = XGraphics.FromPdfPage(Pdf);
            Y = Margin;
        }

        public PdfPage Pdf { get; }
        public XGraphics Gfx { get; }
        public double Y { get; set; }
        public double Bottom => Pdf.Height.Point - Margin - 14; // room for the footer
        public double Width => Pdf.Width.Point - 2 * Margin;
    }

    private static Page DrawTable(PdfDocument pdf, Page page, ExportTable table)
    {
        var bold = new XFont(PdfFonts.Family, FontSize, XFontStyleEx.Bold, Ansi);
        var font = new XFont(PdfFonts.Family, FontSize, XFontStyleEx.Regular, Ansi);
        var total = table.Columns.Sum(c => c.Width);
        var widths = table.Columns.Select(c => page.Width * c.Width / total).ToArray();
        var header = table.Columns.Select(c => c.Header).ToArray();

        // The header row and at least one body row must fit, else start on a new page.
        if (page.Y + Height(page.Gfx, header, widths, bold) * 2 > page.Bottom) page = NewPage(pdf, page);
        DrawRow(page, header, widths, bold, header: true, table.Columns);
        foreach (var row in table.Rows)
        {
            var cells = row.Select((cell, i) => Text(cell, table.Columns[i].Kind)).ToArray();
            if (page.Y + Height(page.Gfx, cells, widths, font) > page.Bottom)
            {
                page = NewPage(pdf, page);
                DrawRow(page, header, widths, bold, header: true, table.Columns);
            }
            DrawRow(page, cells, widths, font, header: false, table.Columns);
        }
        page.Y += 10;
        return page;
    }

    private static Page NewPage(PdfDocument pdf, Page old)
    {
        old.Gfx.Dispose();
        return new Page(pdf);
    }

    private static string Text(object? cell, CellKind kind) => cell switch
    {
        null => "-",
        decimal d => CsvExport.Number(d, kind),
        _ => Convert.ToString(cell, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static double LineHeight(XFont font) => font.Size * LineGap;

    private static double Height(XGraphics gfx, string[] cells, double[] widths, XFont font) =>
        cells.Select((c, i) => Wrap(gfx, c, font, widths[i] - 2 * CellPad).Count).Max() * LineHeight(font) + 2 * CellPad;

    private static void DrawRow(Page page, string[] cells, double[] widths, XFont font, bool header, IReadOnlyList<ExportColumn> columns)
    {
        var height = Height(page.Gfx, cells, widths, font);
        var x = Margin;
        for (var i = 0; i < cells.Length; i++)
        {
            var box = new XRect(x, page.Y, widths[i], height);
            if (header) page.Gfx.DrawRectangle(XBrushes.Gainsboro, box);
            page.Gfx.DrawRectangle(new XPen(XColors.Gray, 0.4), box);
            var right = !header && columns[i].Kind != CellKind.Text;
            var y = page.Y + CellPad;
            foreach (var line in Wrap(page.Gfx, cells[i], font, widths[i] - 2 * CellPad))
            {
                var w = page.Gfx.MeasureString(line, font).Width;
                var lx = right ? x + widths[i] - CellPad - w : x + CellPad;
                page.Gfx.DrawString(line, font, XBrushes.Black, new XPoint(lx, y + font.Size));
                y += LineHeight(font);
            }
            x += widths[i];
        }
        page.Y += height;
    }

    /// <summary>Word wrap; a word longer than the width is cut by characters.</summary>
    private static List<string> Wrap(XGraphics gfx, string text, XFont font, double width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (gfx.MeasureString(candidate, font).Width <= width)
            {
                line = candidate;
                continue;
            }
            if (line.Length > 0) lines.Add(line);
            line = word;
            while (line.Length > 1 && gfx.MeasureString(line, font).Width > width)
            {
                var cut = line.Length - 1;
                while (cut > 1 && gfx.MeasureString(line[..cut], font).Width > width) cut--;
                lines.Add(line[..cut]);
                line = line[cut..];
            }
        }
        lines.Add(line);
        return lines;
    }

    private static void Footers(PdfDocument pdf)
    {
        var font = new XFont(PdfFonts.Family, 7, XFontStyleEx.Regular, Ansi);
        for (var i = 0; i < pdf.PageCount; i++)
        {
            var page = pdf.Pages[i];
            using var gfx = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
            var text = $"Halaman {i + 1} dari {pdf.PageCount}";
            var w = gfx.MeasureString(text, font).Width;
            gfx.DrawString(text, font, XBrushes.DimGray, new XPoint(page.Width.Point - Margin - w, page.Height.Point - Margin + 4));
        }
    }
}
