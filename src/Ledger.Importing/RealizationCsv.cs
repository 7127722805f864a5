using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ledger.Importing;

/// <summary>A row of a realization CSV after parsing, or why it was refused before it reached the server.</summary>
public sealed record CsvRow(int Line, JsonObject? Body, string? Error);

/// <summary>
/// Realizations from a spreadsheet: <c>;</c>-separated (the comma is the decimal mark), first line a header naming the
/// columns (any order, case-insensitive): <c>indicator;year;period;value</c> required, <c>numerator;denominator;claimedCapaian;
/// evidence;note</c> optional. Numbers in Indonesian format (<see cref="IndonesianNumber"/>). Each row is POSTed to
/// <c>/api/agencies/{agency}/realizations</c> with an Idempotency-Key from agency, indicator, year and period, so a re-run
/// replays instead of recording twice.
/// </summary>
public static class RealizationCsv
{
    private static readonly string[] Required = ["indicator", "year", "period", "value"];
    private static readonly string[] NumberColumns = ["value", "numerator", "denominator", "claimedcapaian"];
    private static readonly string[] TextColumns = ["evidence", "note"];

    public static IReadOnlyList<CsvRow> Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var headerIndex = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerIndex < 0) return [new CsvRow(1, null, "the file is empty")];
        var header = lines[headerIndex].Split(';').Select(h => h.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToArray();
        var missing = Required.Where(r => !header.Contains(r)).ToList();
        if (missing.Count > 0) return [new CsvRow(headerIndex + 1, null, $"the header lacks {string.Join(", ", missing)} (separator ';')")];
        var unknown = header.Where(h => !Required.Contains(h) && !NumberColumns.Contains(h) && !TextColumns.Contains(h)).ToList();
        if (unknown.Count > 0) return [new CsvRow(headerIndex + 1, null, $"unknown column(s) {string.Join(", ", unknown)}")];

        var rows = new List<CsvRow>();
        for (var i = headerIndex + 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            rows.Add(ParseRow(i + 1, header, lines[i].Split(';')));
        }
        return rows;
    }

    private static CsvRow ParseRow(int line, string[] header, string[] cells)
    {
        if (cells.Length != header.Length)
            return new CsvRow(line, null, $"{cells.Length} cells for {header.Length} columns (is a ';' missing, or a decimal written with ';'?)");
        var body = new JsonObject();
        for (var c = 0; c < header.Length; c++)
        {
            var name = header[c];
            var cell = cells[c].Trim();
            if (cell.Length == 0)
            {
                if (Required.Contains(name)) return new CsvRow(line, null, $"{name} is empty");
                continue;
            }
            switch (name)
            {
                case "indicator":
                    body["indicator"] = cell;
                    break;
                case "period":
                    body["period"] = cell.ToUpperInvariant();
                    break;
                case "year":
                    if (!int.TryParse(cell, out var year) || year is < 2000 or > 2100) return new CsvRow(line, null, $"year '{cell}' is not a year");
                    body["year"] = year;
                    break;
                case "evidence" or "note":
                    body[name] = cell;
                    break;
                default:
                    if (!IndonesianNumber.TryParse(cell, out var number, out var error)) return new CsvRow(line, null, $"{name}: {error}");
                    body[name == "claimedcapaian" ? "claimedCapaian" : name] = number;
                    break;
            }
        }
        return new CsvRow(line, body, null);
    }

    /// <summary>Posts every parsed row (rows with errors are reported and not sent).</summary>
    public static async Task<ImportReport> ImportAsync(HttpClient http, string token, string agency, string fileName, string text,
        IImportProgress? progress = null, CancellationToken ct = default)
    {
        var report = new ImportReport();
        var rows = Parse(text);
        var name = $"csv:{agency}";
        progress ??= NoProgress.Instance;
        progress.Started(name, rows.Count);
        var done = 0;
        foreach (var row in rows)
        {
            var step = new DatasetStep(Path.GetFileName(fileName), row.Line, "POST", $"/api/agencies/{agency}/realizations", "staff", row.Body, null, null, null);
            StepResult result;
            if (row.Error is not null)
                result = new StepResult(name, step, StepOutcome.RefusedUnexpectedly, 0, "csv.row-invalid", $"line {row.Line}: {row.Error}");
            else
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, step.Path)
                {
                    Content = new StringContent(row.Body!.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Add("Idempotency-Key", $"ledger-import-csv:{agency}:{row.Body["indicator"]}:{row.Body["year"]}:{row.Body["period"]}");
                using var response = await http.SendAsync(request, ct);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var replayed = response.Headers.TryGetValues("Idempotency-Replayed", out var v) && v.Contains("true");
                    result = new StepResult(name, step, replayed ? StepOutcome.Replayed : StepOutcome.Accepted, status, null, null);
                }
                else
                {
                    var (rule, detail) = DatasetImporter.Problem(await response.Content.ReadAsStringAsync(ct));
                    result = new StepResult(name, step, StepOutcome.RefusedUnexpectedly, status, rule, $"line {row.Line}: {detail}");
                }
            }
            report.Add(result);
            progress.Step(name, step, ++done, rows.Count, result.Outcome);
        }
        progress.Finished(name);
        return report;
    }
}
