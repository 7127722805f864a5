using System.Text.Json;
using Ledger.Storage;

namespace Ledger.Api.Commands;

/// <summary>
/// Reads a command's JSON body ourselves rather than through Wolverine's binding, for the failure table's 400: the field
/// path as the client spelled it, line and position, never a CLR type name; and JSON whatever the Content-Type says
/// (Bug 2). The body is buffered by <see cref="CommandMiddleware"/> (size limit: Hardening).
/// </summary>
public static class CommandBody
{
    public static async Task<TBody> ReadAsync<TBody>(HttpContext http, CancellationToken ct)
    {
        http.Request.Body.Position = 0;
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        TBody? value;
        try
        {
            value = bytes.Length == 0 ? default : JsonSerializer.Deserialize<TBody>(bytes, LedgerJson.Requests);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
            var where = e.LineNumber is { } line && e.BytePositionInLine is { } pos ? $" (line {line + 1}, position {pos + 1})" : "";
            var message = e switch
            {
                LedgerJson.NulCharacterException => $"The value of '{field}' contains U+0000 (the NUL character), which is not allowed in text{where}.",
                _ when IsDuplicateProperty(e) => $"The property '{field}' appears more than once; send each property once{where}.",
                _ when IsUnknownProperty(e) => $"'{field}' is not a field of this request (check its spelling){where}.",
                _ when field == "$" => $"The body is not valid JSON for this command{where}.",
                _ => $"The value of '{field}' is malformed or of the wrong type{where}.",
            };
            throw Invalid(field, message);
        }
        return value ?? throw Invalid("$", "A JSON object body is required.");
    }

    // System.Text.Json names no type for a duplicate property; its message is the only mark (checked by the tests).
    private static bool IsDuplicateProperty(JsonException e) => e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase);

    // Likewise for a property no member maps (JsonUnmappedMemberHandling.Disallow): "… could not be mapped to any .NET member …".
    private static bool IsUnknownProperty(JsonException e) => e.Message.Contains("could not be mapped", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>Lines[0].Code</c> → <c>lines[0].code</c>: the names the client sent.</summary>
    public static string CamelCasePath(string propertyPath)
    {
        if (string.IsNullOrEmpty(propertyPath)) return "$";
        return string.Join('.', propertyPath.Split('.').Select(segment =>
        {
            var bracket = segment.IndexOf('[');
            return bracket < 0
                ? JsonNamingPolicy.CamelCase.ConvertName(segment)
                : JsonNamingPolicy.CamelCase.ConvertName(segment[..bracket]) + segment[bracket..];
        }));
    }

    private static CommandFailedException Invalid(string field, string message) =>
        new(new CommandFailure.ValidationFailed(new Dictionary<string, string[]> { [field] = [message] }));
}
