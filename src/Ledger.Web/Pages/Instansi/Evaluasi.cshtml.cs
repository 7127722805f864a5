using Ledger.Web.Api;

namespace Ledger.Web.Pages.Instansi;

/// <summary>The Inspektorat's evaluation of the year (Nilai SAKIP, predikat, components) and the follow-ups to its recommendations.</summary>
public sealed class EvaluasiModel : AgencyPage
{
    public Evaluation? Result { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        Result = await Api.GetAsync<Evaluation>(ApiRead(LedgerApi.Path("agencies", Agency, "evaluations", Year)), ct);
}
