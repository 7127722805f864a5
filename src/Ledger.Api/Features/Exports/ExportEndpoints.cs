using System.Globalization;
using Ledger.Api.Features.Audit;
using Ledger.Api.Features.Reads;
using Ledger.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Features.Exports;

// GET /api/agencies/{agency}/performance/{year}/export?format=xlsx|csv|pdf[&asOf=instant]         (agency read)
//     → the performance read's measurement and budget tables as a file (pdf: the measurement table).
// GET /api/agencies/{agency}/indicators/{code}/history/export?format=csv[&year=Y][&asOf=instant]   (agency read)
//     → the indicator history read as CSV.
//     Content-Disposition: attachment; filename="lkjip-{agency}-{year}[-asof-…].{ext}" / "history-{agency}-{code}[-asof-…].csv".
//     400 format missing or not allowed (errors.format names the allowed values), year/asOf as the reads; 404 as the reads.
public static class ExportEndpoints
{
    private static readonly string[] PerformanceFormats = ["xlsx", "csv", "pdf"];
    private static readonly string[] HistoryFormats = ["csv"];

    public static void MapExportEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/agencies/{agency}/performance/{year:int}/export", PerformanceAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<Stream>(StatusCodes.Status200OK, XlsxExport.ContentType, CsvExport.ContentType, PdfExport.ContentType)
            .WithName("ExportPerformanceTable").WithTags("Exports")
            .WithSummary("The LKjIP measurement and budget tables of a year as XLSX (two sheets), CSV (;, Indonesian numbers) or PDF (measurement table)");
        api.MapGet("/agencies/{agency}/indicators/{code}/history/export", HistoryAsync)
            .RequireAgency(Authorization.Access.Read)
            .Produces<Stream>(StatusCodes.Status200OK, CsvExport.ContentType)
            .WithName("ExportIndicatorHistory").WithTags("Exports").WithSummary("An indicator's history as CSV");
    }

    private static async Task<IResult> PerformanceAsync(
        HttpContext http, string agency, int year, [FromQuery] string? format, [FromQuery] string? asOf, ReadLoader loader, CancellationToken ct)
    {
        if (!TryFormat(format, PerformanceFormats, out var f, out var badFormat)) return badFormat!;
        var read = await PerformanceEndpoints.BuildAsync(agency, year, asOf, loader, ct);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        var document = ExportTables.Performance(body, read.AgencyName);
        var name = $"lkjip-{agency}-{year.ToString(CultureInfo.InvariantCulture)}{AsOfSuffix(body.AsOf)}.{f}";
        var (bytes, type) = f switch
        {
            "xlsx" => (XlsxExport.Render(document), XlsxExport.ContentType),
            "csv" => (CsvExport.Render(document.Tables), CsvExport.ContentType),
            _ => (PdfExport.Render(document with { Tables = [document.Tables[0]] }), PdfExport.ContentType),
        };
        return File(http, bytes, type, name, body.Version);
    }

    private static async Task<IResult> HistoryAsync(
        HttpContext http, string agency, string code, [FromQuery] string? format, [FromQuery] string? year, [FromQuery] string? asOf,
        AuditLoader loader, TimeProvider clock, CancellationToken ct)
    {
        if (!TryFormat(format, HistoryFormats, out _, out var badFormat)) return badFormat!;
        var history = await HistoryEndpoints.IndicatorHistoryAsync(http, agency, code, year, asOf, loader, clock, ct);
        if (history.Problem is not null) return history.Problem;
        ReadQuery.TryAsOf(asOf, out var at, out _);
        var name = $"history-{agency}-{FileSafe(history.Code)}{(year is null ? "" : "-" + year)}{AsOfSuffix(at)}.csv";
        return File(http, CsvExport.Render([ExportTables.History(history.Entries!)]), CsvExport.ContentType, name, version: null);
    }

    private static bool TryFormat(string? raw, string[] allowed, out string format, out IResult? problem)
    {
        format = raw?.Trim().ToLowerInvariant() ?? "";
        problem = null;
        if (allowed.Contains(format)) return true;
        var words = string.Join(", ", allowed);
        problem = ReadQuery.Invalid("format", raw is null
            ? $"'format' is required: one of {words}."
            : $"'{raw}' is not an export format here: one of {words}.");
        return false;
    }

    private static string AsOfSuffix(DateTimeOffset? asOf) =>
        asOf is { } a ? "-asof-" + a.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) : "";

    // Codes may contain '/' and dots (5.03.01/1): keep letters, digits, '.', '-', '_' in a file name.
    private static string FileSafe(string code) => new(code.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());

    private static IResult File(HttpContext http, byte[] bytes, string contentType, string fileName, long? version)
    {
        // FileSafe leaves only ASCII letters, digits and . - _: the quoted form needs no escaping or filename*.
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileSafe(fileName)}\"";
        if (version is { } v) http.Response.Headers.ETag = $"\"{v.ToString(CultureInfo.InvariantCulture)}\"";
        return Results.Bytes(bytes, contentType);
    }
}
