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
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
