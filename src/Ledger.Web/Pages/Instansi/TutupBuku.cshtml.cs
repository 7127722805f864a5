using Ledger.Web.Api;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>
/// The year-end: the frozen snapshot with its hash, the recompute-and-compare check of that hash, the log head published
/// at close, the corrections recorded after it; and the approver's close form while the year is open.
/// </summary>
public sealed class TutupBukuModel : AgencyPage
{
    public Snapshot? Frozen { get; private set; }
    public SnapshotCheck? Check { get; private set; }

    /// <summary>The whole log's verification (Inspektorat and administrators; run on request: it reads every event).</summary>
    public ChainCheck? Chain { get; private set; }

    [FromQuery(Name = "verifikasi")] public string? RunChain { get; set; }
    public long? YearVersion { get; private set; }
    public FormState CloseForm { get; } = new("tutup");
    public string? Saved { get; private set; }


    public async Task OnGetAsync([FromQuery(Name = "tersimpan")] string? tersimpan, CancellationToken ct)
    {
        Saved = tersimpan is null ? null : "Tahun ditutup; snapshot dibekukan.";
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var answer = await Api.SendAsync(LedgerApi.Path("agencies", Agency, "years", Year, "close"), new { note = Field("note") }, Version, Key, ct);
        if (answer.Ok) return Redirect(Link(YearPath("/tutup-buku"), ("tersimpan", "1")));
        CloseForm.Apply(answer.Problem!, ["note"]);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Frozen = await Api.GetAsync<Snapshot>(ApiRead(LedgerApi.Path("agencies", Agency, "years", Year, "snapshot")), ct);
        if (Frozen is not null)
            Check = await Api.GetAsync<SnapshotCheck>(ApiRead(LedgerApi.Path("agencies", Agency, "years", Year, "snapshot", "verify")), ct);
        else
            YearVersion = (await Api.GetAsync<Performance>(ApiRead(LedgerApi.Path("agencies", Agency, "performance", Year)), ct))?.Version;
        Version ??= Frozen?.Version ?? YearVersion;
        if (RunChain is not null && (Me.IsInspektorat || Me.IsAdmin) && !Historic)
            Chain = await Api.GetAsync<ChainCheck>("/api/audit/verify", ct);
    }
}
