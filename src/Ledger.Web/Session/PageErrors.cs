using Ledger.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ledger.Web.Session;

/// <summary>
/// What a page does when the API says no outside a form: a refused token ends the session (back to sign-in); 403 and
/// other problems render the error page with the API's own (Indonesian) explanation; 503 says to try again.
/// </summary>
internal sealed class PageErrors : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var done = await next();
        if (done.Exception is not null && await ResultForAsync(done.Exception, context.HttpContext, (PageModel)context.HandlerInstance) is { } result)
        {
            done.ExceptionHandled = true;
            done.Result = result;
        }
    }

    /// <summary>
    /// The page's answer to an API refusal, or null for any other exception. Also for page models that call the API
    /// before their handler runs (<see cref="Pages.Instansi.AgencyPage"/>), which this filter does not wrap.
    /// </summary>
    public static async Task<IActionResult?> ResultForAsync(Exception exception, HttpContext http, PageModel page)
    {
        switch (exception)
        {
            case SessionExpiredException:
                await http.SignOutAsync(WebRegistration.Scheme);
                return new RedirectResult("/masuk?berakhir=1");
            case ApiProblemException e:
                if (e.Problem.RetryAfter is { } wait)
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ViewResult
                {
                    ViewName = "Masalah",
                    ViewData = new Microsoft.AspNetCore.Mvc.ViewFeatures.ViewDataDictionary<ApiProblem>(page.ViewData, e.Problem),
                    StatusCode = e.Problem.Status,
                };
            default:
                return null;
        }
    }

    /// <summary>A 404 in the API's shape, for what the pages find missing themselves.</summary>
    public static ApiProblemException NotFound(string detail) =>
        new(new ApiProblem(404, null, detail, null, null, new Dictionary<string, string[]>(), null, null, null));
}
