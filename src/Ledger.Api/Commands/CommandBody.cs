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
            if (DecimalComma(bytes, e) is { } comma)
                throw Invalid(comma.Field, $"JSON numbers use a dot for decimals and no thousands separator: write {comma.Suggested}, not {comma.Written}{where}.");
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

    /// <summary>
    /// "92,5" written as a number (Indonesian decimals): JSON reads 92, then a comma, then a '5' where a property name must
    /// start, and System.Text.Json says only that. Found from the bytes around the error: a digit right after
    /// <c>digits,</c> that follow <c>"name":</c>. Returns the property and the number as written.
    /// </summary>
    private static (string Field, string Written, string Suggested)? DecimalComma(byte[] bytes, JsonException e)
    {
        if (e.LineNumber is not { } line || e.BytePositionInLine is not { } pos) return null;
        var start = 0;
        for (var l = 0; l < line; l++)
        {
            start = Array.IndexOf(bytes, (byte)'\n', start);
            if (start < 0) return null;
            start++;
        }
        var at = start + (int)pos;
        if (at <= 0 || at >= bytes.Length || !char.IsAsciiDigit((char)bytes[at])) return null;
        var i = at - 1;
        while (i >= 0 && bytes[i] is (byte)' ' or (byte)'\t') i--;
        if (i < 0 || bytes[i] != ',') return null;
        i--;
        while (i >= 0 && bytes[i] is (byte)' ' or (byte)'\t') i--;
        var numberEnd = i;
        while (i >= 0 && (char.IsAsciiDigit((char)bytes[i]) || bytes[i] is (byte)'-' or (byte)'.')) i--;
        if (i == numberEnd) return null; // no number before the comma
        var numberStart = i + 1;
        while (i >= 0 && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i--;
        if (i < 0 || bytes[i] != ':') return null;
        i--;
        while (i >= 0 && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i--;
        if (i < 0 || bytes[i] != '"') return null;
        var nameEnd = i;
        i--;
        while (i >= 0 && bytes[i] != '"') i--;
        if (i < 0) return null;
        var name = System.Text.Encoding.UTF8.GetString(bytes, i + 1, nameEnd - i - 1);
        var fraction = at;
        while (fraction < bytes.Length && char.IsAsciiDigit((char)bytes[fraction])) fraction++;
        var whole = System.Text.Encoding.UTF8.GetString(bytes, numberStart, numberEnd - numberStart + 1);
        var decimals = System.Text.Encoding.UTF8.GetString(bytes, at, fraction - at);
        // Indonesian numbers group thousands with dots (1.234,56): the JSON form drops them.
        return (name, whole + "," + decimals, whole.Replace(".", "", StringComparison.Ordinal) + "." + decimals);
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
