namespace Ledger.Api.Features.Exports;

/// <summary>How a cell is written: text, an indicator value (as recorded), a percentage (2 places) or rupiah (whole).</summary>
public enum CellKind { Text, Number, Percent, Rupiah }

public sealed record ExportColumn(string Header, CellKind Kind, double Width = 1);

/// <summary>One table of an export (an XLSX sheet, a CSV block, the PDF's table). A cell is a string, a decimal or null (empty).</summary>
public sealed record ExportTable(string Name, IReadOnlyList<ExportColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);

/// <summary>What every format renders: a title, header lines (label, value) and the tables, built once from the read.</summary>
public sealed record ExportDocument(string Title, IReadOnlyList<(string Label, string Value)> Header, IReadOnlyList<ExportTable> Tables);
