using System.Globalization;
using Ledger.Web.Api;
using Ledger.Web.Formatting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Web.Session;

/// <summary>
/// Every signed-in page: the user, the API as that user, and the "as of" instant the page is rendered at. <c>asOf</c>
/// (an ISO instant with offset, as the API takes it) or the picker's <c>waktu</c> (a local date-time) with <c>zona</c>
/// (WIB, WITA, WIT) re-render the page as it stood then; links keep it.
/// </summary>
public abstract class LedgerPage : PageModel
{
    private LedgerApi? _api;

    public WebUser Me => WebUser.From(User) ?? throw new InvalidOperationException("The page needs a signed-in user.");

    public LedgerApi Api => _api ??= HttpContext.RequestServices.GetRequiredService<LedgerApi>();

    public DateTimeOffset? AsOf { get; private set; }

    public Zone Zone { get; private set; } = Zone.Wib;

    /// <summary>Why the as-of value was ignored, when it was.</summary>
    public string? AsOfError { get; private set; }

    /// <summary>The API's and the links' form of <see cref="AsOf"/>.</summary>
    public string? AsOfParam => AsOf?.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>The picker's value (local date-time in <see cref="Zone"/>).</summary>
    public string? AsOfLocal => AsOf?.ToOffset(Zone.Offset).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var q = Request.Query;
        Zone = Zone.Parse(q["zona"]);
        if (q["asOf"] is { Count: > 0 } iso && !string.IsNullOrWhiteSpace(iso))
        {
            // As the API: an instant must say its offset; no zone is guessed for an audit question.
            var text = iso.ToString().Replace(' ', '+');
            if (System.Text.RegularExpressions.Regex.IsMatch(text, @"(Z|[+-]\d{2}:?\d{2})$") &&
                DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)) AsOf = at;
            else AsOfError = "Tanggal 'per' harus waktu lengkap dengan zona (mis. 2024-01-15T10:00:00+07:00); halaman menampilkan keadaan terkini.";
        }
        else if (q["waktu"] is { Count: > 0 } local && !string.IsNullOrWhiteSpace(local))
        {
            if (DateTime.TryParseExact(local.ToString(), ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"],
                    CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
                AsOf = new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Unspecified), Zone.Offset);
            else AsOfError = "Tanggal 'per' tidak dapat dibaca; halaman menampilkan keadaan terkini.";
        }
        try
        {
            await BeforeHandlerAsync(HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is ApiProblemException or SessionExpiredException)
        {
            // A page model's own filter is the outermost, outside PageErrors: an API refusal here is answered the same way.
            context.Result = await PageErrors.ResultForAsync(e, HttpContext, this);
            return;
        }
        await next();
    }

    /// <summary>What every handler of the page needs first (after the as-of instant is known); API refusals end the page.</summary>
    protected virtual Task BeforeHandlerAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>This request's query without the as-of parameters (asOf, waktu, zona), e.g. to link to the present.</summary>
    public (string Name, object? Value)[] QueryWithoutAsOf() =>
        Request.Query.Where(q => q.Key is not ("asOf" or "waktu" or "zona")).Select(q => (q.Key, (object?)q.Value.ToString())).ToArray();

    /// <summary>A link that keeps the page's as-of instant and zone.</summary>
    public string Link(string path, params (string Name, object? Value)[] query) =>
        LedgerApi.Query(path, [.. query, ("asOf", AsOfParam), ("zona", Zone == Zone.Wib ? null : Zone.Name)]);

    /// <summary>An API path with the page's as-of instant.</summary>
    public string ApiRead(string path, params (string Name, object? Value)[] query) => LedgerApi.Query(path, [.. query, ("asOf", AsOfParam)]);

    public string When(DateTimeOffset? at) => Id.DateTime(at, Zone);

    /// <summary>Forms write "now": they are hidden while the page shows an earlier instant.</summary>
    public bool Historic => AsOf is not null;

    /// <summary>A posted form's fields as typed (<c>Input[name]</c>), put back into the form after a refusal.</summary>
    [BindProperty] public Dictionary<string, string?> Input { get; set; } = [];

    /// <summary>The posted form's Idempotency-Key (rendered into it as <see cref="NewKey"/>).</summary>
    [BindProperty] public string? Key { get; set; }

    /// <summary>Each rendering of a form is one request: a double submit replays it; a form corrected after a refusal is a new one.</summary>
    public string NewKey { get; } = Guid.NewGuid().ToString("N");

    /// <summary>A posted field, trimmed; null when blank.</summary>
    protected string? Field(string name) => Input.GetValueOrDefault(name) is { } s && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    /// <summary>What was typed into <paramref name="field"/>, when <paramref name="form"/> is shown again after a refusal.</summary>
    public string? Typed(FormState form, string field) => form.HasErrors ? Input.GetValueOrDefault(field) : null;
}
