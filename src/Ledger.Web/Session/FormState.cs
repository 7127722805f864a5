using Ledger.Web.Api;

namespace Ledger.Web.Session;

/// <summary>
/// One form's outcome on the page: errors next to their fields (the API's <c>errors</c> keys, camelCase, and a 422's
/// <c>field</c>), and one message for the whole form. The API answers in Bahasa Indonesia (Accept-Language: id); the
/// version conflict's message is the page's own, because what the person should do is the page's to say.
/// </summary>
public sealed class FormState(string name)
{
    public string Name { get; } = name;
    public Dictionary<string, string> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string? Message { get; set; }
    public bool Conflict { get; private set; }

    public bool HasErrors => Fields.Count > 0 || Message is not null;

    public string? this[string field] => Fields.GetValueOrDefault(field);

    public void Field(string field, string message) => Fields[field] = message;

    /// <summary>Puts the API's problem on the form; errors for fields the form does not show go to the form's message.</summary>
    public void Apply(ApiProblem problem, IReadOnlyCollection<string> fields)
    {
        if (problem.Status == 412)
        {
            Conflict = true;
            Message = "Data ini telah diubah oleh orang lain sejak halaman dibuka" +
                      (problem.ExpectedVersion is { } e && problem.ActualVersion is { } a ? $" (versi {e}, sekarang {a})" : "") +
                      ". Tidak ada yang disimpan. Muat ulang halaman, periksa perubahannya, lalu kirim lagi bila masih perlu.";
            return;
        }
        var unplaced = new List<string>();
        foreach (var (key, messages) in problem.Errors)
        {
            var field = fields.FirstOrDefault(f => string.Equals(f, key, StringComparison.OrdinalIgnoreCase));
            if (field is null) unplaced.Add(string.Join(" ", messages));
            else Field(field, string.Join(" ", messages));
        }
        if (problem.Field is { } f422 && fields.FirstOrDefault(f => string.Equals(f, f422, StringComparison.OrdinalIgnoreCase)) is { } placed)
            Field(placed, problem.Detail ?? problem.Title ?? "Ditolak.");
        else if (problem.Errors.Count == 0)
            unplaced.Add(problem.Detail ?? problem.Title ?? $"Permintaan ditolak ({problem.Status}).");
        if (unplaced.Count > 0) Message = "Tidak disimpan: " + string.Join(" ", unplaced);
        else Message ??= "Tidak disimpan: periksa isian yang ditandai.";
    }
}
