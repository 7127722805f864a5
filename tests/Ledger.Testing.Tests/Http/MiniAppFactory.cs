using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Testing.Tests.Http;

/// <summary>A WebApplicationFactory over the same tiny app, to exercise the factory overloads.</summary>
public sealed class MiniAppFactory : WebApplicationFactory<MiniAppFactory>
{
    protected override IHostBuilder CreateHostBuilder() =>
        Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureWebHostDefaults(web => web
                .ConfigureServices(services => services.AddRouting())
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseEndpoints(MiniApp.MapEndpoints);
                }));

    // The factory would guess a content root from the solution layout; this app has no files, so the output folder will do.
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);

    public bool IsDisposed { get; private set; }

    public override async ValueTask DisposeAsync()
    {
        IsDisposed = true;
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}
