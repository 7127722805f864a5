using System.Globalization;
using System.Text;
using System.Text.Json;
using Alba;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Ledger.Api.Features.Exports;
using Ledger.Api.Tests.Reads;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears.RecordingRealization;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace Ledger.Api.Tests.Exports;

/// <summary>
/// The exports of the performance table and of an indicator's history (issue 12 item 5) over the Surakarta seed, each
/// checked against the JSON read it exports: XLSX opened with Open XML, CSV parsed back from its Indonesian numbers, the
/// PDF read back with PDFsharp.
/// </summary>
public sealed class ExportTests(LedgerApiFactory f) : IClassFixture<LedgerApiFactory>
{
    private SeedEvents Seed => new(f);

    private Task<IScenarioResult> Get(string url, int status = 200, string token = LedgerApiFactory.AdminToken) => f.Scenario(s =>
    {
        s.WithBearerToken(token);
        s.Get.Url(url);
        s.StatusCodeShouldBe(status);
    });

    private static byte[] Bytes(IScenarioResult r)
    {
        using var copy = new MemoryStream();
        r.Context.Response.Body.Position = 0;
        r.Context.Response.Body.CopyTo(copy);
        return copy.ToArray();
    }

    private async Task<(string Agency, JsonElement Read)> SurakartaAsync()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.FullYearAsync(agency);
        var read = await Get($"/api/agencies/{agency}/performance/2023");
        return (agency, read.ReadAsJson<JsonElement>());
    }

    private static decimal? Dec(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDecimal();

    // ---- XLSX

    [Fact]
    public async Task Xlsx_Surakarta2023_TwoSheetsOfNumericCellsEqualToTheRead()
    {
        var (agency, read) = await SurakartaAsync();

        var r = await Get($"/api/agencies/{agency}/performance/2023/export?format=xlsx");

        Assert.Equal(XlsxExport.ContentType, r.Context.Response.ContentType);
        Assert.Equal($"attachment; filename=\"lkjip-{agency}-2023.xlsx\"", r.Context.Response.Headers.ContentDisposition.ToString());
        Assert.Equal($"\"{read.GetProperty("version").GetInt64()}\"", r.Context.Response.Headers.ETag.ToString());
        using var xlsx = SpreadsheetDocument.Open(new MemoryStream(Bytes(r)), false);
        var book = xlsx.WorkbookPart!;
        Assert.Equal(["Pengukuran Kinerja", "Anggaran"], book.Workbook.Sheets!.Elements<Sheet>().Select(s => s.Name!.Value));
        var formats = book.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().ToList();

        var measurement = Table(book, "Pengukuran Kinerja");
        Assert.Equal(read.GetProperty("indicators").GetArrayLength(), measurement.Rows.Count);
        foreach (var row in read.GetProperty("indicators").EnumerateArray())
        {
            var cells = measurement.Rows.Single(x => Text(x["Kode"]) == row.GetProperty("code").GetString());
            var now = row.GetProperty("current");
            Assert.Equal(row.GetProperty("name").GetString(), Text(cells["Indikator"]));
            Assert.Equal(Dec(now, "target"), Number(cells["Target 2023"]));
            Assert.Equal(Dec(now, "realization"), Number(cells["Realisasi 2023"]));
            Assert.Equal(Dec(now, "capaianDisplay"), Number(cells["Capaian 2023 (%)"]));
            Assert.Equal(now.GetProperty("predikat").GetString(), Text(cells["Predikat 2023"]) is { Length: > 0 } p ? p : null);
            if (Number(cells["Capaian 2023 (%)"]) is not null)
                Assert.Equal(2u, formats[(int)cells["Capaian 2023 (%)"]!.StyleIndex!.Value].NumberFormatId!.Value); // 0.00
            if (row.GetProperty("previous").ValueKind != JsonValueKind.Null)
                Assert.Equal(Dec(row.GetProperty("previous"), "capaianDisplay"), Number(cells["Capaian 2022 (%)"]));
        }
        Assert.Equal(93.75m, Number(measurement.Rows.Single(x => Text(x["Kode"]) == "I1")["Capaian 2023 (%)"]));

        var budget = Table(book, "Anggaran");
        foreach (var line in read.GetProperty("budget").EnumerateArray())
        {
            var cells = budget.Rows.Single(x => Text(x["Kode"]) == line.GetProperty("code").GetString());
            Assert.Equal(Math.Round(line.GetProperty("pagu").GetDecimal(), 0, MidpointRounding.AwayFromZero), Number(cells["Pagu (Rp)"]));
            Assert.Equal(Math.Round(line.GetProperty("spent").GetDecimal(), 0, MidpointRounding.AwayFromZero), Number(cells["Realisasi (Rp)"]));
            Assert.Equal(Dec(line, "absorptionDisplay"), Number(cells["Serapan (%)"]));
            Assert.Equal(3u, formats[(int)cells["Pagu (Rp)"]!.StyleIndex!.Value].NumberFormatId!.Value); // #,##0
        }
        var total = budget.Rows.Single(x => Text(x["Kode"]) == "Jumlah");
        Assert.Equal(read.GetProperty("budgetTotals").GetProperty("pagu").GetDecimal(), Number(total["Pagu (Rp)"]));
    }

    private sealed record SheetTable(List<Dictionary<string, Cell?>> Rows);

    /// <summary>The rows under the header row (the row whose first cell is "Kode"), keyed by the header texts.</summary>
    private static SheetTable Table(WorkbookPart book, string sheet)
    {
        var id = book.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == sheet).Id!.Value!;
        var rows = ((WorksheetPart)book.GetPartById(id)).Worksheet.GetFirstChild<SheetData>()!.Elements<Row>().ToList();
        var headerAt = rows.FindIndex(r => r.Elements<Cell>().FirstOrDefault() is { } c && Text(c) == "Kode");
        Assert.True(headerAt >= 0, $"no header row in {sheet}");
        var headers = rows[headerAt].Elements<Cell>().Select(c => Text(c)!).ToList();
        return new(rows.Skip(headerAt + 1).Select(r =>
        {
            var cells = r.Elements<Cell>().ToList();
            return headers.Select((h, i) => (h, i < cells.Count ? cells[i] : null)).ToDictionary(x => x.h, x => x.Item2);
        }).ToList());
    }

    private static string? Text(Cell? c)
    {
        if (c is null) return null;
        Assert.True(c.DataType is null || c.DataType.Value == CellValues.InlineString, "a text cell is an inline string");
        return c.InlineString?.InnerText ?? "";
    }

    /// <summary>A numeric cell's value (null for an empty cell); fails on a number written as text.</summary>
    private static decimal? Number(Cell? c)
    {
        if (c is null || (c.CellValue is null && c.InlineString is null)) return null;
        Assert.True(c.DataType is null || c.DataType.Value == CellValues.Number, $"'{c.InnerText}' is not a numeric cell");
        return decimal.Parse(c.CellValue!.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    // ---- CSV

    [Fact]
    public async Task Csv_Surakarta2023_SemicolonsBomAndIndonesianNumbersEqualToTheRead()
    {
        var (agency, read) = await SurakartaAsync();

        var r = await Get($"/api/agencies/{agency}/performance/2023/export?format=csv");

        Assert.StartsWith("text/csv", r.Context.Response.ContentType);
        Assert.Contains($"filename=\"lkjip-{agency}-2023.csv\"", r.Context.Response.Headers.ContentDisposition.ToString());
        var bytes = Bytes(r);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var (measurement, budget) = Csv(bytes);

        Assert.Equal("Kode", measurement[0][0]);
        var rows = measurement.Skip(1).ToDictionary(x => x[0]);
        Assert.Equal(read.GetProperty("indicators").GetArrayLength(), rows.Count);
        var header = measurement[0];
        foreach (var row in read.GetProperty("indicators").EnumerateArray())
        {
            var fields = rows[row.GetProperty("code").GetString()!];
            var now = row.GetProperty("current");
            Assert.Equal(Dec(now, "target"), Indonesian(fields[header.IndexOf("Target 2023")]));
            Assert.Equal(Dec(now, "realization"), Indonesian(fields[header.IndexOf("Realisasi 2023")]));
            Assert.Equal(Dec(now, "capaianDisplay"), Indonesian(fields[header.IndexOf("Capaian 2023 (%)")]));
        }
        Assert.Equal("93,75", rows["I1"][header.IndexOf("Capaian 2023 (%)")]);
        Assert.Equal("86,67", rows["I1"][header.IndexOf("Capaian 2022 (%)")]);
        Assert.Equal("0,8", rows["I1"][header.IndexOf("Target 2023")]);

        Assert.Equal("Kode", budget[0][0]);
        var lines = budget.Skip(1).ToDictionary(x => x[0]);
        foreach (var line in read.GetProperty("budget").EnumerateArray())
        {
            var fields = lines[line.GetProperty("code").GetString()!];
            Assert.Equal(Math.Round(line.GetProperty("pagu").GetDecimal(), 0, MidpointRounding.AwayFromZero), Indonesian(fields[3]));
            Assert.Equal(Dec(line, "absorptionDisplay"), Indonesian(fields[5]));
            // Nothing spent is no realization yet, never "100 % efficient": the efficiency cells stay empty.
            if (line.GetProperty("spent").GetDecimal() == 0) Assert.True(fields[6] == "" && fields[7] == "", string.Join(";", fields));
            else Assert.Equal(Dec(line, "efficiencyPercentDisplay"), Indonesian(fields[7]));
        }
        Assert.Contains(read.GetProperty("budget").EnumerateArray(), l => l.GetProperty("spent").GetDecimal() == 0); // the case above is exercised
        Assert.Equal("8.460.444.119", lines["1"][3]);
        Assert.Equal("96,33", lines["1"][5]);
    }

    /// <summary>The two blocks of the CSV (split at the empty line), each a list of rows of fields (no field here is quoted).</summary>
    private static (List<List<string>> First, List<List<string>> Second) Csv(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.DoesNotContain("\"", text);
        var blocks = text.Split("\r\n\r\n");
        Assert.Equal(2, blocks.Length);
        List<List<string>> Rows(string block) =>
            block.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(';').ToList()).ToList();
        return (Rows(blocks[0]), Rows(blocks[1]));
    }

    /// <summary>RFC 4180 with ';': quoted fields may hold ';', quotes (doubled) and line breaks.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                for (i++; i < text.Length; i++)
                {
                    if (text[i] != '"') field.Append(text[i]);
                    else if (i + 1 < text.Length && text[i + 1] == '"') field.Append(text[++i]);
                    else break;
                }
            }
            else if (c == ';') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i++;
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else field.Append(c);
        }
        return rows;
    }

    private static readonly NumberFormatInfo IdNumbers = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "." };

    private static decimal? Indonesian(string field) =>
        field.Length == 0 ? null : decimal.Parse(field, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, IdNumbers);

    // ---- PDF

    [Fact]
    public async Task Pdf_Surakarta2023_OneLandscapeA4PageWithHeaderAndEveryIndicator()
    {
        var (agency, read) = await SurakartaAsync();

        var r = await Get($"/api/agencies/{agency}/performance/2023/export?format=pdf");

        Assert.Equal("application/pdf", r.Context.Response.ContentType);
        Assert.Contains($"filename=\"lkjip-{agency}-2023.pdf\"", r.Context.Response.Headers.ContentDisposition.ToString());
        var bytes = Bytes(r);
        Assert.Equal("%PDF", Encoding.ASCII.GetString(bytes, 0, 4));
        using var pdf = PdfReader.Open(new MemoryStream(bytes), PdfDocumentOpenMode.Import);
        Assert.Equal(1, pdf.PageCount);
        Assert.True(pdf.Pages[0].Width.Point > pdf.Pages[0].Height.Point, "landscape");
        var text = PageText(pdf.Pages[0]);
        foreach (var row in read.GetProperty("indicators").EnumerateArray()) Assert.Contains($"({row.GetProperty("code").GetString()})", text);
        Assert.Contains(agency, text);
        Assert.Contains($"({read.GetProperty("version").GetInt64()})", text);
        Assert.Contains("(93,75)", text);
    }

    [Fact]
    public void Pdf_ManyRows_BreakAcrossPagesWithTheHeaderOnEach()
    {
        var rows = Enumerable.Range(1, 150).Select(i => (IReadOnlyList<object?>)[$"K{i:000}", $"Indikator nomor {i}", 12.5m * i]).ToList();
        var table = new ExportTable("T", [new("Kode", CellKind.Text), new("Indikator", CellKind.Text, 3), new("Capaian", CellKind.Percent)], rows);

        var bytes = PdfExport.Render(new ExportDocument("Uji", [("Instansi", "x")], [table]));

        using var pdf = PdfReader.Open(new MemoryStream(bytes), PdfDocumentOpenMode.Import);
        Assert.True(pdf.PageCount >= 3, $"{pdf.PageCount} pages for 150 rows");
        var pages = Enumerable.Range(0, pdf.PageCount).Select(i => PageText(pdf.Pages[i])).ToList();
        Assert.All(pages, p => Assert.Contains("(Kode)", p));
        Assert.All(rows, row => Assert.Single(pages, p => p.Contains($"({row[0]})", StringComparison.Ordinal)));
        Assert.Contains("(K150)", pages[^1]);
        Assert.Contains($"(Halaman {pdf.PageCount} dari {pdf.PageCount})", pages[^1]);
    }

    /// <summary>A page's content streams, decompressed; WinAnsi text shows as PDF string literals, e.g. (I1).</summary>
    private static string PageText(PdfPage page)
    {
        var text = new StringBuilder();
        for (var i = 0; i < page.Contents.Elements.Count; i++)
        {
            var content = page.Contents.Elements.GetDictionary(i);
            if (content?.Stream is { } s) text.Append(Encoding.Latin1.GetString(s.UnfilteredValue));
        }
        return text.ToString();
    }

    // ---- asOf, problems, history

    [Fact]
    public async Task Csv_AsOfBeforeTheRealization_HasNoRealizationThenTheValueNow()
    {
        var agency = ApiClient.NewAgencyCode();
        await Seed.PlanAsync(agency);
        var pk = await Seed.YearAsync(agency, 2023, SurakartaSeed.PkMurni);
        var t = pk.RecordedAt.AddMilliseconds(1);
        await Task.Delay(50);
        await Seed.YearAsync(agency, 2023, new RecordRealization("I2", Period.Y, 75m));

        var then = await Get($"/api/agencies/{agency}/performance/2023/export?format=csv&asOf={Uri.EscapeDataString(t.ToString("O"))}");
        var now = await Get($"/api/agencies/{agency}/performance/2023/export?format=csv");

        var thenRows = Csv(Bytes(then)).First;
        var nowRows = Csv(Bytes(now)).First;
        var col = thenRows[0].IndexOf("Realisasi 2023");
        Assert.Equal("", thenRows.Single(x => x[0] == "I2")[col]);
        Assert.Equal("75", nowRows.Single(x => x[0] == "I2")[col]);
        Assert.Contains($"-asof-{t.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.csv\"", then.Context.Response.Headers.ContentDisposition.ToString());
    }

    [Theory]
    [InlineData("docx")]
    [InlineData("")]
    [InlineData(null)]
    public async Task Export_FormatNotAllowed_Is400NamingFormatAndTheAllowedValues(string? format)
    {
        var (agency, _) = await SurakartaAsync();
        var query = format is null ? "" : $"?format={format}";

        var r = await Get($"/api/agencies/{agency}/performance/2023/export{query}", 400);
        var history = await Get($"/api/agencies/{agency}/indicators/I1/history/export?format=xlsx", 400);

        Assert.Contains("xlsx, csv, pdf", r.JsonAt("errors.format").EnumerateArray().Single().GetString());
        Assert.Contains("csv", history.JsonAt("errors.format").EnumerateArray().Single().GetString());
    }

    [Fact]
    public async Task Export_UnknownAgencyYearOrIndicator_Is404AsTheRead()
    {
        var (agency, _) = await SurakartaAsync();
        await Get($"/api/agencies/{ApiClient.NewAgencyCode()}/performance/2023/export?format=csv", 404);
        await Get($"/api/agencies/{agency}/performance/2040/export?format=pdf", 404);
        await Get($"/api/agencies/{agency}/indicators/NOPE/history/export?format=csv", 404);
        await Get($"/api/agencies/{agency}/performance/2023/export?format=csv&asOf=2023-01-01", 400);
    }

    [Fact]
    public async Task HistoryCsv_Surakarta_OneRowPerEntryOfTheReadWithIndonesianNumbers()
    {
        var (agency, _) = await SurakartaAsync();
        var read = (await Get($"/api/agencies/{agency}/indicators/I1/history")).ReadAsJson<JsonElement>();

        var r = await Get($"/api/agencies/{agency}/indicators/I1/history/export?format=csv");

        Assert.Contains($"filename=\"history-{agency}-I1.csv\"", r.Context.Response.Headers.ContentDisposition.ToString());
        var bytes = Bytes(r);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = ParseCsv(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        var header = lines[0].ToList();
        Assert.Equal(read.GetArrayLength(), lines.Count - 1);
        var entries = read.EnumerateArray().ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal(entries[i].GetProperty("kind").GetString(), lines[i + 1][header.IndexOf("Jenis")]);
            Assert.Equal(entries[i].GetProperty("eventId").GetString(), lines[i + 1][header.IndexOf("Event")]);
            Assert.Equal(Dec(entries[i], "after"), Indonesian(lines[i + 1][header.IndexOf("Sesudah")]));
        }
        Assert.Contains(lines, l => l[header.IndexOf("Sesudah")] == "0,75"); // the 2023 realization
    }
}
