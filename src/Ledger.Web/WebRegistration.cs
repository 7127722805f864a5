using System.Reflection;
using Ledger.Web.Api;
using Ledger.Web.Session;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Web;

/// <summary>
/// The web application (docs/web.md): Razor Pages in Bahasa Indonesia at <c>/</c>, signed in with a user's API token that
/// becomes an encrypted cookie session. Pages call the service's own API with that token, so what a page shows or
/// refuses is what the API shows or refuses. <c>/api</c> never reads the cookie (bearer tokens only), so a page
/// cannot be used to forge an API call (and every form carries an antiforgery token).
/// </summary>
public static class WebRegistration
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>
    /// The Content-Security-Policy of a response, by path: JSON answers may load nothing; the pages load only the
    /// service's own stylesheet and script and post only to the service; the API reference at /docs (Scalar) starts
    /// from an inline module script and sets inline styles, so it may run inline code, but still loads and connects
    /// only to this service.
    /// </summary>
    public static string ContentSecurityPolicyFor(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health")
            ? "default-src 'none'; frame-ancestors 'none'"
            : path.StartsWithSegments("/docs")
                ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
                : "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>A web page or asset: neither the API, its OpenAPI document nor the health check (answers never cached).</summary>
    public static bool IsPage(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/openapi") && !path.StartsWithSegments("/health");

    public static IServiceCollection AddLedgerWeb(this IServiceCollection services)
    {
        services.AddSingleton<ApiChannel>();
        // Indonesian text and symbols (·, –, ›) as characters in the HTML, not numeric entities.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddHttpContextAccessor();
        services.AddScoped(sp => new LedgerApi(sp.GetRequiredService<ApiChannel>(),
            WebUser.From(sp.GetRequiredService<IHttpContextAccessor>().HttpContext!.User)?.Token ?? ""));
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "ledger.sesi";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/masuk";
            o.LogoutPath = "/keluar";
            o.AccessDeniedPath = "/masuk";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.ReturnUrlParameter = "kembali";
        });
        services.AddAuthorization();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "ledger.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__af";
        });
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Masuk");
            o.Conventions.ConfigureFilter(new PageErrors());
        });
        return services;
    }

    public static void UseLedgerWeb(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
    }

    public static void MapLedgerWeb(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapGet("/aset/{name}", (string name, HttpContext http) =>
        {
            var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Ledger.Web.Assets." + name);
            if (stream is null) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=3600";
            var type = Path.GetExtension(name) switch { ".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8", ".svg" => "image/svg+xml", _ => "application/octet-stream" };
            return Results.Stream(stream, type);
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
