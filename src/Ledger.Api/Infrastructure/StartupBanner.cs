using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Once the server listens: where to open the web application and the API reference, and, on a self-provisioned local
/// cluster without a configured administrator token, the token to sign in with (generated once and kept beside the
/// cluster as <c>secret-admin-token</c>; a configured <c>Ledger__BootstrapAdminToken</c> is never printed).
/// </summary>
public static class StartupBanner
{
    public static void UseStartupBanner(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger");
            var address = Ledger.Web.Api.ApiChannel.Loopback(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
            if (address is null) return;
            var database = app.Services.GetService<LedgerDatabase>();
            var token = app.Configuration["Ledger:BootstrapAdminToken"];
            if (database?.LocalAdminToken is { } local && token == local)
                log.LogInformation("Ledger is ready: open {Url} and sign in with the administrator token {Token} (this local cluster's; set Ledger__BootstrapAdminToken to choose your own). API reference: {Docs}",
                    address, local, new Uri(address, "/docs"));
            else
                log.LogInformation("Ledger is ready: open {Url} and sign in with a user's token{Admin}. API reference: {Docs}",
                    address, string.IsNullOrEmpty(token) ? "" : " or the configured Ledger__BootstrapAdminToken", new Uri(address, "/docs"));
        });
    }
}
