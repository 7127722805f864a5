using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Storage;

/// <summary>
/// The one JSON dialect of Ledger: request bodies, responses and stored event payloads. camelCase, and numbers must be
/// JSON numbers (no "12" strings, no NaN): the contract reads every number as a decimal. Stored payloads keep their
/// enum-like values as the domain's wire words (<c>Ledger.Domain.Wire</c>), so they do not depend on these options.
/// </summary>
public static class LedgerJson
{
    /// <summary>Responses, stored payloads and headers.</summary>
    public static JsonSerializerOptions Options { get; } = Create(requests: false);

    /// <summary>
    /// Request bodies: <see cref="Options"/> made strict for input nobody has checked yet. A property named twice is
    /// refused (which one would count is a guess, and a reviewer reading the raw body would see the other), so is a property
    /// the body does not declare (a misspelling would otherwise be lost without a word), and so is U+0000 in any text (PostgreSQL cannot store it in jsonb; it used to surface as a 500 after validation passed).
    /// </summary>
    public static JsonSerializerOptions Requests { get; } = Create(requests: true);

    /// <summary>
    /// Gives options that were made elsewhere (ASP.NET Core's for minimal-API answers and problem details) Ledger's
    /// dialect: web defaults (camelCase, case-insensitive reading), numbers only as JSON numbers, nothing left out.
    /// </summary>
    public static void ApplyTo(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    private static JsonSerializerOptions Create(bool requests)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApplyTo(options);
        if (requests)
        {
            options.AllowDuplicateProperties = false;
            // A misspelt optional field ("evidance") used to be dropped with a 200, and the evidence an auditor needs with
            // it (issue 12): a property the request's body does not declare is refused, 400 naming it.
            options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.Converters.Add(new TextWithoutNul());
        }
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Thrown (and given its path by System.Text.Json) when a request's text holds U+0000.</summary>
    public sealed class NulCharacterException() : JsonException("U+0000 (the NUL character) is not allowed in text.");

    private sealed class TextWithoutNul : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            return text is not null && text.Contains('\0') ? throw new NulCharacterException() : text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
