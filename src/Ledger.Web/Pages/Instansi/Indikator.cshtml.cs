using Ledger.Web.Api;
using Ledger.Web.Charts;
using Ledger.Web.Formatting;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>
/// One indicator in one year: its targets and their sources, realizations by period, capaian and predikat; a chart over
/// the quarters and over the Renstra years; its timeline (who, when, why, before → after); and, for the agency's own
/// staff and approver, the realization and correction forms. Every form carries the year stream's version it was
/// rendered from (If-Match) and a fixed Idempotency-Key, so a concurrent change is refused and a double submit writes once.
/// </summary>
public sealed class IndikatorModel : AgencyPage
{
    public static readonly string[] RealizationFields = ["period", "value", "numerator", "denominator", "evidence", "note"];
    public static readonly string[] CorrectionFields = ["period", "value", "reason"];

    [FromQuery(Name = "kode")] public string Code { get; set; } = "";

    public Indicator? Current { get; private set; }
    public IReadOnlyList<HistoryEntry> Timeline { get; private set; } = [];
    public string? QuarterChart { get; private set; }
    public string? YearsChart { get; private set; }
    public string? Saved { get; private set; }

    public FormState RealizationForm { get; } = new("realisasi");
    public FormState CorrectionForm { get; } = new("koreksi");

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "tersimpan")] string? tersimpan, CancellationToken ct)
    {
        Saved = tersimpan switch { "realisasi" => "Realisasi tersimpan.", "koreksi" => "Koreksi tersimpan.", _ => null };
        return await LoadAsync(ct) ? Page() : NotFoundPage();
    }

    public Task<IActionResult> OnPostRealisasiAsync(CancellationToken ct) =>
        SubmitAsync(RealizationForm, RealizationFields, ["realizations"], v => new
        {
            indicator = Code, year = Year, period = Input.GetValueOrDefault("period"), value = v["value"],
            numerator = v.GetValueOrDefault("numerator"), denominator = v.GetValueOrDefault("denominator"),
            evidence = Field("evidence"), note = Field("note"),
        }, ["value", "numerator", "denominator"], ct);

    public Task<IActionResult> OnPostKoreksiAsync(CancellationToken ct) =>
        SubmitAsync(CorrectionForm, CorrectionFields, ["realizations", "corrections"], v => new
        {
            indicator = Code, year = Year, period = Input.GetValueOrDefault("period"), value = v["value"],
            reason = Field("reason"),
        }, ["value"], ct);

    private async Task<IActionResult> SubmitAsync(
        FormState form, IReadOnlyCollection<string> fields, string[] route, Func<Dictionary<string, decimal?>, object> body, string[] numbers,
        CancellationToken ct)
    {
        var parsed = new Dictionary<string, decimal?>();
        foreach (var n in numbers)
        {
            var text = Input.GetValueOrDefault(n);
            if (string.IsNullOrWhiteSpace(text)) parsed[n] = null;
            else if (Id.ParseNumber(text, out var d) is { } why) form.Field(n, why);
            else parsed[n] = d;
        }
        if (!form.HasErrors)
        {
            var answer = await Api.SendAsync(LedgerApi.Path(["agencies", Agency, .. route]), body(parsed), Version, Key, ct);
            if (answer.Ok)
                return Redirect(Link(YearPath("/indikator"), ("kode", Code), ("tersimpan", form.Name)) + "#" + form.Name);
            form.Apply(answer.Problem!, fields);
        }
        else form.Message = "Tidak disimpan: periksa isian yang ditandai.";
        return await LoadAsync(ct) ? Page() : NotFoundPage();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(Code)) return false;
        Current = await Api.GetAsync<Indicator>(ApiRead(LedgerApi.Path("agencies", Agency, "indicators", Code), ("year", Year)), ct);
        if (Current is null) return false;
        Timeline = await Api.GetAsync<List<HistoryEntry>>(ApiRead(LedgerApi.Path("agencies", Agency, "indicators", Code, "history")), ct) ?? [];

        var quarters = new[] { "Q1", "Q2", "Q3", "Q4" };
        if (quarters.Any(Current.Realizations.ContainsKey))
            QuarterChart = Svg.BarsAgainstTarget($"{Current.Code} per triwulan {Year}", Current.Unit,
                quarters.Select(q => new Svg.Point(Labels.Period(q).Replace("Triwulan ", "Tw "),
                    Current.Realizations.TryGetValue(q, out var r) ? r : null, Current.Targets.InForce)).ToList());

        var renstra = Summary?.Renstras.FirstOrDefault(r => r.PeriodStart == Current.RenstraPeriodStart);
        if (renstra is not null)
        {
            var points = new List<Svg.Point>();
            for (var y = renstra.PeriodStart; y <= renstra.PeriodEnd; y++)
            {
                var read = y == Year ? Current
                    : await Api.GetAsync<Indicator>(ApiRead(LedgerApi.Path("agencies", Agency, "indicators", Code), ("year", y)), ct);
                points.Add(new Svg.Point(y.ToString(System.Globalization.CultureInfo.InvariantCulture), read?.AnnualValue, read?.Targets.InForce));
            }
            YearsChart = Svg.BarsAgainstTarget($"{Current.Code} sepanjang Renstra {renstra.PeriodStart}–{renstra.PeriodEnd}", Current.Unit, points);
        }
        Version ??= Current.Version;
        return true;
    }

    private IActionResult NotFoundPage() =>
        throw PageErrors.NotFound($"Indikator '{Code}' tidak ada pada Renstra yang mencakup tahun {Year}{(Historic ? " pada waktu itu" : "")}.");

}
