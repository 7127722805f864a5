using Ledger.Web.Api;
using Microsoft.AspNetCore.Authentication;
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
        switch (done.Exception)
        {
            case SessionExpiredException:
                done.ExceptionHandled = true;
                await context.HttpContext.SignOutAsync(WebRegistration.Scheme);
                done.Result = new RedirectResult("/masuk?berakhir=1");
                break;
            case ApiProblemException e:
                done.ExceptionHandled = true;
                context.HttpContext.Response.StatusCode = e.Problem.Status;
                if (e.Problem.RetryAfter is { } wait)
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                done.Result = new ViewResult
                {
                    ViewName = "Masalah",
                    ViewData = new Microsoft.AspNetCore.Mvc.ViewFeatures.ViewDataDictionary<ApiProblem>(
                        ((PageModel)context.HandlerInstance).ViewData, e.Problem),
                    StatusCode = e.Problem.Status,
                };
                break;
        }
    }
}
