using System.Globalization;
using Ledger.Api.Commands;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Api.Infrastructure.Language;

/// <summary>
/// Problem details in Indonesian on request (issue 12 item 8): when the request's <c>Accept-Language</c> prefers <c>id</c>
/// (its highest-quality language is <c>id</c> or <c>id-*</c>), <c>detail</c> is Indonesian and the English text is kept in
/// the extension member <c>detailEn</c>; <c>errors</c> messages are Indonesian where <see cref="FieldTexts"/> knows the
/// field and the code. <c>title</c>, <c>type</c>, <c>status</c>, <c>rule</c> and the <c>errors</c> keys never change, so a
/// client keys on them in any language. Without the header (or preferring another language) nothing changes.
/// </summary>
public static class ProblemLanguage
{
    public const string DetailEn = "detailEn";

    /// <summary>Whether the request's Accept-Language puts Indonesian first (by quality, then order).</summary>
    public static bool WantsIndonesian(HttpContext http)
    {
        IList<Microsoft.Net.Http.Headers.StringWithQualityHeaderValue> languages;
        try
        {
            languages = http.Request.GetTypedHeaders().AcceptLanguage;
        }
        catch (FormatException)
        {
            return false;
        }
        var first = languages.Where(l => l.Quality is not 0).Select((l, i) => (Tag: l.Value.Value ?? "", Q: l.Quality ?? 1, i))
            .OrderByDescending(l => l.Q).ThenBy(l => l.i).FirstOrDefault();
        var tag = first.Tag ?? ""; // no header: the default tuple
        return tag.Equals("id", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("id-", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A command's problem (<see cref="FailureTable"/>), translated when the request asks for Indonesian.</summary>
    public static void Apply(HttpContext http, ProblemDetails problem, CommandFailure failure)
    {
        if (!WantsIndonesian(http)) return;
        switch (failure)
        {
            case CommandFailure.ValidationFailed f:
                Replace(problem, "Perintah tidak valid; periksa isian pada errors.", "The command is not valid; see the fields in errors.");
                if (problem is HttpValidationProblemDetails v && f.Indonesian is { } id)
                {
                    foreach (var (field, messages) in id)
                    {
                        if (!v.Errors.TryGetValue(field, out var english) || english.Length != messages.Length) continue;
                        v.Errors[field] = english.Select((m, i) => messages[i] ?? m).ToArray();
                    }
                }
                break;
            case CommandFailure.BadHeader f:
                Replace(problem, $"Header {f.Header} tidak sesuai format yang diharapkan.");
                break;
            case CommandFailure.NotFound:
                Replace(problem, "Data yang dirujuk perintah ini tidak ada.");
                break;
            case CommandFailure.Refused f:
                Replace(problem, RuleTexts.For(f.Rule, f.Message));
                break;
            case CommandFailure.Conflict f:
                Replace(problem, RuleTexts.For(f.Rule, f.Message));
                break;
            case CommandFailure.PreconditionFailed f:
                Replace(problem, $"Versi tidak cocok: diharapkan {N(f.ExpectedVersion)}, saat ini {N(f.ActualVersion)}. Muat ulang data, lalu putuskan lagi.");
                break;
            case CommandFailure.RaceLost f:
                Replace(problem, $"'{f.Stream}' berubah {N(f.Attempts)} kali selama perintah ini diproses; coba lagi.");
                break;
        }
        http.Response.Headers.ContentLanguage = "id";
    }

    /// <summary>
    /// Any other problem (reads, authentication, authorization, body limits, outages: those written through
    /// IProblemDetailsService): a rule it names is translated by <see cref="RuleTexts"/>, else an Indonesian detail by status.
    /// </summary>
    public static void Apply(HttpContext http, ProblemDetails problem)
    {
        if (problem.Extensions.ContainsKey(DetailEn) || !WantsIndonesian(http)) return;
        var byRule = problem.Extensions.TryGetValue("rule", out var rule) && rule is string r ? RuleTexts.For(r, problem.Detail) : null;
        Replace(problem, byRule ?? problem.Status switch
        {
            400 => "Permintaan tidak valid; periksa isian pada errors.",
            401 => "Autentikasi diperlukan: kirim token Bearer yang valid.",
            403 => "Anda tidak berwenang melakukan ini.",
            404 => "Data yang diminta tidak ditemukan.",
            413 => "Isi permintaan terlalu besar.",
            429 => "Terlalu banyak autentikasi yang gagal; coba lagi nanti.",
            503 => "Layanan sedang tidak tersedia; coba lagi nanti.",
            _ => null,
        }, problem.Detail ?? (problem.Status == 400 ? "The request is not valid; see the fields in errors." : null));
        http.Response.Headers.ContentLanguage = "id";
    }

    /// <summary>Indonesian into detail, the English into detailEn; nothing when there is no Indonesian text.</summary>
    private static void Replace(ProblemDetails problem, string? indonesian, string? english = null)
    {
        if (indonesian is null) return;
        english ??= problem.Detail;
        if (english is not null) problem.Extensions[DetailEn] = english;
        problem.Detail = indonesian;
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
}
