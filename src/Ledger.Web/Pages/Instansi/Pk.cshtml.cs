using Ledger.Web.Api;
using Ledger.Web.Formatting;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Web.Pages.Instansi;

/// <summary>
/// The year's Perjanjian Kinerja: PK murni and every PK perubahan side by side (changed targets highlighted), the
/// proposals waiting for the approver, and the PK perubahan form (staff propose, the approver signs).
/// </summary>
public sealed class PkModel : AgencyPage
{
    public static readonly string[] RevisionFields = ["reason", "ground", "signedOn", "signer", "signer.name", "signer.nip", "signer.position", "targets"];

    public Pk? Agreement { get; private set; }
    public IReadOnlyList<PkProposal> Proposals { get; private set; } = [];
    public IReadOnlyList<string> Codes { get; private set; } = [];
    public FormState RevisionForm { get; } = new("perubahan");
    public FormState DecisionForm { get; } = new("keputusan");
    public string? Saved { get; private set; }

    [BindProperty] public Dictionary<string, string?> Targets { get; set; } = [];

    public async Task OnGetAsync([FromQuery(Name = "tersimpan")] string? tersimpan, CancellationToken ct)
    {
        Saved = tersimpan switch
        {
            "diusulkan" => "PK perubahan diusulkan; menunggu persetujuan pimpinan.",
            "ditandatangani" => "PK perubahan tersimpan.",
            "disetujui" => "Usulan disetujui dan berlaku sebagai PK perubahan.",
            "ditolak" => "Usulan ditolak.",
            _ => null,
        };
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostPerubahanAsync(CancellationToken ct)
    {
        var targets = new List<object>();
        foreach (var (code, text) in Targets)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (Id.ParseNumber(text, out var v) is { } why) RevisionForm.Field("targets", $"Target '{code}': {why}");
            else targets.Add(new { indicator = code, target = v });
        }
        if (!RevisionForm.HasErrors)
        {
            var body = new
            {
                reason = Field("reason"), ground = Field("ground"), signedOn = Field("signedOn"),
                signer = new { name = Field("signer.name"), nip = Field("signer.nip"), position = Field("signer.position") },
                targets,
            };
            var answer = await Api.SendAsync(LedgerApi.Path("agencies", Agency, "pk", Year, "revisions"), body, Version, Key, ct);
            if (answer.Ok) return Redirect(Link(YearPath("/pk"), ("tersimpan", Me.IsApprover ? "ditandatangani" : "diusulkan")));
            RevisionForm.Apply(answer.Problem!, RevisionFields);
        }
        else RevisionForm.Message = "Tidak disimpan: periksa isian yang ditandai.";
        await LoadAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostSetujuiAsync([FromForm] Guid proposal, CancellationToken ct) =>
        DecideAsync(proposal, "approve", new { note = Field("note") }, "disetujui", ct);

    public Task<IActionResult> OnPostTolakAsync([FromForm] Guid proposal, CancellationToken ct) =>
        DecideAsync(proposal, "reject", new { reason = Field("rejectReason") }, "ditolak", ct);

    private async Task<IActionResult> DecideAsync(Guid proposal, string verb, object body, string saved, CancellationToken ct)
    {
        var answer = await Api.SendAsync(LedgerApi.Path("agencies", Agency, "pk", Year, "revisions", "proposals", proposal, verb), body, Version, Key, ct);
        if (answer.Ok) return Redirect(Link(YearPath("/pk"), ("tersimpan", saved)));
        DecisionForm.Apply(answer.Problem!, []); // the reason box sits in the proposal's row: every error goes to the message
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Agreement = await Api.GetAsync<Pk>(ApiRead(LedgerApi.Path("agencies", Agency, "pk", Year)), ct);
        Proposals = await Api.GetAsync<List<PkProposal>>(ApiRead(LedgerApi.Path("agencies", Agency, "pk", Year, "revisions", "proposals")), ct) ?? [];
        Codes = Agreement?.Versions.SelectMany(v => v.Targets.Select(t => t.Indicator)).Distinct().ToList() ?? [];
        Version ??= Agreement?.Version;
    }

    public string? Typed(string field) => Typed(RevisionForm, field);

    public string? TypedTarget(string code, decimal current) =>
        RevisionForm.HasErrors ? Targets.GetValueOrDefault(code) : Id.Input(current); // unrounded and ungrouped: sent back unchanged
}
