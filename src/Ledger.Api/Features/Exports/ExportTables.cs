using System.Globalization;
using Ledger.Api.Features.Reads;
using Ledger.Domain.History;

namespace Ledger.Api.Features.Exports;

/// <summary>
/// The export tables, built from the JSON reads' own answers (<see cref="PerformanceEndpoints.BuildAsync"/>,
/// <see cref="Audit.HistoryEndpoints.IndicatorHistoryAsync"/>), so an export has exactly the rows and numbers of the read.
/// Percentages are the reads' display values (2 places half-up, the capaian policy: what the LKjIP prints and the predikat
/// is rated on); rupiah are rounded half-up to whole rupiah; indicator values are as recorded.
/// </summary>
public static class ExportTables
{
    public static ExportDocument Performance(PerformanceEndpoints.PerformanceBody p, string? agencyName) =>
        new($"Pengukuran Kinerja {p.Year}",
        [
            ("Instansi", agencyName is { Length: > 0 } n ? $"{n} ({p.Agency})" : p.Agency),
            ("Tahun", p.Year.ToString(CultureInfo.InvariantCulture)),
            ("Per (as of)", p.AsOf is { } a ? a.ToString("O", CultureInfo.InvariantCulture) : "sekarang"),
            ("Versi stream tahun", p.Version.ToString(CultureInfo.InvariantCulture)),
            ("Renstra", p.Renstra is { } r ? $"{r.Title} ({r.PeriodStart}–{r.PeriodEnd})" : "-"),
        ],
        [Measurement(p), Budget(p)]);

    public static ExportTable Measurement(PerformanceEndpoints.PerformanceBody p)
    {
        var y = p.Year.ToString(CultureInfo.InvariantCulture);
        var py = p.PreviousYear.ToString(CultureInfo.InvariantCulture);
        ExportColumn[] columns =
        [
            new("Kode", CellKind.Text, 0.7), new("Indikator", CellKind.Text, 3.2), new("Satuan", CellKind.Text, 0.8),
            new($"Target {y}", CellKind.Number), new($"Sumber target {y}", CellKind.Text, 1.2), new($"Realisasi {y}", CellKind.Number),
            new($"Capaian {y} (%)", CellKind.Percent), new($"Predikat {y}", CellKind.Text, 1.2),
            new($"Target {py}", CellKind.Number), new($"Sumber target {py}", CellKind.Text, 1.2), new($"Realisasi {py}", CellKind.Number),
            new($"Capaian {py} (%)", CellKind.Percent), new($"Predikat {py}", CellKind.Text, 1.2),
        ];
        var rows = p.Indicators.Select(r => (IReadOnlyList<object?>)
        [
            r.Code, r.Name, r.Unit,
            r.Current.Target, r.Current.TargetSource, r.Current.Realization, r.Current.CapaianDisplay, r.Current.Predikat,
            r.Previous?.Target, r.Previous?.TargetSource, r.Previous?.Realization, r.Previous?.CapaianDisplay, r.Previous?.Predikat,
        ]).ToList();
        return new ExportTable("Pengukuran Kinerja", columns, rows);
    }

    public static ExportTable Budget(PerformanceEndpoints.PerformanceBody p)
    {
        ExportColumn[] columns =
        [
            new("Kode", CellKind.Text, 0.7), new("Program/Kegiatan", CellKind.Text, 3), new("Pagu murni (Rp)", CellKind.Rupiah, 1.3),
            new("Pagu (Rp)", CellKind.Rupiah, 1.3), new("Realisasi (Rp)", CellKind.Rupiah, 1.3), new("Serapan (%)", CellKind.Percent),
            new("Efisiensi (Rp)", CellKind.Rupiah, 1.3), new("Efisiensi (%)", CellKind.Percent),
        ];
        var rows = p.Budget.Select(b => (IReadOnlyList<object?>)
        [
            // Nothing spent is "no realization yet", never "100 % efficient" (issue 12): the efficiency cells stay empty.
            b.Code, b.Name, Rupiah(b.PaguMurni), Rupiah(b.Pagu), Rupiah(b.Spent), b.AbsorptionDisplay,
            b.Spent == 0 ? null : Rupiah(b.Efficiency), b.Spent == 0 ? null : b.EfficiencyPercentDisplay,
        ]).ToList();
        var t = p.BudgetTotals;
        if (p.Budget.Count > 0)
            rows.Add(["Jumlah", null, Rupiah(t.PaguMurni), Rupiah(t.Pagu), Rupiah(t.Spent), t.AbsorptionDisplay,
                t.Spent == 0 ? null : Rupiah(t.Efficiency), t.Spent == 0 ? null : t.EfficiencyPercentDisplay]);
        return new ExportTable("Anggaran", columns, rows);
    }

    public static ExportTable History(IReadOnlyList<HistoryEntry> entries) =>
        new("Riwayat",
        [
            new("Dicatat (at)", CellKind.Text), new("Berlaku untuk", CellKind.Text), new("Tahun", CellKind.Text), new("Pelaku", CellKind.Text),
            new("NIP", CellKind.Text), new("Peran", CellKind.Text), new("Jenis", CellKind.Text), new("Alasan", CellKind.Text),
            new("Dasar", CellKind.Text), new("Sebelum", CellKind.Number), new("Sesudah", CellKind.Number), new("Catatan", CellKind.Text),
            new("Event", CellKind.Text), new("Sequence", CellKind.Text),
        ],
        entries.Select(e => (IReadOnlyList<object?>)
        [
            e.At.ToString("O", CultureInfo.InvariantCulture), e.Effective, e.Year?.ToString(CultureInfo.InvariantCulture), e.Actor.Name,
            e.Actor.Nip, e.Actor.Role, e.Kind, e.Reason, e.Ground, e.Before, e.After, e.Note, e.EventId.ToString(),
            e.Sequence.ToString(CultureInfo.InvariantCulture),
        ]).ToList());

    /// <summary>Whole rupiah, half-up (the display rule for amounts).</summary>
    private static decimal Rupiah(decimal amount) => ReadQuery.Rupiah(amount)!.Value;
}
