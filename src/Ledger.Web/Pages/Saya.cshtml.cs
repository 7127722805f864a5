using Ledger.Web.Api;
using Ledger.Web.Session;

namespace Ledger.Web.Pages;

public sealed class SayaModel : LedgerPage
{
    public Me Current { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Current = await Api.GetAsync<Me>("/api/me", ct) ?? throw new SessionExpiredException();
}
