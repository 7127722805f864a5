using Ledger.Web.Api;

namespace Ledger.Web.Pages.Instansi;

/// <summary>The year's audit findings, each linked to the events that prove it (in the change log).</summary>
public sealed class TemuanModel : AgencyPage
{
    public IReadOnlyList<Finding> Findings { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Findings = await Api.GetAsync<List<Finding>>(ApiRead(LedgerApi.Path("agencies", Agency, "findings"), ("year", Year)), ct) ?? [];
}
